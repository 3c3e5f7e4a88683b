"""Status and assurance tell one story: assurance is judged against the trajectory ahead."""

from __future__ import annotations

import pandas as pd
import pytest

from carers_impact.periods import Quarter, quarter_range
from measures.domain.outlook import coming_trajectory, judge
from measures.domain.story import status_and_assurance
from measures.domain.targets import Baseline, Target, assess

BASELINE = Baseline("2021-22 Q4", computed=True)
TARGETS = (Target("2024-25 Q4", value=1175, label="2025"),)


def flat_process() -> pd.Series:
    """Sixteen quarters at 1150 / 1160, except the baseline quarter (2021-22 Q4) at 1000."""
    quarters = quarter_range(Quarter(2019, 1), Quarter(2022, 4))
    values = [
        1000.0 if q == Quarter(2021, 4) else 1150.0 + 10 * (i % 2) for i, q in enumerate(quarters)
    ]
    return pd.Series(values, index=[q.label for q in quarters])


def test_assurance_is_judged_against_the_trajectory_for_the_coming_quarters():
    series = flat_process()
    assessment = assess(series, baseline=BASELINE, targets=TARGETS, polarity="up")
    assert assessment.status == "on track"
    # From 1000 at 2021-22 Q4 to 1175 by 2024-25 Q4: 14.58 a quarter; the four quarters
    # after 2022-23 Q4 are 5 to 8 steps on.
    coming = coming_trajectory(assessment, "2022-23 Q4")
    assert coming == pytest.approx([1000 + 175 * k / 12 for k in (5, 6, 7, 8)])
    found = judge(series, polarity="up", assessment=assessment, targets=TARGETS)
    lower = found.chart.frame["lower_limit"].iloc[-1]
    upper = found.chart.frame["upper_limit"].iloc[-1]
    assert max(coming) < lower  # the process runs above every coming trajectory value ...
    assert upper < 1175  # ... though below the 2025 target itself
    assert found.assurance_against == "trajectory"
    assert found.assurance == "consistently pass"
    assert found.story == (
        "On track, and the process as it varies will keep meeting the trajectory over the "
        "coming quarters."
    )


def test_without_a_baseline_value_assurance_falls_back_to_the_next_target():
    series = flat_process()
    stated = (Target("2024-25 Q4", value=1175, label="2025"),)
    assessment = assess(series, baseline=None, targets=stated, polarity="up")
    found = judge(series, polarity="up", assessment=assessment, targets=stated)
    assert found.assurance_against == "target" and found.assurance == "consistently fail"
    assert "will not meet without change the next target" in found.story


STATUSES = ["on track", "close", "off track"]
ASSURANCES = ["consistently pass", "hit and miss", "consistently fail"]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("assurance", ASSURANCES)
def test_every_status_and_assurance_has_one_sentence_that_explains_both(status, assurance):
    sentence = status_and_assurance(status, assurance, against="trajectory")
    assert sentence.endswith(".") and sentence.count(".") == 1
    assert "trajectory" in sentence
    opening = {"on track": "On track", "close": "Just behind", "off track": "Off track"}
    assert sentence.startswith(opening[status])
    if (status == "on track") != (assurance == "consistently pass"):
        assert "but" in sentence or "though" in sentence or ";" in sentence


def test_the_sentences_are_all_different():
    sentences = {
        status_and_assurance(s, a, against="trajectory") for s in STATUSES for a in ASSURANCES
    }
    assert len(sentences) == len(STATUSES) * len(ASSURANCES)


def test_no_assurance_says_why():
    sentence = status_and_assurance(
        "on track",
        None,
        against="trajectory",
        assurance_reason="too few quarters for control limits",
    )
    assert sentence == (
        "On track; no assurance yet on whether the process will keep it "
        "(too few quarters for control limits)."
    )
    assert status_and_assurance("no target", None, against=None).startswith("No target")

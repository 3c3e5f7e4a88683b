"""The measure page's control chart on a longer series: limits recalculated at a known change,
Making Data Count icons, a sustained shift said with a change suggested, and the one story."""

from __future__ import annotations

import json

import pytest

from carers_impact import db
from etl.pipeline import submit
from tests.dashboard_data import as_user, carers_file, database_copy, texts

PAGE = "views/measure.py"
SPC = "Control chart (SPC)"
EARLIER = [f"{y}-{(y + 1) % 100:02d} Q{q}" for y in (2020, 2021, 2022) for q in (1, 2, 3, 4)]
LATER = {"2024-25 Q2": 58, "2024-25 Q3": 60}
"""Twelve quarters at 20 / 22 carers before Rotherham's configured change (2023-24 Q1, GP
registers joined), then the fixture's 40, 44, 47, 52, 55 and these two."""
LATEST = "2024-25 Q3"


@pytest.fixture(scope="module", autouse=True)
def database(tmp_path_factory):
    url = database_copy(tmp_path_factory.mktemp("measure-spc"))
    engine = db.make_engine(url)
    loads = [(q, 20 + 2 * (i % 2)) for i, q in enumerate(EARLIER)] + list(LATER.items())
    for quarter, known in loads:
        name = f"carers_ROT-ASC_{quarter.replace(' ', '_')}.csv"
        result = submit(engine, carers_file(known, quarter), filename=name, submitted_by="uma")
        assert result.status == "accepted", result.report.to_text()
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARERS_DB_URL", url)
        yield url


def chart(at, title: str) -> dict:
    return next(
        spec
        for spec in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
        if spec.get("title") == title
    )


def test_limits_are_recalculated_at_the_configured_change_and_each_segment_is_drawn():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", period=LATEST, view=SPC)
    assert not at.exception
    assert (
        "Limits are recalculated at 2023-24 Q1 (GP practices' carers registers (ROT-NHS) "
        "joined the count)." in texts(at)
    )
    spec = chart(at, "Carers known to services: XmR chart")
    # By hand: 20, 22 x 6: mean 21, moving ranges 2, limits 21 -/+ 5.32; then 40 44 47 52 55
    # 58 60: mean 356 / 7 = 50.86, moving ranges 4 3 5 3 3 2 (mean 3.33), limits -/+ 8.87.
    assert (
        "limits recalculated for 2020-21 Q1 to 2022-23 Q4 (mean 21, limits 16 to 26), "
        "2023-24 Q1 to 2024-25 Q3 (mean 51, limits 42 to 60)" in spec["description"]
    )
    assert "events marked: 2023-24 Q1: Process change: GP practices' carers" in spec["description"]


def test_the_icons_and_one_sentence_for_status_and_assurance_are_shown():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", period=LATEST)
    page = texts(at)
    # Seven rising quarters since the change: a special cause, an improvement, high.
    assert 'alt="Special cause variation: improvement (high values)"' in page
    # The baseline quarter (2021-22 Q4) is 22 carers: +20% by 2025 is a trajectory to 26.4,
    # far below the process since the change, so it consistently passes.
    assert 'alt="Assurance: consistently passes"' in page
    assert (
        "On track, and the process as it varies will keep meeting the trajectory over the "
        "coming quarters." in page
    )
    metrics = {m.label: m for m in at.metric}
    baseline = metrics["Baseline (2021-22 Q4)"]
    assert baseline.value == "22" and "(better)" in baseline.proto.delta
    latest = metrics[f"Latest ({LATEST})"]
    assert latest.proto.delta == "+2 (no significant change)"


def test_a_sustained_shift_without_a_configured_change_is_said_and_a_change_suggested():
    at = as_user("vera", PAGE, area="rotherham", measure="young_carers_known", period=LATEST)
    note = " ".join(i.value for i in at.info)
    assert "sustained shift, with no process change configured there" in note
    assert "add a change at 2023-24 Q1 to this measure" in note


def test_the_forecast_to_the_target_is_said_in_words():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", period=LATEST)
    # Since the change: 40 44 47 52 55 58 60, a least-squares slope of 3.43 a quarter;
    # one quarter on, 64.6 (62 to 67), far above the 2025 target: +20% on the baseline as
    # it is published (22 rounded to 20), so 24, the same target as the public view's.
    assert (
        "At the current rate, 65 by 2024-25 Q4 (62 to 67): the 2025 target of 24 is likely "
        "to be met." in texts(at)
    )

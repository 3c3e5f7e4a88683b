"""This dashboard's own figure against the median council: Better, Similar or Worse by its CI."""

from __future__ import annotations

import pandas as pd
import pytest

from measures.domain.benchmarks import BETTER, SIMILAR, WORSE, benchmarks, compared_with


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "verdict"),
    [
        (7.37, 7.81, "up", BETTER),  # Rotherham's 2021-22 CRQoL interval, above 7.2
        (7.0, 7.3, "up", SIMILAR),
        (6.8, 7.1, "up", WORSE),
        (6.8, 7.1, "down", BETTER),
        (7.37, 7.81, "neutral", "Higher"),
        (None, None, "up", ""),
    ],
)
def test_the_interval_decides_better_similar_or_worse(lower, upper, polarity, verdict):
    assert compared_with(lower, upper, 7.2, polarity=polarity) == verdict


def test_our_year_is_judged_against_the_median_council_of_the_same_year():
    years = pd.DataFrame(
        {"period": ["2021-22"], "value": [7.59], "lower_ci": [7.37], "upper_ci": [7.81]}
    )
    found = benchmarks("E08000018", measure_id="crqol_score", years=years)
    row = found[found["period"] == "2021-22"].iloc[0]
    assert row["comparator_median"] == pytest.approx(7.2) and row["comparator_councils"] > 100
    assert row["our_value"] == 7.59 and row["compared"] == BETTER
    assert (found.loc[found["period"] != "2021-22", "compared"] == "").all()

"""This dashboard's own figure against the median council: Better, Similar or Worse by its CI."""

from __future__ import annotations

import pandas as pd
import pytest

from measures.domain.benchmarks import (
    BETTER,
    ENGLAND,
    MEDIAN_COUNCIL,
    SIMILAR,
    WORSE,
    benchmarks,
    compared_with,
    spine,
)
from measures.domain.reference import ascof_councils


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


# Six councils, one year: sorted 6.0, 6.4, 7.0, 7.6, 8.0, 9.0. Quartiles by linear interpolation
# at position (6 - 1) * p: the 25th percentile at 1.25 is 6.4 + 0.25 * (7.0 - 6.4) = 6.55, the
# median at 2.5 is (7.0 + 7.6) / 2 = 7.3, the 75th percentile at 3.75 is 7.6 + 0.75 * 0.4 = 7.9.
COUNCILS = pd.DataFrame(
    {
        "la_code": ["E1", "E2", "E3", "E4", "E5", "E6", "E1", "E2"],
        "period": ["2021-22"] * 6 + ["2022-23"] * 2,
        "value": [8.0, 6.0, 9.0, 7.0, 6.4, 7.6, 7.1, 7.2],
        "ascof_code": ["1D"] * 8,
    }
)
NO_YEARS = pd.DataFrame(columns=["period", "value", "lower_ci", "upper_ci"])


def own(lower: float, upper: float, period: str = "2021-22") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": [period],
            "value": [(lower + upper) / 2],
            "lower_ci": [lower],
            "upper_ci": [upper],
        }
    )


def test_the_spine_is_the_councils_range_quartiles_and_median_for_the_year():
    found = spine(COUNCILS, la_code="E1", years=NO_YEARS, national_minimum=6)
    assert found.period == "2021-22" and found.councils == 6  # 2022-23 has only two councils
    assert (found.minimum, found.maximum) == (6.0, 9.0)
    assert found.q1 == pytest.approx(6.55)
    assert found.median == pytest.approx(7.3)
    assert found.q3 == pytest.approx(7.9)
    # No England value in the data: the median council is the comparator, and named so.
    assert (found.comparator, found.comparator_name) == (pytest.approx(7.3), MEDIAN_COUNCIL)
    # The area's published 8.0 has no interval, so it is not judged.
    assert (found.value, found.source, found.compared) == (8.0, "published", "")


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "verdict"),
    [
        (7.35, 7.6, "up", BETTER),  # the whole interval is above the median council's 7.3
        (7.35, 7.6, "down", WORSE),
        (7.2, 7.5, "up", SIMILAR),  # the interval holds 7.3
        (6.9, 7.25, "up", WORSE),
    ],
)
def test_the_areas_interval_against_the_median_council(lower, upper, polarity, verdict):
    found = spine(
        COUNCILS, la_code="E1", years=own(lower, upper), polarity=polarity, national_minimum=6
    )
    assert (found.source, found.lower_ci, found.upper_ci) == ("own", lower, upper)
    assert found.compared == verdict


def test_an_england_value_is_the_comparator_when_the_data_has_one():
    found = spine(
        COUNCILS,
        la_code="E1",
        years=own(7.35, 7.6),
        england={"2021-22": 7.7},
        national_minimum=6,
    )
    assert (found.comparator, found.comparator_name) == (7.7, ENGLAND)
    assert found.median == pytest.approx(7.3)  # still drawn, but not the comparator
    assert found.compared == WORSE  # 7.35 to 7.6 lies wholly below England's 7.7


def test_no_year_published_for_enough_councils_gives_no_spine():
    assert spine(COUNCILS, la_code="E1", years=NO_YEARS, national_minimum=7) is None


def test_the_shipped_ascof_file_gives_every_council_and_no_england_value():
    councils, england = ascof_councils("1D")
    assert england == {}
    found = spine(councils, la_code="E08000018", years=NO_YEARS)
    assert (found.period, found.councils) == ("2021-22", 149)
    assert found.comparator_name == MEDIAN_COUNCIL and found.value == 7.5  # Rotherham
    assert spine(ascof_councils("3B")[0], la_code="E08000018", years=NO_YEARS) is None


def test_an_england_row_in_the_file_is_kept_out_of_the_councils(tmp_path):
    header = "la_code,la_name,period,ascof_code,measure,breakdown,value,source\n"
    rows = [
        "E92000001,England,2021-22,1D,CRQoL,Total,7.3,x",
        "E08000018,Rotherham,2021-22,1D,CRQoL,Total,7.5,x",
        "E06000001,Hartlepool,2021-22,1D,CRQoL,Total,7.0,x",
    ]
    (tmp_path / "ascof_carers_published.csv").write_text(header + "\n".join(rows) + "\n")
    councils, england = ascof_councils("1D", folder=tmp_path)
    assert england == {"2021-22": 7.3}
    assert sorted(councils["la_code"]) == ["E06000001", "E08000018"]

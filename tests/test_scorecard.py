"""The scorecard: latest value, changes, baseline, targets, status and SPC per measure."""

from __future__ import annotations

import pandas as pd
import pytest

from carers_impact.periods import Quarter, quarter_range
from measures.domain.area_files import load_areas
from measures.domain.catalogue import load_catalogue
from measures.domain.scorecard import build_scorecard

ROTHERHAM = load_areas()["rotherham"]
CATALOGUE = load_catalogue()


def values_for(measure_id: str, series: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure_id": measure_id,
                "area": "rotherham",
                "period": p,
                "breakdown": "all",
                "breakdown_value": "all",
                "value": v,
                "numerator": v,
                "denominator": None,
                "lower_ci": None,
                "upper_ci": None,
            }
            for p, v in series.items()
        ]
    )


def known_row(card: pd.DataFrame) -> pd.Series:
    return card[card.measure_id == "known_carers"].iloc[0]


def test_status_follows_the_trajectory_from_the_computed_baseline():
    # Rotherham: baseline 2021-22 Q4 computed from the data, +20% by 2025, +35% by 2027.
    quarters = quarter_range(Quarter(2021, 4), Quarter(2024, 4))
    series = {q.label: 1000 + 20 * i for i, q in enumerate(quarters)}
    card = build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    row = known_row(card)
    assert row.baseline_value == 1000 and row.period == "2024-25 Q4"
    assert row.target_2025 == pytest.approx(1200) and row.target_2027 == pytest.approx(1350)
    assert row.expected == pytest.approx(1200)  # the latest quarter is the 2025 target date
    assert row.value == 1000 + 20 * 12
    assert row.status == "on track"
    assert row.change_on_previous == 20 and row.change_on_baseline == 240


def test_a_value_below_the_trajectory_is_close_or_off_track():
    quarters = quarter_range(Quarter(2021, 4), Quarter(2024, 4))
    series = {q.label: 1000.0 for q in quarters}
    series["2024-25 Q4"] = 1150  # expected 1200; tolerance 5% = 60, so "close"
    card = build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    assert known_row(card).status == "close"
    series["2024-25 Q4"] = 1100
    card = build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    assert known_row(card).status == "off track"


def test_fewer_than_twelve_quarters_give_a_run_chart_with_a_reason():
    series = {
        q.label: 100 + i for i, q in enumerate(quarter_range(Quarter(2023, 1), Quarter(2024, 4)))
    }
    row = known_row(
        build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    )
    assert row.chart == "run" and "8 quarters" in row.spc_reason
    assert row.variation is None


def test_twelve_quarters_give_an_xmr_variation_and_a_sparkline_of_the_last_twelve():
    quarters = quarter_range(Quarter(2020, 1), Quarter(2024, 4))
    series = {q.label: 1000 + 30 * i for i, q in enumerate(quarters)}
    row = known_row(
        build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    )
    assert row.chart == "xmr" and row.variation == "special_cause_improvement"
    assert row.sparkline == [series[q.label] for q in quarters[-12:]]


def test_an_earlier_period_can_be_looked_back_at():
    quarters = quarter_range(Quarter(2021, 4), Quarter(2024, 4))
    series = {q.label: 1000 + 20 * i for i, q in enumerate(quarters)}
    card = build_scorecard(
        values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE, period="2023-24 Q1"
    )
    assert known_row(card).period == "2023-24 Q1"


def test_measures_are_grouped_under_the_areas_own_themes_in_order():
    card = build_scorecard(
        values_for("known_carers", {"2024-25 Q1": 10}), area=ROTHERHAM, catalogue=CATALOGUE
    )
    theme_order = [t.id for t in ROTHERHAM.themes if t.measures]
    assert list(dict.fromkeys(card["theme_id"])) == theme_order
    missing = card[card.measure_id == "crqol_score"].iloc[0]
    assert missing.status == "not enough data" and pd.isna(missing.period)

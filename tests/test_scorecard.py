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


def test_one_row_per_measure_with_its_themes_as_tags():
    card = build_scorecard(
        values_for("known_carers", {"2024-25 Q1": 10}), area=ROTHERHAM, catalogue=CATALOGUE
    )
    assert list(card["measure_id"]) == list(ROTHERHAM.measure_ids)
    assert card["measure_id"].is_unique
    known = known_row(card)
    assert known.themes == [t.id for t in ROTHERHAM.themes_for("known_carers")]
    assert "Awareness and culture" in known.theme_titles
    missing = card[card.measure_id == "crqol_score"].iloc[0]
    assert missing.status == "not enough data" and pd.isna(missing.period)


def test_a_change_within_chance_is_no_significant_change_not_better():
    quarters = quarter_range(Quarter(2021, 4), Quarter(2024, 4))
    series = {q.label: 1000 + 20 * i for i, q in enumerate(quarters)}
    row = known_row(
        build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    )
    assert row.change_on_previous == 20 and row.previous_verdict == "no significant change"
    assert row.change_on_year == 80 and row.year_verdict == "no significant change"
    assert row.change_on_baseline == 240 and row.baseline_verdict == "better"  # 1240 v 1000
    assert row.year_ago_period == "2023-24 Q4"


def test_limits_are_recalculated_at_the_area_s_configured_change():
    # Rotherham configures a change for known_carers at 2023-24 Q1.
    quarters = quarter_range(Quarter(2019, 1), Quarter(2025, 2))
    series = {
        q.label: (1000 if q < Quarter(2023, 1) else 1400) + (i % 2) * 10
        for i, q in enumerate(quarters)
    }
    row = known_row(
        build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    )
    assert row.process_changes == [
        "2023-24 Q1: GP practices' carers registers (ROT-NHS) joined the count"
    ]
    assert "Limits are recalculated at 2023-24 Q1" in row.spc_reason
    assert row.variation == "common_cause" and row.suggested_change is None


def test_a_sustained_shift_without_a_configured_change_is_suggested():
    quarters = quarter_range(Quarter(2019, 1), Quarter(2025, 2))
    series = {
        q.label: (100 if q < Quarter(2023, 2) else 140) + (i % 2) * 2
        for i, q in enumerate(quarters)
    }
    card = build_scorecard(values_for("new_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    row = card[card.measure_id == "new_carers"].iloc[0]
    assert row.suggested_change == "2023-24 Q2"


def test_a_forecast_to_the_next_target_says_whether_it_is_likely():
    quarters = quarter_range(Quarter(2021, 4), Quarter(2024, 2))
    series = {q.label: 1000 + 10 * i + (i % 2) for i, q in enumerate(quarters)}
    row = known_row(
        build_scorecard(values_for("known_carers", series), area=ROTHERHAM, catalogue=CATALOGUE)
    )
    # Rising 10 a quarter from 1000 at 2021-22 Q4: about 1120 by 2024-25 Q4, short of 1200.
    assert row.next_target_label == "2025" and row.forecast_period == "2024-25 Q4"
    assert row.forecast_value == pytest.approx(1120.5, abs=1)
    assert row.forecast_upper < 1200 and row.forecast_outlook == "unlikely"

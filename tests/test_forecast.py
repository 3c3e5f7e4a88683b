"""Forecast to the target: a least-squares line with a 95% prediction interval, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from carers_impact.periods import Quarter, quarter_range
from measures.domain.forecast import (
    LIKELY,
    UNCERTAIN,
    UNLIKELY,
    TooFewForForecast,
    against_target,
    forecast,
    t_quantile,
)

START = Quarter(2023, 1)


def quarterly(values) -> pd.Series:
    quarters = quarter_range(START, Quarter.from_index(START.index + len(values) - 1))
    return pd.Series(list(values), index=[q.label for q in quarters], dtype=float)


def test_a_straight_line_is_carried_forward_exactly_with_no_spread():
    series = quarterly([100 + 5 * i for i in range(8)])  # 2023-24 Q1 .. 2024-25 Q4
    found = forecast(series, to="2026-27 Q4")  # 8 quarters after the last
    assert found.value == pytest.approx(100 + 5 * 15)
    assert found.lower == pytest.approx(found.value) and found.upper == pytest.approx(found.value)
    assert found.slope == pytest.approx(5) and found.points == 8
    assert found.first_period == "2023-24 Q1"


def test_the_prediction_interval_matches_the_one_worked_out_by_hand():
    # x = 0..5, y = 1 3 2 4 3 5: mean x 2.5, mean y 3, Sxx 17.5, Sxy 11, slope 11/17.5,
    # intercept 3 - 2.5 * slope; residual sum of squares 3.085714, s^2 = 3.085714 / 4.
    # At x0 = 9: y = 7.085714; half width = t(4) 2.776 * 0.878310
    #   * sqrt(1 + 1/6 + 6.5^2 / 17.5) = 2.776 * 0.878310 * 1.892341 = 4.613877.
    found = forecast(quarterly([1, 3, 2, 4, 3, 5]), to=Quarter.from_index(START.index + 9).label)
    assert found.slope == pytest.approx(0.628571, abs=1e-6)
    assert found.value == pytest.approx(7.085714, abs=1e-6)
    assert found.lower == pytest.approx(7.085714 - 4.613877, abs=1e-5)
    assert found.upper == pytest.approx(7.085714 + 4.613877, abs=1e-5)


@pytest.mark.parametrize(
    ("target", "polarity", "outlook"),
    [
        (12, "up", UNLIKELY),  # the whole interval (2.47 to 11.70) is below it
        (2, "up", LIKELY),  # the whole interval is above it
        (7, "up", UNCERTAIN),
        (12, "down", LIKELY),
        (2, "down", UNLIKELY),
        (7, "neutral", UNCERTAIN),
        (12, "neutral", UNLIKELY),
    ],
)
def test_the_target_is_likely_unlikely_or_uncertain_by_the_interval(target, polarity, outlook):
    found = forecast(quarterly([1, 3, 2, 4, 3, 5]), to=Quarter.from_index(START.index + 9).label)
    judged = against_target(found, target=target, label="2027", polarity=polarity)
    assert judged.outlook == outlook and judged.target == target and judged.target_label == "2027"


def test_too_few_quarters_for_a_trend_is_an_error_that_says_how_many():
    with pytest.raises(TooFewForForecast, match=r"at least 6 quarters.*there are 5"):
        forecast(quarterly([1, 2, 3, 4, 5]), to="2026-27 Q4")


def test_t_quantiles_come_from_the_table_then_the_expansion():
    assert t_quantile(4) == 2.776 and t_quantile(30) == 2.042
    assert t_quantile(60) == pytest.approx(2.000, abs=1e-3)
    assert t_quantile(1000) == pytest.approx(1.962, abs=1e-3)

"""Confidence intervals: Wilson score for percentages, normal approximation for means."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.domain.stats import (
    Z_95,
    InvalidIntervalInput,
    InvalidMeanInput,
    InvalidProportion,
    MeanSummary,
    mean_bounds,
    mean_interval,
    summarise_mean,
    wilson_bounds,
    wilson_interval,
)


def wilson_by_formula(x: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson (1927) score interval written out independently, in percent."""
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return 100 * (centre - half), 100 * (centre + half)


@pytest.mark.parametrize(("x", "n"), [(0, 10), (10, 10), (5, 10), (3, 7), (250, 1000)])
def test_wilson_interval_matches_the_formula(x, n):
    lower, upper = wilson_interval(x, n)
    expected_lower, expected_upper = wilson_by_formula(x, n)
    assert lower == pytest.approx(max(expected_lower, 0.0), abs=1e-9)
    assert upper == pytest.approx(min(expected_upper, 100.0), abs=1e-9)


def test_wilson_for_none_of_ten_starts_at_zero():
    # Upper bound for x = 0 reduces to z^2 / (n + z^2).
    assert wilson_interval(0, 10) == (0.0, pytest.approx(100 * Z_95**2 / (10 + Z_95**2)))


def test_wilson_for_all_of_ten_ends_at_one_hundred():
    assert wilson_interval(10, 10) == (pytest.approx(100 * 10 / (10 + Z_95**2)), 100.0)


def test_wilson_for_half_of_ten_is_symmetric_about_fifty():
    lower, upper = wilson_interval(5, 10)
    assert lower == pytest.approx(23.659, abs=1e-3)
    assert upper == pytest.approx(100 - lower)


@pytest.mark.parametrize(
    ("x", "n", "published"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, method 3 (score,
        # no continuity correction), given there as proportions to 4 decimals.
        (81, 263, (25.53, 36.62)),
        (15, 148, (6.24, 16.05)),
        (0, 20, (0.00, 16.11)),
        (1, 29, (0.61, 17.18)),
    ],
)
def test_wilson_interval_matches_published_examples(x, n, published):
    lower, upper = wilson_interval(x, n)
    assert (round(lower, 2), round(upper, 2)) == published


def test_zero_denominator_gives_no_interval():
    lower, upper = wilson_interval(0, 0)
    assert math.isnan(lower)
    assert math.isnan(upper)


@pytest.mark.parametrize(("x", "n"), [(-1, 10), (1, -10), (11, 10), (math.inf, 10)])
def test_impossible_proportions_are_rejected(x, n):
    with pytest.raises(InvalidProportion):
        wilson_interval(x, n)


def test_invalid_proportion_is_a_value_error():
    assert issubclass(InvalidProportion, ValueError)
    assert issubclass(InvalidProportion, InvalidIntervalInput)


def test_text_is_not_a_count():
    with pytest.raises(InvalidIntervalInput):
        wilson_interval("ten", 20)


def test_non_positive_z_is_rejected():
    with pytest.raises(InvalidIntervalInput):
        wilson_interval(1, 10, z=0)


def test_wider_confidence_gives_a_wider_interval():
    narrow = wilson_interval(30, 100, z=1.0)
    wide = wilson_interval(30, 100, z=2.575829)
    assert wide[0] < narrow[0]
    assert narrow[1] < wide[1]


def test_wilson_bounds_agrees_with_the_scalar_version_and_keeps_missing_rows():
    numerators = pd.Series([0, 3, None, 40, 0], dtype="Int64")
    denominators = pd.Series([10, 7, 12, 100, 0])
    lower, upper = wilson_bounds(numerators, denominators)
    assert isinstance(lower, np.ndarray)
    assert lower.shape == (5,)
    for i in (0, 1, 3):
        assert (lower[i], upper[i]) == pytest.approx(
            wilson_interval(int(numerators[i]), int(denominators[i]))
        )
    assert np.isnan(lower[[2, 4]]).all()
    assert np.isnan(upper[[2, 4]]).all()


def test_wilson_bounds_names_the_row_with_too_large_a_numerator():
    with pytest.raises(InvalidProportion, match="position 1"):
        wilson_bounds([1, 12], [10, 10])


def test_wilson_bounds_needs_pairs():
    with pytest.raises(InvalidProportion):
        wilson_bounds([1, 2], [10])


@given(
    st.integers(min_value=1, max_value=10**6).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_interval_contains_the_observed_percentage(pair):
    x, n = pair
    lower, upper = wilson_interval(x, n)
    assert 0.0 <= lower <= 100 * x / n + 1e-9
    assert 100 * x / n - 1e-9 <= upper <= 100.0


@given(
    st.integers(min_value=1, max_value=500),
    st.integers(min_value=2, max_value=50),
    st.data(),
)
def test_more_data_at_the_same_proportion_narrows_the_interval(n, factor, data):
    x = data.draw(st.integers(min_value=0, max_value=n))
    small = wilson_interval(x, n)
    large = wilson_interval(x * factor, n * factor)
    assert large[1] - large[0] < small[1] - small[0]


def test_mean_interval_is_mean_plus_or_minus_z_standard_errors():
    lower, upper = mean_interval(8.0, 2.5, 100)
    margin = Z_95 * 2.5 / 10
    assert (lower, upper) == pytest.approx((8.0 - margin, 8.0 + margin))


@pytest.mark.parametrize("n", [0, 1])
def test_mean_interval_needs_two_values(n):
    lower, upper = mean_interval(8.0, 0.0, n)
    assert math.isnan(lower)
    assert math.isnan(upper)


@pytest.mark.parametrize(("sd", "n"), [(-1.0, 10), (1.0, -3), (math.inf, 10)])
def test_impossible_spread_or_count_is_rejected(sd, n):
    with pytest.raises(InvalidMeanInput):
        mean_interval(8.0, sd, n)


def test_mean_bounds_works_over_columns():
    lower, upper = mean_bounds(
        pd.Series([8.0, 7.0, None]), pd.Series([2.0, 1.0, 1.0]), pd.Series([25, 1, 9])
    )
    assert lower[0] == pytest.approx(8.0 - Z_95 * 2.0 / 5)
    assert upper[0] == pytest.approx(8.0 + Z_95 * 2.0 / 5)
    assert np.isnan(lower[1:]).all()
    assert np.isnan(upper[1:]).all()


def test_summarise_mean_leaves_out_unanswered_and_uses_sample_sd():
    summary = summarise_mean([6, 8, None, 10, float("nan")])
    sd = math.sqrt(((6 - 8) ** 2 + 0 + (10 - 8) ** 2) / (3 - 1))
    margin = Z_95 * sd / math.sqrt(3)
    assert summary == MeanSummary(
        mean=8.0, lower=pytest.approx(8 - margin), upper=pytest.approx(8 + margin), n=3
    )


def test_summarise_mean_of_one_value_has_no_interval():
    summary = summarise_mean(pd.Series([9.0]))
    assert summary.mean == 9.0
    assert summary.n == 1
    assert math.isnan(summary.lower)
    assert math.isnan(summary.upper)


def test_summarise_mean_of_nothing_is_missing_not_zero():
    summary = summarise_mean([None, None])
    assert summary.n == 0
    assert math.isnan(summary.mean)


@given(st.lists(st.floats(min_value=0, max_value=12, allow_nan=False), min_size=2, max_size=200))
def test_mean_interval_contains_the_mean_and_is_symmetric(values):
    summary = summarise_mean(values)
    assert summary.n == len(values)
    assert summary.lower <= summary.mean + 1e-9
    assert summary.mean <= summary.upper + 1e-9
    assert summary.mean - summary.lower == pytest.approx(summary.upper - summary.mean, abs=1e-9)

"""A change is better or worse only when a test suited to the figure says it is real."""

from __future__ import annotations

import pytest

from measures.domain.significance import (
    BETTER,
    HIGHER,
    NO_CHANGE,
    NOT_TESTED,
    WORSE,
    Figure,
    binomial_p,
    compare,
    poisson_counts_p,
    two_proportions_p,
)


def test_a_small_rise_in_a_register_count_is_no_significant_change():
    # 55 and 52: given 107 carers in all, 55 is well within Binomial(107, 1/2).
    found = compare(Figure(55), Figure(52), unit="count", polarity="up")
    assert found.verdict == NO_CHANGE and found.difference == 3
    assert found.p_value == pytest.approx(0.8468, abs=1e-4)
    assert found.method == "exact test of two Poisson counts"


def test_a_large_rise_in_a_count_is_better_or_worse_by_polarity():
    # 3,100 against 2,900: exact two-sided p = 0.0102 (scipy.stats.binomtest agrees).
    assert poisson_counts_p(3100, 2900) == pytest.approx(0.0102, abs=1e-4)
    assert compare(Figure(3100), Figure(2900), unit="count", polarity="up").verdict == BETTER
    assert compare(Figure(3100), Figure(2900), unit="count", polarity="down").verdict == WORSE
    assert compare(Figure(3100), Figure(2900), unit="count", polarity="neutral").verdict == HIGHER


def test_percentages_use_the_two_proportion_test():
    # 60/100 against 45/100: pooled 0.525, se = sqrt(.525 x .475 x .02) = 0.07062,
    # z = 0.15 / 0.07062 = 2.124, two-sided p = 0.0337.
    assert two_proportions_p(60, 100, 45, 100) == pytest.approx(0.0337, abs=1e-4)
    later = Figure(60.0, numerator=60, denominator=100)
    assert (
        compare(
            later, Figure(45.0, numerator=45, denominator=100), unit="percent", polarity="up"
        ).verdict
        == BETTER
    )
    drop = compare(
        Figure(50.0, numerator=50, denominator=100),
        Figure(45.0, numerator=45, denominator=100),
        unit="percent",
        polarity="down",
    )
    assert drop.verdict == NO_CHANGE  # 5 points on 100 respondents is within chance


def test_a_rate_tests_its_numerators_against_their_populations():
    # 1,100 per 10,000 against 1,000 per 10,000: Binomial(2100, 1/2), p = 0.0307.
    later = Figure(11.0, numerator=1100, denominator=10000)
    earlier = Figure(10.0, numerator=1000, denominator=10000)
    found = compare(later, earlier, unit="rate", polarity="up")
    assert found.verdict == BETTER and found.p_value == pytest.approx(0.0307, abs=1e-4)
    assert found.p_value == pytest.approx(binomial_p(1100, 2100, 0.5))


def test_means_are_compared_by_their_intervals():
    # Standard errors (8.2 - 7.4) / 3.92 = 0.2041 each; z = 0.4 / 0.2887 = 1.386: not significant.
    later = Figure(7.8, lower_ci=7.4, upper_ci=8.2)
    earlier = Figure(7.4, lower_ci=7.0, upper_ci=7.8)
    assert compare(later, earlier, unit="mean", polarity="up").verdict == NO_CHANGE
    wide_apart = Figure(8.6, lower_ci=8.2, upper_ci=9.0)
    assert compare(wide_apart, earlier, unit="mean", polarity="up").verdict == BETTER


def test_a_stated_baseline_is_judged_by_the_other_figure_s_interval():
    later = Figure(7.8, lower_ci=7.4, upper_ci=8.2)
    assert compare(later, Figure(7.5), unit="mean", polarity="up").verdict == NO_CHANGE
    assert compare(later, Figure(7.0), unit="mean", polarity="up").verdict == BETTER


def test_without_counts_or_intervals_a_change_is_not_tested_and_never_coloured():
    found = compare(Figure(60.0), Figure(40.0), unit="percent", polarity="up")
    assert found.verdict == NOT_TESTED and not found.significant


def test_figures_come_from_stored_rows_with_missing_parts_left_out():
    row = {"value": 12.5, "numerator": 5, "denominator": 40, "lower_ci": float("nan")}
    assert Figure.from_row(row) == Figure(12.5, numerator=5, denominator=40)
    assert Figure.from_row({"value": float("nan")}) is None

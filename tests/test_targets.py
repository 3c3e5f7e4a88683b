"""Targets, trajectories and status (SPEC section 5), with values worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from carers_impact.periods import InvalidPeriod, Quarter
from measures.domain.targets import (
    CLOSE,
    NO_TARGET,
    NOT_ENOUGH_DATA,
    OFF_TRACK,
    ON_TRACK,
    BadTargetChange,
    Baseline,
    Change,
    Target,
    assess,
    parse_change,
    parse_period,
    period_quarter,
    resolve_target,
    status,
    trajectory,
)

# -- periods and changes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2025", "2024-25 Q4"),  # a "2025 target" means by the end of 2024-25
        ("2027", "2026-27 Q4"),
        ("2024-25 Q1", "2024-25 Q1"),
        ("2024/25 Q1", "2024-25 Q1"),
        ("2024-25_Q3", "2024-25 Q3"),
        ("2024-25", "2024-25"),
        (Quarter(2021, 4), "2021-22 Q4"),
    ],
)
def test_periods_are_read_in_every_accepted_spelling(text, label):
    assert parse_period(text) == label


@pytest.mark.parametrize("text", ["2024-26", "Q1 2024", "25", "2024-25 Q5", ""])
def test_a_period_that_is_not_one_is_refused(text):
    with pytest.raises(InvalidPeriod):
        parse_period(text)


def test_a_financial_year_stands_for_its_last_quarter():
    assert period_quarter("2024-25") == Quarter(2024, 4)
    assert period_quarter("2025") == Quarter(2024, 4)


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("+20%", Change(20, "percent")),
        ("-5", Change(-5, "points")),
        (" +0.5 ", Change(0.5, "points")),
        ("-2.5 %", Change(-2.5, "percent")),
    ],
)
def test_changes_from_baseline_are_parsed(text, change):
    assert parse_change(text) == change


@pytest.mark.parametrize("text", ["20%", "+", "plus 5", "+-5", "+20 percent", "5"])
def test_a_change_without_a_sign_and_a_number_is_refused(text):
    with pytest.raises(BadTargetChange, match=r"e\.g\. '\+20%'"):
        parse_change(text)


@pytest.mark.parametrize(
    ("baseline", "value", "change", "expected"),
    [
        (2000, 3500, None, 3500),  # absolute: the baseline does not matter
        (None, 3500, None, 3500),
        (2000, None, "+20%", 2400),
        (30, None, "-5", 25),  # points
        (8.0, None, "-10%", 7.2),
        (None, None, "+20%", None),  # relative without a baseline value
    ],
)
def test_targets_resolve_to_values(baseline, value, change, expected):
    got = resolve_target(baseline, value=value, change=change)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_a_target_has_a_value_or_a_change_but_not_both():
    with pytest.raises(ValueError):
        Target("2024-25 Q4", value=10, change="+1")
    with pytest.raises(ValueError):
        Target("2024-25 Q4")
    with pytest.raises(BadTargetChange):
        Target("2024-25 Q4", change="twenty percent")


def test_a_baseline_is_stated_or_computed_but_not_both():
    with pytest.raises(ValueError):
        Baseline("2021-22 Q4", value=7.7, computed=True)
    with pytest.raises(ValueError):
        Baseline("2021-22 Q4")


# -- trajectory ------------------------------------------------------------------------

# Baseline 100 at 2021-22 Q4; 112 by 2024-25 Q4 (12 quarters: +1 a quarter); 120 by
# 2026-27 Q4 (8 quarters: +1 a quarter).
LINE = trajectory("2021-22 Q4", 100, [("2026-27 Q4", 120), ("2024-25 Q4", 112)])


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2021-22 Q4", 100),
        ("2022-23 Q1", 101),
        ("2023-24 Q2", 106),
        ("2023-24", 108),  # a financial year: its Q4
        ("2024-25 Q4", 112),
        ("2025-26 Q2", 114),
        ("2026-27 Q4", 120),
        ("2028-29 Q1", 120),  # after the last target the expectation stays there
    ],
)
def test_the_trajectory_is_a_straight_line_to_each_target_in_turn(period, expected):
    assert LINE(period) == pytest.approx(expected)


def test_there_is_no_expectation_before_the_baseline():
    assert LINE("2021-22 Q3") is None


def test_the_trajectory_as_a_series_of_quarters():
    series = LINE.series("2021-22 Q3", "2022-23 Q2")
    assert list(series.index) == ["2021-22 Q3", "2021-22 Q4", "2022-23 Q1", "2022-23 Q2"]
    assert math.isnan(series.iloc[0])
    assert list(series.iloc[1:]) == [100, 101, 102]


def test_a_falling_trajectory():
    line = trajectory("2022-23 Q4", 8.0, [("2024-25 Q4", 6.0)])  # -0.25 a quarter
    assert line("2023-24 Q2") == pytest.approx(7.5)


def test_a_target_due_before_its_baseline_is_refused():
    with pytest.raises(ValueError, match="must come after"):
        trajectory("2024-25 Q4", 100, [("2023-24 Q4", 110)])


# -- status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "polarity", "tolerance", "verdict"),
    [
        # up: higher is better
        (100, 100, "up", 0.05, ON_TRACK),  # exactly on the trajectory
        (101, 100, "up", 0.05, ON_TRACK),
        (99, 100, "up", 0.05, CLOSE),
        (95, 100, "up", 0.05, CLOSE),  # exactly at the tolerance edge
        (94.99, 100, "up", 0.05, OFF_TRACK),
        (90, 100, "up", 0.10, CLOSE),
        (89.9, 100, "up", 0.10, OFF_TRACK),
        # down: lower is better
        (100, 100, "down", 0.05, ON_TRACK),
        (99, 100, "down", 0.05, ON_TRACK),
        (101, 100, "down", 0.05, CLOSE),
        (105, 100, "down", 0.05, CLOSE),
        (105.01, 100, "down", 0.05, OFF_TRACK),
        (3.3, 3.0, "down", 0.10, CLOSE),  # 3.0 + 10% of 3.0, despite float rounding
        # neutral: closeness either way, no close band
        (100, 100, "neutral", 0.05, ON_TRACK),
        (105, 100, "neutral", 0.05, ON_TRACK),
        (95, 100, "neutral", 0.05, ON_TRACK),
        (105.01, 100, "neutral", 0.05, OFF_TRACK),
        (94.9, 100, "neutral", 0.05, OFF_TRACK),
        # a target of zero leaves no room for "close"
        (0, 0, "down", 0.05, ON_TRACK),
        (0.1, 0, "down", 0.05, OFF_TRACK),
        # nothing to compare
        (None, 100, "up", 0.05, NOT_ENOUGH_DATA),
        (float("nan"), 100, "up", 0.05, NOT_ENOUGH_DATA),
        (100, None, "up", 0.05, NO_TARGET),
    ],
)
def test_status_against_the_trajectory(value, expected, polarity, tolerance, verdict):
    got = status(value, expected=expected, polarity=polarity, tolerance=tolerance)
    assert got == verdict


def test_status_needs_a_known_polarity():
    with pytest.raises(ValueError, match="polarity"):
        status(1, expected=1, polarity="sideways")  # type: ignore[arg-type]


def test_values_exactly_on_a_computed_trajectory_and_its_edge():
    target = Target("2024-25 Q4", change="+20%").resolve(2289)  # 2746.8
    line = trajectory("2021-22 Q4", 2289, [("2024-25 Q4", target)])
    on_line = 2289 + 457.8 * 6 / 12  # 2023-24 Q2, half way: 2517.9
    assert status(on_line, expected=line("2023-24 Q2"), polarity="up") == ON_TRACK
    edge = on_line * 0.95
    assert status(edge, expected=line("2023-24 Q2"), polarity="up") == CLOSE
    assert status(edge - 0.01, expected=line("2023-24 Q2"), polarity="up") == OFF_TRACK


# -- assess ----------------------------------------------------------------------------

KNOWN = {"2021-22 Q4": 200, "2022-23 Q4": 215, "2023-24 Q2": 225, "2023-24 Q4": 240}
RELATIVE = [Target("2024-25 Q4", change="+20%", label="2025"), Target("2026-27 Q4", change="+35%")]


def test_assess_with_a_computed_baseline_and_relative_targets():
    result = assess(
        KNOWN,
        baseline=Baseline("2021-22 Q4", computed=True),
        targets=RELATIVE,
        polarity="up",
    )
    # targets 240 by 2024-25 Q4 and 270 by 2026-27 Q4; 2023-24 Q4 is 8 of 12 quarters in
    assert result.baseline_value == 200
    assert result.target_2025 == pytest.approx(240)
    assert result.target_2027 == pytest.approx(270)
    assert result.targets == (
        ("2024-25 Q4", pytest.approx(240)),
        ("2026-27 Q4", pytest.approx(270)),
    )
    assert result.latest_period == "2023-24 Q4"
    assert result.latest_value == 240
    assert result.expected == pytest.approx(200 + 40 * 8 / 12)
    assert result.change_on_baseline == 40
    assert result.status == ON_TRACK


def test_assess_a_given_period_rather_than_the_latest():
    result = assess(
        KNOWN,
        baseline=Baseline("2021-22 Q4", computed=True),
        targets=RELATIVE,
        polarity="up",
        latest_period="2023-24 Q2",
    )
    # expected at 2023-24 Q2: 200 + 40 * 6 / 12 = 220; 225 is above it
    assert (result.latest_value, result.expected, result.status) == (225, 220, ON_TRACK)


def test_assess_a_falling_measure_with_a_stated_baseline():
    values = pd.Series([6.0, 5.1], index=[Quarter(2023, 4), Quarter(2024, 4)])
    result = assess(
        values,
        baseline=Baseline("2022-23 Q4", value=6.0, source="local audit"),
        targets=[Target("2024-25 Q4", change="-1")],
        polarity="down",
        tolerance=0.05,
    )
    # 6.0 to 5.0 over 8 quarters; at 2024-25 Q4 expected 5.0, 5.1 is within 5%
    assert result.expected == pytest.approx(5.0)
    assert result.status == CLOSE


def test_a_baseline_over_a_financial_year_takes_the_years_value():
    values = {"2021-22": 7.4, "2021-22 Q4": 9.9, "2022-23 Q4": 7.6}
    result = assess(
        values,
        baseline=Baseline("2021-22", computed=True),
        targets=[Target("2022-23 Q4", value=7.8)],
        polarity="up",
        tolerance=0.03,
    )
    assert result.baseline_value == 7.4
    assert result.latest_period == "2022-23 Q4"
    assert result.status == CLOSE  # 7.6 is within 3% of 7.8


@pytest.mark.parametrize(
    ("values", "baseline", "targets", "latest", "verdict"),
    [
        (KNOWN, Baseline("2021-22 Q4", computed=True), [], None, NO_TARGET),
        (KNOWN, None, [], None, NO_TARGET),
        ({}, Baseline("2021-22 Q4", computed=True), RELATIVE, None, NOT_ENOUGH_DATA),
        (KNOWN, Baseline("2019-20 Q4", computed=True), RELATIVE, None, NOT_ENOUGH_DATA),
        (KNOWN, Baseline("2021-22 Q4", computed=True), RELATIVE, "2025-26 Q1", NOT_ENOUGH_DATA),
        ({"2021-22 Q4": None}, Baseline("2021-22 Q4", value=1.0), RELATIVE, None, NOT_ENOUGH_DATA),
    ],
    ids=[
        "no targets",
        "no baseline or targets",
        "no values",
        "no baseline value",
        "no value for the period asked",
        "blank values",
    ],
)
def test_assess_says_when_there_is_nothing_to_judge(values, baseline, targets, latest, verdict):
    result = assess(values, baseline=baseline, targets=targets, polarity="up", latest_period=latest)
    assert result.status == verdict


def test_targets_named_by_another_period_are_not_the_2025_or_2027_targets():
    result = assess(
        {"2023-24 Q4": 100, "2025-26 Q2": 105},
        baseline=Baseline("2023-24 Q4", computed=True),
        targets=[
            Target("2026-27 Q4", change="+20%", label="2027"),
            Target("2028-29 Q4", change="+40%", label="2029"),
        ],
        polarity="up",
    )
    assert result.target_2025 is None
    assert result.target_2027 == pytest.approx(120)
    assert result.expected == pytest.approx(110)  # 6 of 12 quarters to 120
    assert result.status == CLOSE  # 105 is within 5% of 110


def test_a_relative_target_is_resolved_from_the_baseline_as_published():
    """One rule in both views: the internal 2,291 and the public 2,290 give one target."""
    baseline = Baseline(period="2021-22 Q4", computed=True)
    targets = [Target(period="2024-25 Q4", change="+20%")]
    internal = assess(
        {"2021-22 Q4": 2291.0}, baseline=baseline, targets=targets, polarity="up", unit="count"
    )
    public = assess(
        {"2021-22 Q4": 2290.0}, baseline=baseline, targets=targets, polarity="up", unit="count"
    )
    assert internal.targets == public.targets == (("2024-25 Q4", 2748.0),)
    assert internal.baseline_value == 2291.0  # the internal view still shows the exact baseline
    percent = assess(
        {"2021-22 Q4": 45.26}, baseline=baseline, targets=targets, polarity="up", unit="percent"
    )
    assert percent.targets == (("2024-25 Q4", pytest.approx(45.3 * 1.2)),)

"""SPC charts (SPEC section 6): limits, the four special-cause rules, conventions,
icons, run charts, and real NHS A&E series."""

from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.spc import (
    EmptySeries,
    GapInSeries,
    InvalidTarget,
    NonNumericValues,
    SPCInputError,
    TooFewValues,
    UnknownChange,
    UnknownPolarity,
    run_chart,
    spc_chart,
    xmr,
)

AE_SAMPLE = Path(__file__).resolve().parents[1] / "data/reference/nhs_ae_type1_sample.csv"

# What a high / low special cause means under each polarity.
HIGH = {"up": "improvement", "down": "concern", "neutral": ""}
LOW = {"up": "concern", "down": "improvement", "neutral": ""}
PRECEDENCE = ["trend", "shift", "two_of_three", "outside_limits"]


def limits_by_definition(values):
    """(mean, distance from mean to a limit), straight from the Making Data Count
    definition: 2.66 x the mean moving range, leaving out moving ranges above
    3.267 x the mean of all of them."""
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in pairwise(values)]
    screen = 3.267 * (sum(ranges) / len(ranges))
    kept = [r for r in ranges if r <= screen]
    return mean, 2.66 * (sum(kept) / len(kept))


def mirrored(values, about):
    """The series reflected about a level: highs become lows, rises become falls."""
    return [2 * about - v for v in values]


def flagged(frame):
    """{position: (rule, direction)} of the flagged points."""
    return {
        i: (rule, direction)
        for i, (rule, direction) in enumerate(zip(frame["rule"], frame["direction"], strict=True))
        if rule
    }


def rules_satisfied(values):
    """For each point, {rule: direction} of every rule it satisfies, by brute force
    over windows (a different route from the implementation's run lengths)."""
    mean, width = limits_by_definition(values)
    n = len(values)

    def side(v):
        return (v > mean) - (v < mean)

    def in_band(v):
        return 2 / 3 * width < abs(v - mean) <= width

    found = [{} for _ in values]
    for start in range(n - 6):  # 7-point windows, earliest first
        window = values[start : start + 7]
        steps = {(b > a) - (b < a) for a, b in pairwise(window)}
        sides = {side(v) for v in window}
        for i in range(start, start + 7):
            if len(steps) == 1 and 0 not in steps:
                found[i].setdefault("trend", next(iter(steps)))
            if len(sides) == 1 and 0 not in sides:
                found[i]["shift"] = next(iter(sides))
    for start in range(n - 2):
        window = values[start : start + 3]
        sides = {side(v) for v in window}
        if len(sides) == 1 and 0 not in sides and sum(map(in_band, window)) >= 2:
            for i in range(start, start + 3):
                if in_band(values[i]):
                    found[i]["two_of_three"] = side(values[i])
    for i, v in enumerate(values):
        if abs(v - mean) > width:
            found[i]["outside_limits"] = side(v)
    return found


def assert_agrees_with_definition(frame, values):
    """Every flagged point satisfies a rule, every point satisfying one is
    flagged, named after the first rule in precedence order, and takes that
    rule's direction."""
    expected = {}
    for i, rules in enumerate(rules_satisfied(values)):
        if rules:
            rule = next(r for r in PRECEDENCE if r in rules)
            expected[i] = (rule, {1: "high", -1: "low"}[rules[rule]])
    assert flagged(frame) == expected


# --- limits ------------------------------------------------------------------


def test_limits_are_mean_plus_or_minus_2_66_mean_moving_ranges():
    # mean (1 + 3 + 2 + 6) / 4 = 3; moving ranges 2, 1, 4, mean 7/3, none above
    # 3.267 x 7/3 = 7.6; limits 3 -/+ 2.66 x 7/3.
    frame = xmr([1, 3, 2, 6])
    assert frame["mean"].tolist() == [3.0] * 4
    assert frame["lower_limit"].tolist() == pytest.approx([3 - 2.66 * 7 / 3] * 4)
    assert frame["upper_limit"].tolist() == pytest.approx([3 + 2.66 * 7 / 3] * 4)
    assert frame["moving_range"].tolist()[1:] == [2, 1, 4]
    assert np.isnan(frame["moving_range"].iloc[0])


def test_moving_ranges_above_3_267_times_their_mean_are_left_out():
    # Nine moving ranges of 1 and one of 29: mean 3.8, screen 3.267 x 3.8 = 12.4,
    # so the 29 is left out and the mean moving range is 1, not 3.8.
    values = [10, 11] * 5 + [40]
    frame = xmr(values)
    mean = sum(values) / 11
    assert frame["upper_limit"].iloc[0] == pytest.approx(mean + 2.66 * 1)
    assert frame["lower_limit"].iloc[0] == pytest.approx(mean - 2.66 * 1)


def test_moving_ranges_are_screened_once_not_until_stable():
    # 18 ranges of 1, one of 10, one of 100: mean 128 / 20 = 6.4, screen 20.9
    # drops the 100; the 10 stays although it is above 3.267 x the new mean
    # (28 / 19 = 1.47), because the mean of the remainder is taken only once.
    values = [0, 1] * 9 + [0, 10, 110]
    frame = xmr(values)
    assert frame["upper_limit"].iloc[0] - frame["mean"].iloc[0] == pytest.approx(2.66 * 28 / 19)


# --- one series per rule -----------------------------------------------------

NO_SIGNAL = [10, 12] * 6  # mean 11, every moving range 2: limits 11 -/+ 5.32
# Mean (12 x 22 + 40) / 25 = 12.16; 22 ranges of 4 and two (27, 31) above
# 3.267 x 146 / 24 = 19.9, so the mean moving range is 4: limits 12.16 -/+ 10.64.
SPIKE = [9, 13] * 6 + [40] + [9, 13] * 6
# Mean 10 + 3/17; seven points above it at positions 5-11, between lows.
SHIFT = [7, 11, 7, 11, 7, *[12, 13, 12, 13, 12, 13, 12], 7, 11, 7, 11, 7]
# Mean 11; positions 4-10 rise 8, 9, ..., 14 (crossing the mean).
TREND = [9, 13, 9, 13, *[8, 9, 10, 11, 12, 13, 14], 9, 13, 9, 13]
# Mean 0 by symmetry; 21 ranges of 22, four of 144 and four of 103 sum to 1450
# over 29 ranges: mean moving range 50 exactly, limits -/+ 133 exactly, and the
# 2-of-3 band from 88.7 to 133. Positions 7-9 are 133, 30, 133; 20-22 mirror them.
_HALF = [-11, 11] * 3 + [-11, 133, 30, 133] + [-11, 11, -11, 11, -11]
TWO_OF_THREE = _HALF + mirrored(_HALF[::-1], 0)


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_a_series_without_special_cause_flags_nothing(polarity):
    frame = xmr(NO_SIGNAL, polarity=polarity)
    assert frame["lower_limit"].iloc[0] == pytest.approx(11 - 2.66 * 2)
    assert flagged(frame) == {}
    assert set(frame["special_cause"]) == {""}
    assert frame.attrs["variation"] == "common_cause"


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_a_point_above_the_upper_limit_is_a_high_special_cause(polarity):
    mean, width = limits_by_definition(SPIKE)
    assert (mean, width) == pytest.approx((12.16, 2.66 * 4))
    frame = xmr(SPIKE, polarity=polarity)
    assert flagged(frame) == {12: ("outside_limits", "high")}
    assert frame["special_cause"].iloc[12] == HIGH[polarity]
    assert (frame["special_cause"].drop(frame.index[12]) == "").all()


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_a_point_below_the_lower_limit_is_a_low_special_cause(polarity):
    frame = xmr(mirrored(SPIKE, 11), polarity=polarity)
    assert flagged(frame) == {12: ("outside_limits", "low")}
    assert frame["special_cause"].iloc[12] == LOW[polarity]


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_seven_points_above_the_mean_are_all_flagged_as_a_shift(polarity):
    frame = xmr(SHIFT, polarity=polarity)
    assert flagged(frame) == {i: ("shift", "high") for i in range(5, 12)}
    assert frame["special_cause"].iloc[5:12].tolist() == [HIGH[polarity]] * 7


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_seven_points_below_the_mean_are_all_flagged_as_a_shift(polarity):
    frame = xmr(mirrored(SHIFT, 10), polarity=polarity)
    assert flagged(frame) == {i: ("shift", "low") for i in range(5, 12)}
    assert frame["special_cause"].iloc[5:12].tolist() == [LOW[polarity]] * 7


def test_six_points_on_one_side_of_the_mean_are_not_a_shift():
    assert flagged(xmr(SHIFT[:5] + SHIFT[6:])) == {}


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_seven_rising_points_are_all_flagged_as_a_rising_trend(polarity):
    frame = xmr(TREND, polarity=polarity)
    # 8, 9 and 10 are below the mean of 11, but a trend takes its own direction.
    assert flagged(frame) == {i: ("trend", "high") for i in range(4, 11)}
    assert frame["special_cause"].iloc[4:11].tolist() == [HIGH[polarity]] * 7


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_seven_falling_points_are_all_flagged_as_a_falling_trend(polarity):
    frame = xmr(mirrored(TREND, 11), polarity=polarity)
    assert flagged(frame) == {i: ("trend", "low") for i in range(4, 11)}
    assert frame["special_cause"].iloc[4:11].tolist() == [LOW[polarity]] * 7


def test_six_rising_points_are_not_a_trend():
    assert flagged(xmr(TREND[:10] + TREND[11:])) == {}


@pytest.mark.parametrize("polarity", ["up", "down", "neutral"])
def test_two_of_three_near_a_limit_flags_only_the_points_near_the_limit(polarity):
    assert limits_by_definition(TWO_OF_THREE) == (0, 133)
    frame = xmr(TWO_OF_THREE, polarity=polarity)
    assert frame["upper_limit"].iloc[0] == 133
    # 133 sits on the limit: inside the 2-of-3 band, not outside the limits.
    # The 30 between the pair is on the same side but not in the band.
    assert flagged(frame) == {
        7: ("two_of_three", "high"),
        9: ("two_of_three", "high"),
        20: ("two_of_three", "low"),
        22: ("two_of_three", "low"),
    }
    assert frame["special_cause"].iloc[[7, 9, 20, 22]].tolist() == [
        HIGH[polarity],
        HIGH[polarity],
        LOW[polarity],
        LOW[polarity],
    ]


def test_two_of_three_needs_all_three_points_on_the_same_side_of_the_mean():
    # Same shape with the middle point of each pair on the other side of the mean.
    half = [*_HALF[:8], -30, *_HALF[9:]]
    values = half + mirrored(half[::-1], 0)
    mean, width = limits_by_definition(values)
    assert 2 / 3 * width < 133 - mean <= width  # the pair is still in the band
    assert flagged(xmr(values)) == {}


# --- conventions -------------------------------------------------------------


def test_a_point_exactly_on_the_mean_breaks_a_run():
    # Mean exactly 10: lows total -14 around a run whose offsets total +14.
    on_mean = [7, 11, 7, 11, 7, *[12, 13, 12, 10, 12, 13, 12], 7, 11, 7, 11, 7]
    assert sum(on_mean) / len(on_mean) == 10
    assert flagged(xmr(on_mean)) == {}
    off_mean = [*on_mean[:8], 12, *on_mean[9:]]
    assert flagged(xmr(off_mean)) == {i: ("shift", "high") for i in range(5, 12)}


def test_an_unchanged_value_breaks_a_trend():
    values = [9, 13, 9, 13, *[8, 9, 10, 10, 11, 12, 13, 14], 9, 13, 9, 13]
    assert flagged(xmr(values)) == {}


def test_a_long_trend_is_flagged_end_to_end():
    values = [9, 13, 9, 13, *[4, 6, 8, 10, 12, 14, 16, 18, 20], 9, 13]
    frame = xmr(values)
    assert [i for i, (rule, _) in flagged(frame).items() if rule == "trend"] == list(range(4, 13))


def test_trend_beats_shift_beats_outside_limits_where_they_disagree():
    # A fall from 35 (above the upper limit) to 9, all above the mean, then a
    # repeated 9: outside the limits and the shift say high, the trend says low.
    base = [0, 8] * 3 + [0]
    values = [*base, 35, 14, 13, 12, 11, 10, 9, 9, *base]
    mean, width = limits_by_definition(values)
    assert mean + width < 35 and min(values[7:15]) > mean
    frame = xmr(values, polarity="up")
    assert flagged(frame) == {
        **{i: ("trend", "low") for i in range(7, 14)},
        14: ("shift", "high"),
    }
    assert frame["special_cause"].iloc[7:15].tolist() == ["concern"] * 7 + ["improvement"]


def test_a_peak_shared_by_two_trends_takes_the_direction_of_the_one_it_ends():
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    frame = xmr(values)
    assert frame["rule"].tolist() == ["trend"] * 13
    assert frame["direction"].tolist() == ["high"] * 7 + ["low"] * 6


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=40))
def test_flags_agree_with_the_rules_checked_window_by_window(values):
    assert_agrees_with_definition(xmr(values), values)


# --- variation icon and assurance --------------------------------------------


@pytest.mark.parametrize(
    ("values", "polarity", "icon"),
    [
        (TREND[:11], "up", "special_cause_improvement"),
        (TREND[:11], "down", "special_cause_concern"),
        (TREND[:11], "neutral", "special_cause_neutral_high"),
        (mirrored(TREND[:11], 11), "up", "special_cause_concern"),
        (mirrored(TREND[:11], 11), "neutral", "special_cause_neutral_low"),
        (TREND, "up", "common_cause"),
    ],
)
def test_variation_icon_describes_the_latest_point(values, polarity, icon):
    assert xmr(values, polarity=polarity).attrs["variation"] == icon


@pytest.mark.parametrize(
    ("target", "polarity", "assurance"),
    [  # NO_SIGNAL's limits are 5.68 and 16.32
        (5, "up", "consistently pass"),
        (17, "up", "consistently fail"),
        (5, "down", "consistently fail"),
        (17, "down", "consistently pass"),
        (11, "up", "hit and miss"),
        (11, "down", "hit and miss"),
        (11, "neutral", "hit and miss"),
        (17, "neutral", None),
        (None, "up", None),
    ],
)
def test_assurance_compares_the_target_with_the_limits(target, polarity, assurance):
    assert xmr(NO_SIGNAL, polarity=polarity, target=target).attrs["assurance"] == (assurance)


def test_a_target_on_a_limit_is_hit_and_miss():
    upper = xmr(NO_SIGNAL)["upper_limit"].iloc[0]
    assert xmr(NO_SIGNAL, target=upper).attrs["assurance"] == "hit and miss"


# --- inputs ------------------------------------------------------------------


def test_a_series_keeps_its_index_and_a_list_is_numbered():
    quarters = pd.Index([f"2022-23 Q{q}" for q in range(1, 5)] * 3, name="period")
    frame = xmr(pd.Series(NO_SIGNAL, index=quarters))
    assert frame.index.equals(quarters)
    assert frame["value"].tolist() == NO_SIGNAL
    assert xmr(np.array(NO_SIGNAL)).index.tolist() == list(range(12))


def test_missing_values_at_either_end_are_dropped_keeping_the_index():
    values = pd.Series([np.nan, *NO_SIGNAL, np.nan, np.nan], index=range(100, 115))
    frame = xmr(values)
    assert frame.index.tolist() == list(range(101, 113))
    assert frame["mean"].iloc[0] == 11


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([], EmptySeries, "no values"),
        ([np.nan, None], EmptySeries, "missing"),
        ([1, 2, np.nan, 4], GapInSeries, "missing at 2"),
        ([1, "2", 3], NonNumericValues, "1 ('2')"),
        ([1, True, 3], NonNumericValues, "not"),
        ([1, np.inf, 3], NonNumericValues, "infinite"),
        ([[1, 2], [3, 4]], NonNumericValues, "one-dimensional"),
        ("123", NonNumericValues, "one-dimensional"),
        ([5], TooFewValues, "at least 2"),
    ],
)
def test_bad_values_raise_a_specific_error(values, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        xmr(values)
    assert issubclass(error, SPCInputError) and issubclass(error, ValueError)


def test_a_gap_is_named_by_its_index_label():
    values = pd.Series([1.0, np.nan, 3.0], index=["2024-25 Q1", "2024-25 Q2", "Q3"])
    with pytest.raises(GapInSeries, match="2024-25 Q2"):
        xmr(values)


def test_bad_options_raise_a_specific_error():
    with pytest.raises(UnknownPolarity, match="'higher'"):
        xmr(NO_SIGNAL, polarity="higher")
    with pytest.raises(InvalidTarget, match="'95%'"):
        xmr(NO_SIGNAL, target="95%")
    with pytest.raises(InvalidTarget):
        xmr(NO_SIGNAL, target=float("nan"))


# --- run charts and choosing the chart ---------------------------------------


def test_run_chart_flags_six_points_on_one_side_of_the_median():
    frame = run_chart([8, 9, 8, 9, 8, 9, 2, 3, 2, 3, 2, 3], polarity="up")
    assert frame["median"].iloc[0] == 5.5
    assert flagged(frame) == {
        **{i: ("shift", "high") for i in range(6)},
        **{i: ("shift", "low") for i in range(6, 12)},
    }
    assert frame["special_cause"].tolist() == ["improvement"] * 6 + ["concern"] * 6


def test_run_chart_needs_six_for_a_shift():
    assert flagged(run_chart([8, 9, 8, 9, 9, 2, 3, 2, 3, 2])) == {}


def test_run_chart_skips_a_point_on_the_median_without_breaking_the_shift():
    frame = run_chart([8, 9, 8, 2, 3, 2, 5, 3, 2, 3, 9, 8, 9])
    assert frame["median"].iloc[0] == 5
    assert flagged(frame) == {i: ("shift", "low") for i in (3, 4, 5, 7, 8, 9)}


def test_run_chart_flags_five_rising_points_and_a_repeat_does_not_break_them():
    frame = run_chart([5, 3, 4, 4, 5, 6, 7, 2, 9], polarity="down")
    assert flagged(frame) == {i: ("trend", "high") for i in range(1, 7)}
    assert frame["special_cause"].iloc[1:7].tolist() == ["concern"] * 6


def test_run_chart_needs_five_for_a_trend():
    assert flagged(run_chart([5, 3, 4, 5, 6, 2, 9])) == {}


def test_fewer_than_twelve_values_give_a_run_chart_and_say_why():
    chart = spc_chart([np.nan, *NO_SIGNAL[:8]])
    assert chart.kind == "run"
    assert "median" in chart.frame and "upper_limit" not in chart.frame
    assert chart.reason == (
        "Only 8 quarters of data: a control chart needs at least 12, so this is a run chart."
    )


def test_twelve_values_give_an_xmr_chart():
    chart = spc_chart(NO_SIGNAL, polarity="down", target=5)
    assert chart.kind == "xmr"
    assert chart.frame.attrs["assurance"] == "consistently fail"
    assert "12 quarters" in chart.reason


def test_the_minimum_and_the_period_name_can_be_changed():
    chart = spc_chart(NO_SIGNAL[:1], min_points=6, period="month")
    assert chart.kind == "run"
    assert chart.reason.startswith("Only 1 month of data:")
    assert spc_chart(NO_SIGNAL[:6], min_points=6).kind == "xmr"


# --- real NHS series ---------------------------------------------------------


@pytest.fixture(scope="module")
def four_hour_performance():
    """Share of type 1 A&E attendances seen within four hours, by trust and month."""
    ae = pd.read_csv(AE_SAMPLE, parse_dates=["period"])
    ae["performance"] = 1 - ae["breaches"] / ae["attendances"]
    return {org: rows.set_index("period")["performance"] for org, rows in ae.groupby("org_code")}


@pytest.mark.parametrize("org", ["R1H", "RYJ", "RJ6", "RQM"])
def test_real_series_keep_the_invariants(four_hour_performance, org):
    series = four_hour_performance[org]
    frame = xmr(series, polarity="up", target=0.95)
    _, width = limits_by_definition(series.tolist())
    assert len(frame) == 36 and frame.index.equals(series.index)
    assert frame["mean"].iloc[0] == pytest.approx(series.mean())
    assert (frame["upper_limit"] - frame["mean"]).tolist() == pytest.approx([width] * 36)
    assert (frame["mean"] - frame["lower_limit"]).tolist() == pytest.approx([width] * 36)
    assert_agrees_with_definition(frame, series.tolist())
    assert (frame["special_cause"] != "").sum() == (frame["rule"] != "").sum()


def test_real_series_two_of_three(four_hour_performance):
    # R1H, July and August 2017 (84.2%, 84.5%): both between two thirds of the
    # way to the upper limit and the limit, with June 2017 (85.6%, outside the
    # limit) and September 2017 (81.4%) above the mean of 79.8%.
    series = four_hour_performance["R1H"]
    mean, width = limits_by_definition(series.tolist())
    pair = series["2017-07-01":"2017-08-01"]
    assert ((pair - mean > 2 / 3 * width) & (pair - mean <= width)).all()
    assert series["2017-06-01"] > mean + width and series["2017-09-01"] > mean
    frame = xmr(series, polarity="up")
    assert frame.loc["2017-07-01":"2017-08-01", "rule"].tolist() == ["two_of_three"] * 2
    assert frame.loc["2017-07-01":"2017-08-01", "special_cause"].tolist() == ["improvement"] * 2
    assert frame.loc["2017-06-01", "rule"] == "outside_limits"


def test_real_series_falling_trend_overrides_the_side_of_the_mean(
    four_hour_performance,
):
    # R1H fell every month from August 2018 to February 2019 (80.8% to 72.6%),
    # then rose in March; the first two months are still above the mean and
    # January 2019 is below the lower limit, but all seven are a falling trend.
    series = four_hour_performance["R1H"]
    mean, width = limits_by_definition(series.tolist())
    fall = series["2018-08-01":"2019-02-01"]
    assert len(fall) == 7 and (fall.diff().dropna() < 0).all()
    assert series["2019-03-01"] > series["2019-02-01"]
    assert (fall.iloc[:2] > mean).all() and fall["2019-01-01"] < mean - width
    frame = xmr(series, polarity="up")
    assert frame.loc["2018-08-01":"2019-02-01", "rule"].tolist() == ["trend"] * 7
    assert set(frame.loc["2018-08-01":"2019-02-01", "special_cause"]) == {"concern"}
    # March 2019 is below the lower limit but ends no trend.
    assert frame.loc["2019-03-01", ["rule", "special_cause"]].tolist() == [
        "outside_limits",
        "concern",
    ]
    assert frame.attrs["variation"] == "special_cause_concern"


def test_real_series_rising_trend_from_below_the_lower_limit_is_an_improvement(
    four_hour_performance,
):
    # RYJ, December 2016 (64.7%) is below the lower limit but starts seven
    # months of rises to June 2017: the trend's direction wins.
    series = four_hour_performance["RYJ"]
    mean, width = limits_by_definition(series.tolist())
    rise = series["2016-12-01":"2017-06-01"]
    assert len(rise) == 7 and (rise.diff().dropna() > 0).all()
    assert rise.iloc[0] < mean - width
    frame = xmr(series, polarity="up")
    assert frame.loc["2016-12-01", ["rule", "special_cause"]].tolist() == [
        "trend",
        "improvement",
    ]


# --- limits recalculated at known process changes ----------------------------

# Two processes of five quarters each. By hand:
# segment 0: 10 12 11 13 12, mean 58 / 5 = 11.6, moving ranges 2 1 2 1 (mean 1.5, none
#   above 3.267 x 1.5 = 4.9), limits 11.6 -/+ 2.66 x 1.5 = 11.6 -/+ 3.99 = 7.61 to 15.59;
# segment 1: 20 22 21 23 22, mean 108 / 5 = 21.6, moving ranges 2 1 2 1, limits 17.61 to
#   25.59. The jump of 8 between the segments is no moving range of either.
REBASED = [10, 12, 11, 13, 12, 20, 22, 21, 23, 22]
LABELS = [f"2023-24 Q{q}" for q in range(1, 5)] + [f"2024-25 Q{q}" for q in range(1, 5)]
LABELS += ["2025-26 Q1", "2025-26 Q2"]


def rebased(**options):
    return xmr(pd.Series(REBASED, index=LABELS), changes=["2024-25 Q2"], **options)


def test_limits_are_recalculated_for_each_segment_as_worked_out_by_hand():
    frame = rebased()
    first, second = frame.iloc[:5], frame.iloc[5:]
    assert list(frame["segment"]) == [0] * 5 + [1] * 5
    assert first["mean"].tolist() == pytest.approx([11.6] * 5)
    assert first["lower_limit"].tolist() == pytest.approx([7.61] * 5)
    assert first["upper_limit"].tolist() == pytest.approx([15.59] * 5)
    assert second["mean"].tolist() == pytest.approx([21.6] * 5)
    assert second["lower_limit"].tolist() == pytest.approx([17.61] * 5)
    assert second["upper_limit"].tolist() == pytest.approx([25.59] * 5)
    assert np.isnan(frame["moving_range"].iloc[5]) and frame["moving_range"].iloc[6] == 2


def test_a_recalculated_process_has_no_special_cause_the_step_alone_would_give():
    assert (rebased()["rule"] == "").all()
    assert rebased().attrs["variation"] == "common_cause"
    one_process = xmr(REBASED)  # mean 16.6, limits 12.61 to 20.59
    assert one_process["upper_limit"].iloc[0] == pytest.approx(20.59)
    assert (one_process["rule"] != "").sum() > 0


def test_runs_are_looked_for_within_a_segment_only():
    # Seven points above 11 in a row, but four before the change and three after.
    values = [8, 9, 10, 9, 12, 13, 12, 13, 15, 16, 15]
    labels = [str(i) for i in range(len(values))]
    frame = xmr(pd.Series(values, index=labels), changes=["8"])
    assert "shift" not in set(frame["rule"])


def test_assurance_uses_the_latest_segment_s_limits():
    assert rebased(target=16).attrs["assurance"] == "consistently pass"  # below 17.61
    assert xmr(REBASED, target=16).attrs["assurance"] == "hit and miss"


def test_a_sustained_shift_without_a_change_is_found_where_it_starts():
    values = [10, 12, 11, 13, 12, 11, 10, 12, 20, 22, 21, 23, 22, 21, 20]
    labels = [f"p{i}" for i in range(len(values))]
    frame = xmr(pd.Series(values, index=labels))
    assert frame.attrs["sustained_shift"] == "p8"  # seven above the mean, to the latest
    rebased_there = xmr(pd.Series(values, index=labels), changes=["p8"])
    assert rebased_there.attrs["sustained_shift"] is None


def test_a_change_outside_the_series_or_leaving_one_point_is_an_error():
    with pytest.raises(UnknownChange, match="2030-31 Q1"):
        xmr(pd.Series(REBASED, index=LABELS), changes=["2030-31 Q1"])
    with pytest.raises(TooFewValues, match="only 1 value"):
        xmr(pd.Series(REBASED, index=LABELS), changes=["2025-26 Q2"])


@pytest.mark.parametrize(
    ("targets", "polarity", "assurance"),
    [  # NO_SIGNAL's limits are 5.68 and 16.32
        ([4, 5, 5.5], "up", "consistently pass"),
        ([17, 18], "up", "consistently fail"),
        ([5, 11], "up", "hit and miss"),
        ([5, 17], "up", "hit and miss"),  # passes some quarters, fails others
        ([17, 18], "down", "consistently pass"),
    ],
)
def test_assurance_against_a_trajectory_needs_every_coming_value(targets, polarity, assurance):
    assert xmr(NO_SIGNAL, polarity=polarity, target=targets).attrs["assurance"] == assurance


def test_the_latest_point_s_direction_is_given_for_the_icon():
    assert xmr(TREND[:11]).attrs["variation_direction"] == "high"
    assert xmr(NO_SIGNAL).attrs["variation_direction"] == ""

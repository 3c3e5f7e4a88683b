"""Statistical process control: XmR and run charts (SPEC section 6).

Follows NHS England's "Making Data Count" and the conventions of
NHSRplotthedots, the NHS reference implementation, so that a chart here tells
the same story as one drawn by an NHS analyst from the same numbers.

Missing values: NaN at the start or end of a series (a measure that did not yet
exist, a quarter not yet in) are dropped and the remaining points keep their
index labels. A NaN between two values is a gap: the moving range across it
would compare points that are not neighbours, so it raises `GapInSeries`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

LIMIT_WIDTH = 2.66  # 3 / d2 (d2 = 1.128 for moving ranges of two points): "3 sigma"
NEAR_LIMIT = 2 / 3  # the 2-of-3 band starts two thirds of the way to a limit
MOVING_RANGE_SCREEN = 3.267  # D4 for n = 2: the upper limit of a moving range chart
XMR_RUN = 7  # points in a row for a shift or a trend on an XmR chart
RUN_CHART_SHIFT = 6  # points on one side of the median, run chart rules
RUN_CHART_TREND = 5  # points rising or falling, run chart rules
POLARITIES = ("up", "down", "neutral")
# Where rules disagree about a point, the first one in this order names it.
XMR_RULES = ("trend", "shift", "two_of_three", "outside_limits")


class SPCInputError(ValueError):
    """Values or options that no SPC chart can be drawn from."""


class EmptySeries(SPCInputError):
    """There are no values, or every value is missing."""


class NonNumericValues(SPCInputError):
    """Some values are not finite numbers."""


class GapInSeries(SPCInputError):
    """A value is missing between two present ones."""


class TooFewValues(SPCInputError):
    """Fewer values than the chart needs."""


class UnknownPolarity(SPCInputError):
    """Polarity is not one of `up`, `down`, `neutral`."""


class InvalidTarget(SPCInputError):
    """The target is not a finite number."""


@dataclass(frozen=True)
class SPCChart:
    """The chart to show for a series, and in plain English why that kind."""

    kind: Literal["xmr", "run"]
    frame: pd.DataFrame
    reason: str


def xmr(values, *, polarity: str = "up", target: float | None = None) -> pd.DataFrame:
    """XmR (individuals) chart of `values`, one row per value, in order.

    Columns: `value`, `mean`, `lower_limit`, `upper_limit`, `moving_range`,
    `rule` (the special-cause rule that names the point, "" if none),
    `direction` ("high", "low" or "") and `special_cause` ("improvement",
    "concern" or ""; always "" for a neutral measure). `attrs` holds the latest
    point's `variation` icon, the `assurance` against `target` (None without
    one), and the `polarity` and `target` used.
    """
    _check_polarity(polarity)
    target = _check_target(target)
    series = _clean(values)
    if len(series) < 2:
        raise TooFewValues(
            f"An XmR chart needs at least 2 values to have a moving range; got {len(series)}."
        )
    y = series.to_numpy()
    mean = float(y.mean())
    moving_range = np.concatenate([[np.nan], np.abs(np.diff(y))])
    width = LIMIT_WIDTH * _mean_moving_range(moving_range[1:])
    lower, upper = mean - width, mean + width

    found = {
        "trend": _trend_directions(y, XMR_RUN),
        "shift": _run_directions(_sides(y, mean), XMR_RUN),
        "two_of_three": _two_of_three(y, mean, width),
        "outside_limits": np.where(y > upper, 1, np.where(y < lower, -1, 0)),
    }
    rule, direction = _first_rule(found, XMR_RULES)
    frame = pd.DataFrame(
        {
            "value": y,
            "mean": mean,
            "lower_limit": lower,
            "upper_limit": upper,
            "moving_range": moving_range,
            "rule": rule,
            "direction": _direction_names(direction),
            "special_cause": _special_causes(direction, polarity),
        },
        index=series.index,
    )
    frame.attrs.update(
        variation=_variation(direction[-1], polarity),
        assurance=_assurance(lower, upper, target=target, polarity=polarity),
        polarity=polarity,
        target=target,
    )
    return frame


def run_chart(values, *, polarity: str = "up") -> pd.DataFrame:
    """Run chart of `values`, for series too short for control limits.

    Uses the NHS run chart rules: a shift is 6 or more points in a row on one
    side of the median, a trend 5 or more points in a row rising or falling.
    Unlike the XmR rules, points on the median neither add to nor break a
    shift (and are not flagged), and a repeated value neither adds to nor
    breaks a trend (it is flagged with the trend it sits in).

    Columns: `value`, `median`, `rule` ("trend", "shift" or ""), `direction`
    and `special_cause` as for `xmr`.
    """
    _check_polarity(polarity)
    series = _clean(values)
    y = series.to_numpy()
    median = float(np.median(y))

    sides = _sides(y, median)
    off_median = np.flatnonzero(sides)
    shift = np.zeros(len(y), dtype=int)
    shift[off_median] = _run_directions(sides[off_median], RUN_CHART_SHIFT)

    # Each repeated value joins the first of its group, whose trend it shares.
    starts = np.concatenate([[True], np.diff(y) != 0])
    group = np.cumsum(starts) - 1
    trend = _trend_directions(y[starts], RUN_CHART_TREND)[group]

    rule, direction = _first_rule({"trend": trend, "shift": shift}, ("trend", "shift"))
    frame = pd.DataFrame(
        {
            "value": y,
            "median": median,
            "rule": rule,
            "direction": _direction_names(direction),
            "special_cause": _special_causes(direction, polarity),
        },
        index=series.index,
    )
    frame.attrs.update(polarity=polarity)
    return frame


def spc_chart(
    values,
    *,
    polarity: str = "up",
    target: float | None = None,
    min_points: int = 12,
    period: str = "quarter",
) -> SPCChart:
    """An XmR chart when there are at least `min_points` values, else a run chart.

    Twelve points is the Making Data Count minimum for limits worth acting
    on. `period` names one time step in the reason ("quarter", "month").
    A run chart has no limits, so `target` gives no assurance there.
    """
    if min_points < 2:
        raise SPCInputError(
            f"min_points must be at least 2 (an XmR chart needs a moving range); got {min_points}."
        )
    series = _clean(values)
    n = len(series)
    counted = f"{n} {period}{'' if n == 1 else 's'} of data"
    if n >= min_points:
        frame = xmr(series, polarity=polarity, target=target)
        return SPCChart(
            kind="xmr",
            frame=frame,
            reason=f"{counted}: enough for a control chart (at least {min_points}), "
            "so this is an XmR chart.",
        )
    return SPCChart(
        kind="run",
        frame=run_chart(series, polarity=polarity),
        reason=f"Only {counted}: a control chart needs at least {min_points}, "
        "so this is a run chart.",
    )


def _clean(values) -> pd.Series:
    """The values as a float Series, checked, with leading and trailing NaN dropped."""
    if isinstance(values, pd.DataFrame):
        raise NonNumericValues("Expected one series of values, got a table; pass a single column.")
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise NonNumericValues(
            "Expected a one-dimensional sequence of numbers (a list, array or Series)."
        )
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    if series.empty:
        raise EmptySeries("There are no values to chart.")

    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        bad = [f"{k} ({v!r})" for k, v in series.items() if not _is_number_or(v)]
        if bad:
            raise NonNumericValues(f"Values must be numbers; not: {_labels(bad)}.")
    y = series.to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(y).any():
        raise NonNumericValues(
            f"Values must be finite; infinite at {_labels(series.index[np.isinf(y)])}."
        )

    present = np.flatnonzero(~np.isnan(y))
    if len(present) == 0:
        raise EmptySeries("Every value is missing, so there is nothing to chart.")
    first, last = present[0], present[-1]
    gaps = np.flatnonzero(np.isnan(y[first : last + 1])) + first
    if len(gaps):
        raise GapInSeries(
            f"Values are missing at {_labels(series.index[gaps])}, between present values; "
            "SPC needs an unbroken series: fill the gap, or chart each side separately."
        )
    return pd.Series(y[first : last + 1], index=series.index[first : last + 1], name="value")


def _is_number_or(v, *, missing: bool = True) -> bool:
    """A real number (not a bool), or (if `missing`) a missing-value marker."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return missing
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _labels(labels) -> str:
    shown = [str(label) for label in list(labels)[:5]]
    more = len(labels) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise UnknownPolarity(f"Polarity must be one of {', '.join(POLARITIES)}; got {polarity!r}.")


def _check_target(target) -> float | None:
    if target is None:
        return None
    if not _is_number_or(target, missing=False) or not math.isfinite(target):
        raise InvalidTarget(f"The target must be a finite number or None; got {target!r}.")
    return float(target)


def _mean_moving_range(moving_ranges: np.ndarray) -> float:
    """Mean moving range, leaving out ranges above 3.267 x the mean of them all.

    One large jump would otherwise widen the limits enough to hide itself; the
    mean of the remaining ranges is taken once, not repeated until stable.
    """
    first = moving_ranges.mean()
    return float(moving_ranges[moving_ranges <= MOVING_RANGE_SCREEN * first].mean())


def _sides(y: np.ndarray, centre: float) -> np.ndarray:
    """+1 above, -1 below, 0 on the centre line (to within float rounding of it)."""
    on_line = np.isclose(y, centre, rtol=1e-9, atol=0)
    return np.where(on_line, 0, np.sign(y - centre)).astype(int)


def _run_directions(codes: np.ndarray, min_length: int) -> np.ndarray:
    """Each point's code where it lies in a run of >= min_length equal non-zero codes, else 0."""
    out = np.zeros(len(codes), dtype=int)
    start = 0
    for end in range(1, len(codes) + 1):
        if end == len(codes) or codes[end] != codes[start]:
            if codes[start] != 0 and end - start >= min_length:
                out[start:end] = codes[start]
            start = end
    return out


def _trend_directions(y: np.ndarray, min_points: int) -> np.ndarray:
    """+1 / -1 for points in a run of >= min_points strictly rising / falling values.

    A trend of 7 points is 6 steps the same way; an unchanged value is a step of
    neither sign and breaks it. A peak or trough shared by a rising and a
    falling trend keeps the direction of the trend it completes, which is what
    the chart showed when that point was the latest.
    """
    out = np.zeros(len(y), dtype=int)
    steps = np.sign(np.diff(y)).astype(int)
    in_run = _run_directions(steps, min_points - 1)
    for i, step in enumerate(in_run):
        for point in (i, i + 1):
            if step and not out[point]:
                out[point] = step
    return out


def _two_of_three(y: np.ndarray, mean: float, width: float) -> np.ndarray:
    """+1 / -1 for points in the near-limit band of a qualifying 2-of-3 window.

    The band runs from two thirds of the way to a limit (exclusive) to the
    limit (inclusive); a window qualifies when 2 of its 3 points are in the band
    on the same side and all 3 are on that side of the mean. Only the points in
    the band are flagged (a point beyond the limit is flagged by that rule).
    """
    sides = _sides(y, mean)
    distance = np.abs(y - mean)
    band = np.where((distance > NEAR_LIMIT * width) & (distance <= width), sides, 0)
    out = np.zeros(len(y), dtype=int)
    for i in range(len(y) - 2):
        window = slice(i, i + 3)
        for side in (1, -1):
            if (sides[window] == side).all() and (band[window] == side).sum() >= 2:
                out[window] = np.where(band[window] == side, side, out[window])
    return out


def _first_rule(
    found: dict[str, np.ndarray], order: tuple[str, ...]
) -> tuple[list[str], np.ndarray]:
    """For each point, the first rule in `order` that flags it, and that rule's direction."""
    n = len(found[order[0]])
    rules, direction = [""] * n, np.zeros(n, dtype=int)
    for name in reversed(order):
        flagged = np.flatnonzero(found[name])
        direction[flagged] = found[name][flagged]
        for i in flagged:
            rules[i] = name
    return rules, direction


def _direction_names(direction: np.ndarray) -> list[str]:
    return [{1: "high", -1: "low", 0: ""}[d] for d in direction]


def _special_causes(direction: np.ndarray, polarity: str) -> list[str]:
    better = {"up": 1, "down": -1, "neutral": 0}[polarity]
    if better == 0:
        return [""] * len(direction)
    return ["" if d == 0 else "improvement" if d == better else "concern" for d in direction]


def _variation(direction: int, polarity: str) -> str:
    """Making Data Count variation icon for the latest point."""
    if direction == 0:
        return "common_cause"
    if polarity == "neutral":
        return "special_cause_neutral_high" if direction == 1 else "special_cause_neutral_low"
    return f"special_cause_{_special_causes(np.array([direction]), polarity)[0]}"


def _assurance(lower: float, upper: float, *, target: float | None, polarity: str) -> str | None:
    """Whether the process as it runs will meet the target (Making Data Count assurance).

    A target outside the limits will be met every time or missed every time;
    inside them, some points will pass and some fail. For a neutral measure
    neither side of the target is better, so only "hit and miss" means
    anything; a target outside its limits gives None.
    """
    if target is None:
        return None
    if lower <= target <= upper:
        return "hit and miss"
    if polarity == "neutral":
        return None
    target_below = target < lower
    return "consistently pass" if target_below == (polarity == "up") else "consistently fail"

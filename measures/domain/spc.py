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
from collections.abc import Sequence
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


class UnknownChange(SPCInputError):
    """A process change names a period that is not in the series."""


@dataclass(frozen=True)
class SPCChart:
    """The chart to show for a series, and in plain English why that kind."""

    kind: Literal["xmr", "run"]
    frame: pd.DataFrame
    reason: str


def xmr(
    values,
    *,
    polarity: str = "up",
    target=None,
    changes: Sequence = (),
) -> pd.DataFrame:
    """XmR (individuals) chart of `values`, one row per value, in order.

    Columns: `value`, `mean`, `lower_limit`, `upper_limit`, `moving_range`,
    `segment` (0 before the first change, 1 after it, ...), `rule` (the
    special-cause rule that names the point, "" if none), `direction`
    ("high", "low" or "") and `special_cause` ("improvement", "concern" or "";
    always "" for a neutral measure).

    `changes` are index labels where the process changed for a known reason:
    the limits are recalculated from each (Making Data Count "rebasing"), and
    runs, trends and 2-of-3 patterns are looked for within a segment only, as
    a new process is not judged by the old one's centre line.

    `target` is one value, or the values the process should meet over the
    coming periods (a trajectory); assurance compares them with the latest
    segment's limits. `attrs` holds the latest point's `variation` icon and
    its `variation_direction` ("high", "low" or ""), the `assurance` (None
    without a target), the `polarity` and `target` used, and `sustained_shift`:
    the first label of a run of 7 or more points on one side of the latest
    segment's mean that lasts to the latest point, or None. Such a run, with no
    change configured there, suggests the process changed.
    """
    _check_polarity(polarity)
    targets = _check_targets(target)
    series = _clean(values)
    if len(series) < 2:
        raise TooFewValues(
            f"An XmR chart needs at least 2 values to have a moving range; got {len(series)}."
        )
    y = series.to_numpy()
    starts = _segment_starts(series.index, changes)
    segment = np.zeros(len(y), dtype=int)
    for number, start in enumerate(starts[1:], start=1):
        segment[start:] = number

    mean = np.empty(len(y))
    width = np.empty(len(y))
    moving_range = np.full(len(y), np.nan)
    rule: list[str] = []
    direction = np.zeros(len(y), dtype=int)
    shift_sides = np.zeros(len(y), dtype=int)
    for begin, end in zip(starts, [*starts[1:], len(y)], strict=True):
        part = y[begin:end]
        centre = float(part.mean())
        ranges = np.abs(np.diff(part))
        half = LIMIT_WIDTH * _mean_moving_range(ranges)
        mean[begin:end], width[begin:end] = centre, half
        moving_range[begin + 1 : end] = ranges
        shift_sides[begin:end] = _run_directions(_sides(part, centre), XMR_RUN)
        found = {
            "trend": _trend_directions(part, XMR_RUN),
            "shift": shift_sides[begin:end],
            "two_of_three": _two_of_three(part, centre, half),
            "outside_limits": np.where(
                part > centre + half, 1, np.where(part < centre - half, -1, 0)
            ),
        }
        part_rule, part_direction = _first_rule(found, XMR_RULES)
        rule += part_rule
        direction[begin:end] = part_direction
    lower, upper = mean - width, mean + width

    frame = pd.DataFrame(
        {
            "value": y,
            "mean": mean,
            "lower_limit": lower,
            "upper_limit": upper,
            "moving_range": moving_range,
            "segment": segment,
            "rule": rule,
            "direction": _direction_names(direction),
            "special_cause": _special_causes(direction, polarity),
        },
        index=series.index,
    )
    frame.attrs.update(
        variation=_variation(direction[-1], polarity),
        variation_direction=_direction_names(direction[-1:])[0],
        assurance=assurance(lower[-1], upper[-1], targets=targets, polarity=polarity),
        polarity=polarity,
        target=None if targets is None else (targets[0] if len(targets) == 1 else targets),
        sustained_shift=_sustained_shift(series.index, shift_sides, segment),
    )
    return frame


def _segment_starts(index: pd.Index, changes: Sequence) -> list[int]:
    """Positions where each segment starts: 0, then each change's position, in order."""
    labels = list(index)
    starts = [0]
    for change in changes:
        if change not in labels:
            raise UnknownChange(
                f"The process change at {change!r} is not one of the periods charted "
                f"({_labels(labels)}); name a period of the series."
            )
        starts.append(labels.index(change))
    starts = sorted(set(starts))
    ends = [*starts[1:], len(labels)]
    for begin, end in zip(starts, ends, strict=True):
        if end - begin < 2:
            raise TooFewValues(
                f"The segment starting at {labels[begin]} has only {end - begin} value; "
                "limits need at least 2 values between process changes."
            )
    return starts


def _sustained_shift(index: pd.Index, shift_sides: np.ndarray, segment: np.ndarray):
    """Label where a shift run reaching the latest point starts, within the latest segment."""
    if shift_sides[-1] == 0:
        return None
    i = len(shift_sides) - 1
    while i > 0 and shift_sides[i - 1] == shift_sides[-1] and segment[i - 1] == segment[-1]:
        i -= 1
    return index[i]


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
    changes: Sequence = (),
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
        frame = xmr(series, polarity=polarity, target=target, changes=changes)
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


def _check_targets(target) -> tuple[float, ...] | None:
    """None, or the target(s) as a tuple of finite floats."""
    if target is None:
        return None
    many = not _is_number_or(target, missing=False)
    items = list(target) if many and np.ndim(target) == 1 else [target]
    if not items or not all(_is_number_or(t, missing=False) and math.isfinite(t) for t in items):
        raise InvalidTarget(
            f"The target must be a finite number, a list of them, or None; got {target!r}."
        )
    return tuple(float(t) for t in items)


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


def assurance(
    lower: float, upper: float, *, targets: Sequence[float] | None, polarity: str
) -> str | None:
    """Whether the process as it runs will meet its target(s) (Making Data Count assurance).

    A target outside the limits will be met every time or missed every time;
    inside them, some points will pass and some fail. With several targets (a
    trajectory's values for the coming periods) the process consistently
    passes only if it passes every one, and consistently fails only if it
    fails every one; otherwise it is hit and miss. For a neutral measure
    neither side of the target is better, so only "hit and miss" means
    anything; a target outside its limits gives None.
    """
    if not targets:
        return None
    verdicts = {_assurance_one(lower, upper, target=t, polarity=polarity) for t in targets}
    return verdicts.pop() if len(verdicts) == 1 else "hit and miss"


def _assurance_one(lower: float, upper: float, *, target: float, polarity: str) -> str | None:
    if lower <= target <= upper:
        return "hit and miss"
    if polarity == "neutral":
        return None
    target_below = target < lower
    return "consistently pass" if target_below == (polarity == "up") else "consistently fail"

"""Baselines, targets, trajectories and status against them (SPEC section 5).

Pure functions: nothing here reads files or databases. A target is either an
absolute value or a change from the baseline (`+20%` of the baseline value, or
`-5` points or units); the trajectory runs in a straight line, in quarter steps,
from the baseline to each target in turn, and a measure's status compares its
latest value with the trajectory, the right way round for its polarity.

Polarity `neutral` (no better direction) is measured by closeness: `on track`
within the tolerance of the trajectory on either side, `off track` beyond it;
there is no `close` band for it.

A relative target of a computed baseline is resolved from the baseline as it is
published (a count rounded to the nearest 5, anything else to one decimal), in
the internal and the public view alike, so both state the same target and the
target never reveals an exact count that is published rounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from carers_impact.errors import UserError
from carers_impact.periods import InvalidPeriod, Quarter, parse_financial_year
from measures.domain.disclosure import round_to_base
from measures.domain.public_figures import PUBLIC_DECIMALS

Polarity = Literal["up", "down", "neutral"]
POLARITIES: tuple[str, ...] = ("up", "down", "neutral")

ON_TRACK = "on track"
CLOSE = "close"
OFF_TRACK = "off track"
NO_TARGET = "no target"
NOT_ENOUGH_DATA = "not enough data"
STATUSES: tuple[str, ...] = (ON_TRACK, CLOSE, OFF_TRACK, NO_TARGET, NOT_ENOUGH_DATA)

DEFAULT_TOLERANCE = 0.05

_CHANGE_RE = re.compile(r"^\s*(?P<sign>[+-])\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<pct>%?)\s*$")
_YEAR_RE = re.compile(r"^\s*(?P<year>\d{4})\s*$")


class BadTargetChange(UserError, ValueError):
    """A target change that is not a signed number, optionally a percentage (`+20%`, `-5`)."""


# -- periods ---------------------------------------------------------------------------


def parse_period(text: str | Quarter) -> str:
    """Canonical label of a quarter (`2024-25 Q4`) or a financial year (`2024-25`).

    A four-digit year `2025` means the financial year ending in March of that year,
    i.e. its last quarter: `2024-25 Q4` (SPEC section 2).
    """
    if isinstance(text, Quarter):
        return text.label
    raw = str(text)
    year = _YEAR_RE.match(raw)
    if year:
        return Quarter(int(year["year"]) - 1, 4).label
    try:
        return Quarter.parse(raw).label
    except InvalidPeriod:
        pass
    try:
        start = parse_financial_year(raw)
    except InvalidPeriod:
        raise InvalidPeriod(
            f"{raw!r} is not a period; write a quarter like '2024-25 Q4', a financial "
            "year like '2024-25', or a year like '2025' (meaning the end of 2024-25)"
        ) from None
    return f"{start}-{(start + 1) % 100:02d}"


def period_quarter(period: str | Quarter) -> Quarter:
    """The quarter a period stands for on a trajectory: a financial year's Q4."""
    if isinstance(period, Quarter):
        return period
    label = parse_period(period)
    if "Q" in label:
        return Quarter.parse(label)
    return Quarter(parse_financial_year(label), 4)


# -- baselines and targets -------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A change from baseline: `percent` of the baseline value, or `points` (units)."""

    amount: float  # signed
    kind: Literal["percent", "points"]

    def apply(self, baseline: float) -> float:
        if self.kind == "percent":
            return baseline * (1 + self.amount / 100)
        return baseline + self.amount


def parse_change(text: str) -> Change:
    """`+20%` -> 20 percent of the baseline; `-5` -> 5 points (or units) down."""
    match = _CHANGE_RE.match(str(text))
    if not match:
        raise BadTargetChange(
            f"{text!r} is not a change from baseline; write a sign and a number, "
            "e.g. '+20%' (of the baseline value) or '-5' (points or units)"
        )
    amount = float(match["amount"]) * (-1 if match["sign"] == "-" else 1)
    return Change(amount, "percent" if match["pct"] else "points")


@dataclass(frozen=True)
class Baseline:
    """Where a measure started: a period and a stated value, or `computed` from the data."""

    period: str  # canonical label, a quarter or a financial year
    value: float | None = None
    computed: bool = False
    source: str = ""  # where a stated value comes from

    def __post_init__(self) -> None:
        if self.computed == (self.value is not None):
            raise ValueError("a baseline has either a stated value or computed = true")

    @property
    def quarter(self) -> Quarter:
        return period_quarter(self.period)


@dataclass(frozen=True)
class Target:
    """A value to reach by a period: absolute (`value`) or a `change` from the baseline."""

    period: str  # canonical label
    value: float | None = None
    change: str | None = None
    label: str = ""  # how people name it, e.g. "2025"; defaults to the period

    def __post_init__(self) -> None:
        if (self.value is None) == (self.change is None):
            raise ValueError("a target has either a value or a change from baseline")
        if self.change is not None:
            parse_change(self.change)
        if not self.label:
            object.__setattr__(self, "label", self.period)

    @property
    def quarter(self) -> Quarter:
        return period_quarter(self.period)

    @property
    def relative(self) -> bool:
        return self.change is not None

    def resolve(self, baseline_value: float | None) -> float | None:
        """The target as a value; None for a relative target without a baseline value."""
        return resolve_target(baseline_value, value=self.value, change=self.change)


def resolve_target(
    baseline_value: float | None, *, value: float | None = None, change: str | None = None
) -> float | None:
    """An absolute target as it is; a change applied to the baseline value."""
    if value is not None:
        return float(value)
    if change is None:
        raise ValueError("a target needs a value or a change")
    parsed = parse_change(change)
    if baseline_value is None or _missing(baseline_value):
        return None
    return parsed.apply(float(baseline_value))


def as_published(value: float, unit: str) -> float:
    """A value rounded as the public view publishes it: counts to 5, others to one decimal."""
    if unit == "count":
        return float(round_to_base(value))
    return float(pd.Series([value]).round(PUBLIC_DECIMALS).iloc[0])


# -- trajectory ------------------------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    """Expected values, piecewise linear in quarters through the baseline and each target.

    Before the baseline there is no expectation (None); after the last target the
    expectation stays at the last target.
    """

    points: tuple[tuple[Quarter, float], ...]

    def __call__(self, period: str | Quarter) -> float | None:
        return self.expected(period)

    def expected(self, period: str | Quarter) -> float | None:
        index = period_quarter(period).index
        first_q, first_v = self.points[0]
        if index < first_q.index:
            return None
        for (q0, v0), (q1, v1) in zip(self.points, self.points[1:], strict=False):
            if index <= q1.index:
                return v0 + (v1 - v0) * (index - q0.index) / (q1.index - q0.index)
        return self.points[-1][1] if len(self.points) > 1 else first_v

    def series(self, first: str | Quarter, last: str | Quarter) -> pd.Series:
        """Expected value for every quarter from first to last, indexed by quarter label."""
        start, end = period_quarter(first).index, period_quarter(last).index
        quarters = [Quarter.from_index(i) for i in range(start, end + 1)]
        return pd.Series(
            [self.expected(q) for q in quarters], index=[q.label for q in quarters], dtype=float
        )


def trajectory(
    baseline_period: str | Quarter,
    baseline_value: float,
    targets: Iterable[tuple[str | Quarter, float]],
) -> Trajectory:
    """A straight line from the baseline to each target in turn, in quarter steps."""
    points = [(period_quarter(baseline_period), float(baseline_value))]
    for period, value in sorted(targets, key=lambda pv: period_quarter(pv[0]).index):
        quarter = period_quarter(period)
        if quarter.index <= points[-1][0].index:
            raise ValueError(
                f"target period {quarter.label} must come after {points[-1][0].label} "
                "(the baseline, or the previous target)"
            )
        points.append((quarter, float(value)))
    return Trajectory(tuple(points))


# -- status ----------------------------------------------------------------------------


def status(
    value: float | None,
    *,
    expected: float | None,
    polarity: Polarity,
    tolerance: float = DEFAULT_TOLERANCE,
) -> str:
    """`on track`, `close`, `off track`, or `not enough data` (no value) / `no target`."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}")
    if value is None or _missing(value):
        return NOT_ENOUGH_DATA
    if expected is None or _missing(expected):
        return NO_TARGET
    margin = tolerance * abs(expected)
    eps = 1e-9 * max(1.0, abs(expected))  # values exactly on a line or an edge count as on it
    if polarity == "neutral":
        return ON_TRACK if abs(value - expected) <= margin + eps else OFF_TRACK
    shortfall = expected - value if polarity == "up" else value - expected
    if shortfall <= eps:
        return ON_TRACK
    if shortfall <= margin + eps:
        return CLOSE
    return OFF_TRACK


@dataclass(frozen=True)
class Assessment:
    """A measure's latest position against its baseline and targets."""

    status: str
    expected: float | None  # trajectory value at the latest period
    latest_value: float | None
    latest_period: str | None
    baseline_period: str | None
    baseline_value: float | None
    target_2025: float | None
    target_2027: float | None
    targets: tuple[tuple[str, float | None], ...]  # (period, resolved value), in order
    change_on_baseline: float | None  # latest value minus baseline value


def assess(
    values: Mapping[str | Quarter, float | None] | pd.Series,
    *,
    baseline: Baseline | None,
    targets: Sequence[Target],
    polarity: Polarity,
    tolerance: float = DEFAULT_TOLERANCE,
    latest_period: str | Quarter | None = None,
    unit: str | None = None,
) -> Assessment:
    """Where a measure stands: its latest value against the trajectory to its targets.

    `values` maps periods (quarter or financial-year labels) to values. The latest
    period is the one given, else the latest with a value. A computed baseline takes
    its value from `values` at the baseline period (a financial year's own value when
    the baseline period is a year). Status is `no target` without targets, `not enough
    data` without a latest value or a baseline value, and `no target` for a latest
    period before the baseline (the trajectory has not started).
    """
    series = _by_period(values)
    if latest_period is not None:
        latest: str | None = parse_period(latest_period)
    else:
        present = [p for p, v in series.items() if v is not None]
        latest = max(present, key=_period_order) if present else None
    latest_value = series.get(latest) if latest else None

    base_value: float | None = None
    if baseline is not None:
        base_value = series.get(baseline.period) if baseline.computed else baseline.value
    target_base = base_value
    if unit is not None and baseline is not None and baseline.computed and base_value is not None:
        target_base = as_published(base_value, unit)
    ordered = sorted(targets, key=lambda t: t.quarter.index)
    resolved = tuple((t.period, t.resolve(target_base)) for t in ordered)

    expected = None
    complete = all(v is not None for _, v in resolved)
    if baseline is not None and base_value is not None and latest and resolved and complete:
        line = trajectory(baseline.period, base_value, resolved)  # type: ignore[arg-type]
        expected = line.expected(latest)

    if not targets:
        verdict = NO_TARGET
    elif latest_value is None or base_value is None:
        verdict = NOT_ENOUGH_DATA
    else:
        verdict = status(latest_value, expected=expected, polarity=polarity, tolerance=tolerance)

    by_label = {t.label: value for t, (_, value) in zip(ordered, resolved, strict=True)}
    by_period = dict(resolved)
    return Assessment(
        status=verdict,
        expected=expected,
        latest_value=latest_value,
        latest_period=latest,
        baseline_period=baseline.period if baseline else None,
        baseline_value=base_value,
        target_2025=by_label.get("2025", by_period.get(Quarter(2024, 4).label)),
        target_2027=by_label.get("2027", by_period.get(Quarter(2026, 4).label)),
        targets=resolved,
        change_on_baseline=(
            latest_value - base_value
            if latest_value is not None and base_value is not None
            else None
        ),
    )


def _by_period(values: Mapping[str | Quarter, float | None] | pd.Series) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for period, value in values.items():
        out[parse_period(period)] = None if value is None or _missing(value) else float(value)
    return out


def _period_order(label: str) -> tuple[int, int]:
    """Quarters in time order; a financial year just after its own Q4."""
    return (period_quarter(label).index, 0 if "Q" in label else 1)


def _missing(value: object) -> bool:
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False

"""An attacker on the public figures: what could a reader work out from them?

Pure code on a public table (the rows of ``public_measure_values``). Every
figure stands for true counts: a count's value ``x``; a percentage's
numerator ``x`` and denominator ``n``; a rate's numerator ``x`` over a public
census denominator. The attacker knows the rules of disclosure control as
documented, so it starts from what each figure says about its counts:

* a count published as R (rounded to 5) is within 2 of R, and at least 8;
  a hidden count could be anything;
* **interval inversion**: a percentage (or rate) and its 95% interval, each
  to one decimal place, fit only some (numerator, denominator) pairs. Every
  pair up to a bound is tried under both ways of publishing it: Wilson's
  interval of the exact counts, and the interval of counts rounded to 5
  (:func:`measures.domain.stats.rounded_interval`), which stand for any
  counts within 2 of them;

then narrows those ranges with the identities of
:mod:`measures.domain.relations`, to a fixed point:

* **breakdowns**: a total minus its shown siblings;
* **years**: a year minus its other quarters; a year against its Q4 snapshot;
* **measures**: a measure against another of the same people
  (young_carers_known and the 0-17 cell of known_carers, ...);
* **twins**: the same cell under two breakdowns, given pairs of cells the
  attacker knows hold the same people (the worst case: every pair of cells
  with the same exact counts, see :func:`same_people_pairs`).

Consecutive quarters are covered by the year identities: no published figure
is an exact function of the quarter before it (registers lose carers, and
closures are not published).

A count is **recovered** when its range narrows to one value that is 1 to 7,
or that is a count published rounded, or a hidden count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from measures.domain.relations import (
    Groups,
    breakdown_groups,
    link_pairs,
    period_groups,
    positions_of,
)
from measures.domain.stats import (
    PUBLISHED_DECIMALS,
    ROUNDING,
    SHOWN_FROM,
    Z_95,
    rounded_interval,
    wilson_bounds,
)

SMALL = 7
BIG = 1e9
DECIMALS = PUBLISHED_DECIMALS
INVERSION = "interval inversion"
BREAKDOWNS = "total minus shown siblings"
YEARS = "year minus quarters"
MEASURES = "measure against measure"
TWINS = "same cell in two breakdowns"
ATTACKS = (INVERSION, BREAKDOWNS, YEARS, MEASURES, TWINS)
FOUND_COLUMNS = [
    "measure_id",
    "area",
    "period",
    "breakdown",
    "breakdown_value",
    "count",
    "recovered",
    "why",
]
KEY = ["measure_id", "area", "period", "breakdown", "breakdown_value"]


@dataclass
class Attack:
    """What one attack tried and what it recovered (FOUND_COLUMNS)."""

    tried: dict[str, int] = field(default_factory=dict)
    found: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FOUND_COLUMNS))


def _rounded(values: np.ndarray) -> np.ndarray:
    return np.round(values, DECIMALS)


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) < 1e-6


def _denominator_range(
    value: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, largest: float, widen: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The denominators worth trying for each figure.

    Wilson's bounds are the roots of (p - b)^2 = z^2 b (1 - b) / n, so a bound
    b at distance d from the percentage p gives n = z^2 b (1 - b) / d^2; the
    published figures give b and d to within a rounding error. An interval of
    rounded counts is wider than Wilson's, so it stands for a larger n (up to
    three times the estimate, plus 20, here: a generous margin).
    """
    error = 0.5 * 10.0**-DECIMALS / 100 + 1e-12
    p = value / 100.0
    low_n = np.full(len(value), float(SHOWN_FROM))
    high_n = np.full(len(value), float(largest))
    for bound in (lower / 100.0, upper / 100.0):
        distance = np.abs(p - bound)
        near, far = np.maximum(distance - 2 * error, 0.0), distance + 2 * error
        ends = np.stack(
            [(bound - error) * (1 - bound + error), (bound + error) * (1 - bound - error)]
        )
        spread_low = np.clip(ends.min(axis=0), 0.0, None)
        spread_high = np.where(np.abs(bound - 0.5) <= error, 0.25, ends.max(axis=0))
        usable = near > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate_low = Z_95**2 * spread_low / far**2
            estimate_high = Z_95**2 * spread_high / np.where(usable, near, 1.0) ** 2
        if widen:
            estimate_low, estimate_high = np.full(len(value), 0.0), 3 * estimate_high + 20
        low_n = np.where(usable, np.maximum(low_n, np.floor(estimate_low) - 2), low_n)
        high_n = np.where(usable, np.minimum(high_n, np.ceil(estimate_high) + 2), high_n)
    return low_n, high_n


def _grid(low_n: np.ndarray, high_n: np.ndarray, *, step: int) -> tuple[np.ndarray, np.ndarray]:
    """(figure, n) for every n from low_n to high_n that is a multiple of `step`."""
    first = np.ceil(low_n / step) * step
    lengths = np.maximum((np.floor(high_n / step) * step - first) // step + 1, 0).astype(np.int64)
    figure = np.repeat(np.arange(len(low_n)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    n = first[figure] + (np.arange(len(figure)) - starts) * step
    return figure, n.astype(float)


def _invert(
    value: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    largest: float,
    fixed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ranges of (x, n) consistent with each published percentage and interval.

    Denominators up to `largest` are tried, or with `fixed` each figure's own
    known n (a rate's census count). Returns x_low, x_high, n_low, n_high
    (NaN where no pair fits).
    """
    count = len(value)
    x_low, x_high = np.full(count, np.inf), np.full(count, -np.inf)
    n_low, n_high = np.full(count, np.inf), np.full(count, -np.inf)
    spread = ROUNDING // 2
    for rounded in (False, True):
        base = ROUNDING if rounded else 1
        if fixed is not None:
            figure, n = np.arange(count), fixed.astype(float)
        else:
            figure, n = _grid(
                *_denominator_range(value, lower, upper, largest=largest, widen=rounded),
                step=base,
            )
        if not len(figure):
            continue
        centre = value[figure] * n / 100.0
        reach = int(np.ceil(0.5 * 10.0**-DECIMALS * n.max() / 100.0 / base)) + 1
        for step in range(-reach, reach + 1):
            x = (np.floor(centre / base) + step) * base
            ok = (x >= 0) & (x <= n)
            ff, xx, nn = figure[ok], x[ok], n[ok]
            ok = _close(_rounded(100.0 * xx / nn), value[ff])
            ff, xx, nn = ff[ok], xx[ok], nn[ok]
            if rounded:
                low, high = rounded_interval(xx, nn, exact_denominator=fixed is not None)
            else:
                low, high = wilson_bounds(xx, nn)
            ok = _close(_rounded(low), lower[ff]) & _close(_rounded(high), upper[ff])
            ff, xx, nn = ff[ok], xx[ok], nn[ok]
            if not len(ff):
                continue
            widen_x = spread if rounded else 0
            widen_n = spread if rounded and fixed is None else 0
            np.minimum.at(x_low, ff, np.maximum(xx - widen_x, 0))
            np.maximum.at(x_high, ff, xx + widen_x)
            np.minimum.at(n_low, ff, np.maximum(nn - widen_n, SHOWN_FROM if widen_n else 0))
            np.maximum.at(n_high, ff, nn + widen_n)
    none = ~np.isfinite(x_low)
    for array in (x_low, x_high, n_low, n_high):
        array[none] = np.nan
    return x_low, x_high, n_low, n_high


@dataclass
class _Bounds:
    low: np.ndarray
    high: np.ndarray

    def copy(self) -> _Bounds:
        return _Bounds(self.low.copy(), self.high.copy())


def _start(
    public: pd.DataFrame, *, census: Mapping[str, int], invert: bool, tried: dict[str, int]
) -> _Bounds:
    """What each figure alone says about its counts: variables 2i (x) and 2i+1 (n)."""
    rows = len(public)
    low, high = np.zeros(2 * rows), np.full(2 * rows, BIG)
    unit = public["unit"].astype(str).to_numpy()
    value = public["value"].to_numpy(dtype=float)
    shown = ~public["suppressed"].to_numpy(dtype=bool) & ~np.isnan(value)
    counts = np.flatnonzero((unit == "count") & shown)
    rounded = value[counts]
    low[2 * counts] = np.where(rounded == 0, 0, np.maximum(rounded - ROUNDING // 2, SMALL + 1))
    high[2 * counts] = np.where(rounded == 0, 0, rounded + ROUNDING // 2)
    shares = np.flatnonzero(np.isin(unit, ["percent", "mean"]) & shown)
    low[2 * shares + 1] = SHOWN_FROM
    rates = np.flatnonzero(unit == "rate")
    known = public["area"].iloc[rates].map(lambda a: census.get(a, np.nan)).to_numpy(dtype=float)
    has = ~np.isnan(known)
    low[2 * rates[has] + 1] = high[2 * rates[has] + 1] = known[has]
    if not invert:
        return _Bounds(low, high)
    lower = public["lower_ci"].to_numpy(dtype=float)
    upper = public["upper_ci"].to_numpy(dtype=float)
    percents = np.flatnonzero((unit == "percent") & shown & ~np.isnan(lower) & ~np.isnan(upper))
    largest = max(1000.0, 1.2 * np.nanmax(value[counts], initial=0.0) + 100)
    tried[INVERSION] = len(percents)
    found = _invert(
        value[percents],
        lower[percents],
        upper[percents],
        largest=largest,
    )
    _narrow(low, high, 2 * percents, found[0], found[1])
    _narrow(low, high, 2 * percents + 1, found[2], found[3])
    rates = rates[has & shown[rates] & ~np.isnan(lower[rates])]
    tried[INVERSION] += len(rates)
    found = _invert(
        value[rates],
        lower[rates],
        upper[rates],
        largest=largest,
        fixed=low[2 * rates + 1],
    )
    _narrow(low, high, 2 * rates, found[0], found[1])
    return _Bounds(low, high)


def _narrow(low, high, where, new_low, new_high) -> None:
    fits = ~np.isnan(new_low)
    low[where[fits]] = np.maximum(low[where[fits]], new_low[fits])
    high[where[fits]] = np.minimum(high[where[fits]], new_high[fits])


def _sum_terms(groups: Groups, parts: Iterable[int]) -> list[pd.DataFrame]:
    """total - sum(parts) = 0, as (equation, variable, coefficient) terms, for x (and n)."""
    rows = np.flatnonzero(groups.group >= 0)
    group = groups.group[rows]
    usable = (groups.total >= 0) & groups.partition
    keep = usable[group]
    rows, group = rows[keep], group[keep]
    heads = np.flatnonzero(usable)
    terms = []
    for part in parts:
        terms.append(
            pd.DataFrame(
                {
                    "equation": np.concatenate([group, heads]) * 2 + part,
                    "variable": np.concatenate([2 * rows, 2 * groups.total[heads]]) + part,
                    "coefficient": np.concatenate([np.ones(len(rows)), -np.ones(len(heads))]),
                }
            )
        )
    return terms


def _pair_terms(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """variable a - variable b = 0, one equation per pair."""
    equation = np.arange(len(a))
    return pd.DataFrame(
        {
            "equation": np.concatenate([equation, equation]),
            "variable": np.concatenate([a, b]),
            "coefficient": np.concatenate([np.ones(len(a)), -np.ones(len(b))]),
        }
    )


def _equations(
    public: pd.DataFrame, families: set[str], *, same_people: pd.DataFrame | None
) -> tuple[pd.DataFrame, dict[str, int]]:
    pieces: list[pd.DataFrame] = []
    tried: dict[str, int] = {}
    offset = 0

    def add(name: str, terms: list[pd.DataFrame]) -> None:
        """Each frame of `terms` numbers its own equations; they are kept apart here."""
        nonlocal offset
        tried.setdefault(name, 0)
        for frame in terms:
            if frame.empty:
                continue
            codes = pd.factorize(frame["equation"])[0]
            tried[name] += int(codes.max()) + 1
            pieces.append(frame.assign(equation=codes + offset))
            offset += int(codes.max()) + 1

    if BREAKDOWNS in families:
        add(BREAKDOWNS, _sum_terms(breakdown_groups(public), (0, 1)))
    links = link_pairs(public)
    part = {"x": 0, "n": 1}
    a = 2 * links["a"].to_numpy(dtype=int) + links["part_a"].map(part).to_numpy(dtype=int)
    b = 2 * links["b"].to_numpy(dtype=int) + links["part_b"].map(part).to_numpy(dtype=int)
    year = ~public["period"].iloc[links["a"]].astype(str).str.contains("Q").to_numpy()
    if YEARS in families:
        add(YEARS, [*_sum_terms(period_groups(public), (0, 1)), _pair_terms(a[year], b[year])])
    if MEASURES in families:
        add(MEASURES, [_pair_terms(a[~year], b[~year])])
    if TWINS in families and same_people is not None and len(same_people):
        first = positions_of(public, same_people[[f"{k}_a" for k in KEY]].set_axis(KEY, axis=1))
        second = positions_of(public, same_people[[f"{k}_b" for k in KEY]].set_axis(KEY, axis=1))
        both = (first >= 0) & (second >= 0)
        first, second = first[both], second[both]
        add(TWINS, [_pair_terms(2 * first, 2 * second), _pair_terms(2 * first + 1, 2 * second + 1)])
    if not pieces:
        return pd.DataFrame(columns=["equation", "variable", "coefficient"]), tried
    return pd.concat(pieces, ignore_index=True), tried


def _propagate(bounds: _Bounds, terms: pd.DataFrame, *, rounds: int = 100) -> _Bounds:
    """Narrow every range with every equation sum(c * v) = 0, until nothing changes."""
    low, high = bounds.low.copy(), bounds.high.copy()
    pairs = len(low) // 2
    x, n = 2 * np.arange(pairs), 2 * np.arange(pairs) + 1
    if terms.empty:
        return _Bounds(low, high)
    equation = terms["equation"].to_numpy(dtype=int)
    variable = terms["variable"].to_numpy(dtype=int)
    coefficient = terms["coefficient"].to_numpy(dtype=float)
    size = int(equation.max()) + 1
    positive = coefficient > 0
    for _ in range(rounds):
        before_low, before_high = low.copy(), high.copy()
        term_low = np.where(positive, low[variable], -high[variable]) * np.abs(coefficient)
        term_high = np.where(positive, high[variable], -low[variable]) * np.abs(coefficient)
        sum_low = np.bincount(equation, weights=term_low, minlength=size)
        sum_high = np.bincount(equation, weights=term_high, minlength=size)
        rest_low = sum_low[equation] - term_low
        rest_high = sum_high[equation] - term_high
        # c * v = -rest
        new_low = np.where(positive, -rest_high, rest_low) / np.abs(coefficient)
        new_high = np.where(positive, -rest_low, rest_high) / np.abs(coefficient)
        np.maximum.at(low, variable, np.ceil(new_low - 1e-9))
        np.minimum.at(high, variable, np.floor(new_high + 1e-9))
        # A numerator is no larger than its denominator.
        high[x] = np.minimum(high[x], high[n])
        low[n] = np.maximum(low[n], low[x])
        low, high = np.clip(low, 0, BIG), np.clip(high, 0, BIG)
        if np.array_equal(low, before_low) and np.array_equal(high, before_high):
            break
    return _Bounds(low, high)


def _small(values: np.ndarray) -> np.ndarray:
    return (values >= 1) & (values <= SMALL)


def _recovered(public: pd.DataFrame, bounds: _Bounds, why: str) -> pd.DataFrame:
    """Rows of FOUND_COLUMNS for every count narrowed to a value that discloses."""
    unit = public["unit"].astype(str).to_numpy()
    hidden = public["suppressed"].to_numpy(dtype=bool)
    value = public["value"].to_numpy(dtype=float)
    low, high = bounds.low, bounds.high
    pinned = (low == high) & (high < BIG)
    x, n = pinned[0::2], pinned[1::2]
    x_value, n_value = low[0::2], low[1::2]
    is_count = unit == "count"
    share = np.isin(unit, ["percent", "rate"])
    pieces = []

    def add(mask: np.ndarray, count: str, values: np.ndarray) -> None:
        rows = np.flatnonzero(mask)
        if len(rows):
            frame = public.iloc[rows][KEY].copy()
            frame["count"] = count
            frame["recovered"] = values[rows]
            frame["why"] = why
            pieces.append(frame)

    rounded_count = is_count & ~hidden & (value > 0)
    add(x & is_count & (hidden | rounded_count | _small(x_value)), "value", x_value)
    add(x & share & (hidden | _small(x_value)), "numerator", x_value)
    add(n & (unit == "percent") & (hidden | _small(n_value)), "denominator", n_value)
    add(x & n & (unit == "percent") & _small(n_value - x_value), "others", n_value - x_value)
    if not pieces:
        return pd.DataFrame(columns=FOUND_COLUMNS)
    return pd.concat(pieces, ignore_index=True)[FOUND_COLUMNS]


def attack(
    public: pd.DataFrame,
    *,
    census: Mapping[str, int] | None = None,
    same_people: pd.DataFrame | None = None,
    attacks: Iterable[str] = ATTACKS,
) -> Attack:
    """Run the attacks on a public table; what they tried and what they recovered."""
    families = set(attacks)
    public = public.reset_index(drop=True)
    tried: dict[str, int] = {}
    bounds = _start(public, census=census or {}, invert=INVERSION in families, tried=tried)
    terms, counted = _equations(public, families, same_people=same_people)
    tried |= counted
    found = _recovered(public, _propagate(bounds, terms), why=" + ".join(sorted(families)))
    return Attack(tried=tried, found=found.drop_duplicates(subset=[*KEY, "count"]))


def same_people_pairs(exact: pd.DataFrame, public: pd.DataFrame) -> pd.DataFrame:
    """The worst case of what a reader knows about which cells hold the same people.

    Every pair of cells of one measure, area and period, under different
    breakdowns, with the same exact counts (for a percentage, the same
    numerator and denominator), one of them hidden in `public`: a reader who
    knows that young carers are the children's services register knows
    some of these pairs; one who knows them all is the worst case.
    """
    merged = exact.merge(public[[*KEY, "suppressed"]], on=KEY, how="inner")
    merged = merged[merged["breakdown"] != "all"]
    count = merged["numerator"].where(merged["numerator"].notna(), merged["value"])
    merged = merged.assign(_x=count, _n=merged["denominator"].fillna(-1.0))
    merged = merged[merged["_x"] > 0]
    pairs = merged.merge(
        merged, on=["measure_id", "area", "period", "_x", "_n"], suffixes=("_a", "_b")
    )
    pairs = pairs[
        (pairs["breakdown_a"] < pairs["breakdown_b"])
        & (pairs["suppressed_a"] | pairs["suppressed_b"])
    ]
    for key in ("measure_id", "area", "period"):
        pairs[f"{key}_a"] = pairs[key]
        pairs[f"{key}_b"] = pairs[key]
    return pairs[[f"{k}_{side}" for side in "ab" for k in KEY]].reset_index(drop=True)

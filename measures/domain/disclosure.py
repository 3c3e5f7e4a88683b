"""Disclosure control for public numbers (SPEC section 7, NHS Digital practice).

Internal views show exact values; anything a member of the public can see or
download goes through :func:`suppress` first (and, with the audit that
attacks the result, :func:`measures.domain.public_figures.public_view`). The
design, with the evidence for it and its cost, is docs/disclosure.md.

Primary suppression, row by row: a ``count`` of 1 to 7; a ``percent``,
``rate`` (per 100) or ``mean`` whose denominator (for a mean, the number of
respondents) is below 10, or missing, since the row's safety cannot then be
checked.

Secondary suppression, until nothing changes (the relations are
:mod:`measures.domain.relations`'):

* a breakdown (cells sharing ``measure_id, area, period, breakdown`` under the
  ``all`` row) with exactly one hidden cell: the next smallest cell (by true
  count, or by denominator) is hidden too. Non-zero cells first: hiding a zero
  beside a small number only tells the reader the small number again; ties go
  to the lower ``breakdown_value``, then the earlier row; with no cell to hide,
  the total. A hidden total whose cells add up to it and are all shown: its
  smallest cell is hidden;
* a year and its quarters (pooled measures): one hidden quarter hides the year;
  a hidden year with every quarter shown hides its Q4, so publishing a year
  never changes an earlier quarter;
* a cell with the same exact counts as a hidden cell of the same measure and
  period under another breakdown (they may be the same people) is hidden;
* cells of two measures holding the same people (young_carers_known and the
  0-17 cell of known_carers, ...) are hidden together.

Then the published numbers: counts rounded to the nearest 5, halves up (12 ->
10, 13 -> 15, 8 -> 10; 12.5 -> 15), with no interval; a percentage worked out
from its numerator and denominator each rounded to 5, a rate from its rounded
numerator over its (public, census) denominator, and their intervals from
:func:`measures.domain.stats.rounded_interval`, so that they tell no more than
the rounded counts; a mean and its interval as computed. ``numerator`` and
``denominator`` are never published: the columns stay, always missing, so the
public table has the internal one's shape.

Suppressed means missing, never zero: every numeric field of a suppressed row
is NaN and the boolean ``suppressed`` column says why. :func:`display_value`
renders it as ``*``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from measures.domain.relations import Groups, breakdown_groups, link_pairs, period_groups
from measures.domain.stats import ROUNDING, SHOWN_FROM, rounded_interval

SMALL_COUNT_MAX = 7
ROUNDING_BASE = ROUNDING
MIN_DENOMINATOR = SHOWN_FROM
SUPPRESSED_MARK = "*"
UNITS = frozenset({"count", "percent", "mean", "rate"})
GROUP_KEY = ("measure_id", "area", "period", "breakdown")
ROW_KEY = (*GROUP_KEY, "breakdown_value")
NUMERIC_COLUMNS = ("value", "numerator", "denominator", "lower_ci", "upper_ci")
REQUIRED_COLUMNS = (*ROW_KEY, *NUMERIC_COLUMNS, "unit")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cell openings a spreadsheet may run as a formula (OWASP CSV injection)."""


class DisclosureInputError(ValueError):
    """The measures table cannot be made safe as given; the message says why."""


def round_to_base(values: np.ndarray | float) -> np.ndarray:
    """Counts as published: to the nearest ROUNDING_BASE, halves up (12.5 -> 15)."""
    return np.floor(np.asarray(values, dtype=float) / ROUNDING_BASE + 0.5) * ROUNDING_BASE


def _float_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    try:
        numeric = pd.to_numeric(frame[column], errors="raise")
    except (TypeError, ValueError) as error:
        raise DisclosureInputError(f"column {column!r} must be numeric: {error}") from None
    return numeric.to_numpy(dtype="float64", na_value=np.nan).copy()


def _units(frame: pd.DataFrame) -> np.ndarray:
    units = frame["unit"].astype("string").str.strip().str.lower()
    unknown = sorted(set(units.dropna()) - UNITS)
    if units.isna().any() or unknown:
        raise DisclosureInputError(
            f"unit must be one of {sorted(UNITS)}; found {unknown or 'missing units'}"
        )
    return units.to_numpy(dtype=object)


def _check_shape(frame: pd.DataFrame) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise DisclosureInputError(f"measures table lacks columns {missing}")
    blank_keys = [column for column in ROW_KEY if frame[column].isna().any()]
    if blank_keys:
        raise DisclosureInputError(f"key columns {blank_keys} have missing values")
    duplicated = frame.duplicated(subset=list(ROW_KEY), keep=False)
    if duplicated.any():
        first = frame.loc[duplicated, list(ROW_KEY)].iloc[0].tolist()
        raise DisclosureInputError(f"more than one row for {first}")


def _primary_suppression(
    value: np.ndarray, denominator: np.ndarray, *, is_count: np.ndarray
) -> np.ndarray:
    """Rows hidden on their own merits: small counts and thin denominators."""
    small = is_count & (value > 0) & (value < SMALL_COUNT_MAX + 1)
    thin = ~is_count & ~np.isnan(value) & ~(denominator >= MIN_DENOMINATOR)
    return small | thin


def _first_per_group(group: np.ndarray, position: np.ndarray, *order: np.ndarray) -> np.ndarray:
    """The position that sorts first within each group (lexsort `order`, then position)."""
    if not len(position):
        return position
    ranked = np.lexsort((position, *reversed(order), group))
    group_sorted = group[ranked]
    first = np.r_[True, group_sorted[1:] != group_sorted[:-1]]
    return position[ranked[first]]


def _protect_groups(
    groups: Groups, hidden: np.ndarray, *, size: np.ndarray, label: np.ndarray, years: bool
) -> np.ndarray:
    """One pass of the rules for parts under a total; returns the new hidden flags.

    * A lone hidden part of a breakdown: the smallest other part is hidden too,
      non-zero parts first; without one, the total. A lone hidden quarter
      beside its shown year: the year is hidden, so that publishing a year
      never changes a quarter published before it.
    * A hidden total whose parts add up to it and are all shown: the smallest
      part is hidden (for a year, its Q4, published with it).
    """
    result = hidden.copy()
    rows = np.flatnonzero(groups.group >= 0)
    if not len(rows):
        return result
    group = groups.group[rows]
    count = len(groups.total)
    has_total = groups.total >= 0
    total_hidden = np.zeros(count, dtype=bool)
    total_hidden[has_total] = hidden[groups.total[has_total]]
    hidden_parts = np.bincount(group, weights=hidden[rows], minlength=count)
    parts = np.bincount(group, minlength=count)
    open_part = ~hidden[rows] & ~np.isnan(size[rows])
    lone = hidden_parts == 1
    if years:
        result[groups.total[lone & has_total & ~total_hidden]] = True
    else:
        pick = lone[group] & open_part
        chosen = _first_per_group(
            group[pick], rows[pick], size[rows[pick]] == 0, size[rows[pick]], label[rows[pick]]
        )
        result[chosen] = True
        stranded = lone & has_total & ~np.isin(np.arange(count), group[pick])
        result[groups.total[stranded]] = True
    bare = total_hidden & (hidden_parts == 0) & (parts > 0) & groups.partition
    pick = bare[group] & open_part
    if years:
        pick &= np.char.endswith(label[rows].astype(str), "Q4")
    chosen = _first_per_group(
        group[pick], rows[pick], size[rows[pick]] == 0, size[rows[pick]], label[rows[pick]]
    )
    result[chosen] = True
    return result


def _protect_twins(frame: pd.DataFrame, hidden: np.ndarray, *, twin: pd.DataFrame) -> np.ndarray:
    """Rows of one measure, area and period with the same counts as a hidden row are hidden too.

    Two cells with the same counts may be the same people under two breakdowns
    (young carers and the children's services register, say): showing one
    would show the other.
    """
    keyed = twin.notna().all(axis=1).to_numpy() & (twin.iloc[:, -1] > 0).to_numpy()
    if not keyed.any():
        return hidden
    keys = pd.concat([frame[["measure_id", "area", "period"]].astype(str), twin], axis=1)[keyed]
    codes = pd.factorize(pd.MultiIndex.from_frame(keys))[0]
    breakdown = pd.factorize(frame["breakdown"].astype(str))[0][keyed]
    masked = np.where(hidden[keyed], breakdown, -1)
    span = codes.max() + 1
    first = np.full(span, np.iinfo(np.int64).max)
    np.minimum.at(first, codes[masked >= 0], masked[masked >= 0])
    last = np.full(span, -1)
    np.maximum.at(last, codes, masked)
    # Twins under another breakdown than the hidden ones: different cells of one
    # breakdown are different people.
    exposed = (last[codes] >= 0) & ((first[codes] != last[codes]) | (first[codes] != breakdown))
    result = hidden.copy()
    result[np.flatnonzero(keyed)[exposed]] = True
    return result


def _protect_links(hidden: np.ndarray, *, links: pd.DataFrame) -> np.ndarray:
    """Cells holding the same people as a hidden cell of another measure are hidden too."""
    result = hidden.copy()
    a, b = links["a"].to_numpy(dtype=int), links["b"].to_numpy(dtype=int)
    result[a[hidden[b]]] = True
    both = links["both_ways"].to_numpy(dtype=bool)
    result[b[both & hidden[a]]] = True
    return result


MAX_ROUNDS = 50


def _hidden(frame: pd.DataFrame, primary: np.ndarray, *, size: np.ndarray, twin: pd.DataFrame):
    """Primary suppression closed under every rule: breakdowns, years, twins and links."""
    label = frame["breakdown_value"].astype(str).to_numpy(dtype=object)
    period = frame["period"].astype(str).to_numpy(dtype=object)
    cells, quarters = breakdown_groups(frame), period_groups(frame)
    links = link_pairs(frame)
    hidden = primary.copy()
    for _ in range(MAX_ROUNDS):
        before = hidden
        hidden = _protect_groups(cells, hidden, size=size, label=label, years=False)
        hidden = _protect_groups(quarters, hidden, size=size, label=period, years=True)
        hidden = _protect_twins(frame, hidden, twin=twin)
        hidden = _protect_links(hidden, links=links)
        if np.array_equal(before, hidden):
            return hidden
    raise DisclosureInputError("secondary suppression did not settle")  # pragma: no cover


def suppress(frame: pd.DataFrame, *, hide: np.ndarray | None = None) -> pd.DataFrame:
    """The public version of a measures table; the input is left untouched.

    `hide` marks further rows to hide as if small (those an audit found could
    be worked out, see :func:`measures.domain.public_figures.public_view`).

    Returns the same rows, index and columns plus a boolean ``suppressed``:
    small counts and thin percentages/means hidden with every figure that
    would give them away (see the module docstring); counts rounded to 5;
    percentages and rates, and their intervals, worked out from the rounded
    counts; numerator and denominator blanked everywhere; no interval on
    counts. Other columns pass through unchanged.
    """
    _check_shape(frame)
    units = _units(frame)
    numbers = {column: _float_column(frame, column) for column in NUMERIC_COLUMNS}
    value, numerator, denominator = (numbers[c] for c in ("value", "numerator", "denominator"))
    is_count = units == "count"
    if (value[is_count] < 0).any():
        raise DisclosureInputError("a count cannot be negative")

    primary = _primary_suppression(value, denominator, is_count=is_count)
    if hide is not None:
        primary |= np.asarray(hide, dtype=bool)
    size = np.where(is_count, value, denominator)
    twin = pd.DataFrame(
        {
            "unit": units,
            "first": np.where(is_count, np.nan, np.where(units == "mean", value, numerator)),
            "size": np.where(is_count, value, np.where(units == "rate", numerator, denominator)),
        },
        index=frame.index,
    )
    twin.loc[is_count | (units == "rate"), "first"] = 0.0
    hidden = _hidden(
        frame.reset_index(drop=True), primary, size=size, twin=twin.reset_index(drop=True)
    )

    lower_ci, upper_ci = numbers["lower_ci"], numbers["upper_ci"]
    value = np.where(is_count, round_to_base(value), value)
    lower_ci[is_count] = np.nan
    upper_ci[is_count] = np.nan
    for unit, exact in (("percent", False), ("rate", True)):
        rows = units == unit
        x = round_to_base(numerator[rows])
        n = denominator[rows] if exact else round_to_base(denominator[rows])
        with np.errstate(invalid="ignore", divide="ignore"):
            value[rows] = np.where(n > 0, 100.0 * x / n, np.nan)
        lower_ci[rows], upper_ci[rows] = rounded_interval(x, n, exact_denominator=exact)
    for array in (value, lower_ci, upper_ci):
        array[hidden] = np.nan

    public = frame.copy()
    public["value"] = value
    public["lower_ci"] = lower_ci
    public["upper_ci"] = upper_ci
    public["numerator"] = np.nan
    public["denominator"] = np.nan
    public["suppressed"] = hidden
    return public


def display_value(value: float | None, *, suppressed: bool, unit: str, decimals: int = 1) -> str:
    """A public value as text: ``*`` when suppressed, blank when simply missing.

    Counts get thousands separators, percentages a ``%`` sign; rates (per 100)
    and means are plain decimals.
    """
    unit = unit.strip().lower()
    if unit not in UNITS:
        raise DisclosureInputError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")
    if suppressed:
        return SUPPRESSED_MARK
    if value is None or pd.isna(value):
        return ""
    number = float(value)
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "percent":
        return f"{number:.{decimals}f}%"
    return f"{number:.{decimals}f}"


def safe_csv_cell(value: object) -> object:
    """A text cell that a spreadsheet could run as a formula, prefixed with ``'``.

    Only strings are changed. Numbers, including negative ones, stay numbers:
    a spreadsheet reads a numeric ``-5`` as a number, not a formula, and
    quoting it would turn it into text. The text ``"-5"`` is escaped like any
    other string starting with ``-``.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def make_csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`safe_csv_cell`.

    Numeric and boolean columns are left alone; text, object and categorical
    columns are escaped cell by cell. Column names are the code's own and are
    not changed.
    """
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            safe[column] = series.astype(object).map(safe_csv_cell)
        elif pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            safe[column] = series.map(safe_csv_cell, na_action="ignore")
    return safe

"""Disclosure control for public numbers (SPEC section 7, NHS Digital practice).

Internal views show exact values; anything a member of the public can see or
download goes through :func:`suppress` first. The rules, row by row:

* ``count``: 0 stays 0; 1 to 7 is suppressed; anything else is rounded to the
  nearest 5, halves going up (12 -> 10, 13 -> 15, 8 -> 10; a half can only
  arise for non-whole counts, e.g. 12.5 -> 15). No interval is published.
* ``percent``, ``rate`` (per 100, e.g. identification_rate) and ``mean``: the
  value and its interval are shown when the denominator (for a mean, the
  number of respondents) is 10 or more, else suppressed. A missing denominator
  is suppressed too, since the row's safety cannot be checked. A percentage is
  shown even when its numerator is small, as NHS Digital does once the
  denominator is 10 or more.
* ``numerator`` and ``denominator`` are never published, for any unit. Beside
  an exact percentage a rounded numerator or denominator can be un-rounded,
  and small numerators would need their own suppression; publishing the value
  (and interval) alone keeps one clear rule per row. The columns stay in the
  output, always missing, so the public table has the internal one's shape.

Secondary suppression works on a breakdown group: the cells sharing
``measure_id, area, period, breakdown``, whose total is the row of the same
measure, area and period with breakdown ``all`` (or ``total``). Where exactly
one cell of a group is suppressed, the published total and siblings would give
it away, so the next smallest cell (by true count, or by denominator for the
other units) is suppressed too. Non-zero cells are preferred: hiding a zero
beside a small number only tells the reader the small number again. Ties go to
the lower ``breakdown_value``, then to the earlier row. If no sibling can be
hidden (a one-cell group, or siblings with missing values), the total is
suppressed instead. So in every group the number of suppressed cells is never
exactly one while the total is published.

Suppressed means missing, never zero: every numeric field of a suppressed row
is NaN and the boolean ``suppressed`` column says why. :func:`display_value`
renders it as ``*``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SMALL_COUNT_MAX = 7
ROUNDING_BASE = 5
MIN_DENOMINATOR = 10
SUPPRESSED_MARK = "*"
TOTAL_BREAKDOWNS = frozenset({"all", "total"})
UNITS = frozenset({"count", "percent", "mean", "rate"})
GROUP_KEY = ("measure_id", "area", "period", "breakdown")
ROW_KEY = (*GROUP_KEY, "breakdown_value")
NUMERIC_COLUMNS = ("value", "numerator", "denominator", "lower_ci", "upper_ci")
REQUIRED_COLUMNS = (*ROW_KEY, *NUMERIC_COLUMNS, "unit")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cell openings a spreadsheet may run as a formula (OWASP CSV injection)."""


class DisclosureInputError(ValueError):
    """The measures table cannot be made safe as given; the message says why."""


def round_count(count: float) -> float:
    """A count rounded to the nearest 5, halves up; NaN stays NaN.

    This is only the rounding step: :func:`suppress` also hides counts of 1-7.
    """
    return float(_round_to_base(np.array([count], dtype="float64"))[0])


def _round_to_base(values: np.ndarray) -> np.ndarray:
    return np.floor(values / ROUNDING_BASE + 0.5) * ROUNDING_BASE


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


def _secondary_suppression(
    frame: pd.DataFrame, primary: np.ndarray, *, size: np.ndarray
) -> np.ndarray:
    """Add complementary suppressions so no lone hidden cell sits beside a total."""
    breakdown = frame["breakdown"].astype("string").str.strip().str.lower()
    is_total = breakdown.isin(TOTAL_BREAKDOWNS).to_numpy(dtype=bool)
    keys = {column: frame[column].to_numpy(dtype=object) for column in GROUP_KEY}
    cells = pd.DataFrame(
        {
            **keys,
            "position": np.arange(len(frame)),
            "hidden": primary,
            "size": size,
            "label": frame["breakdown_value"].astype("string").to_numpy(dtype=object),
        }
    )[~is_total]
    grouped = cells.groupby(list(GROUP_KEY), sort=False)
    cells["group"] = grouped.ngroup()
    lone = cells[grouped["hidden"].transform("sum") == 1]

    candidates = lone[~lone["hidden"] & lone["size"].notna()]
    chosen = (
        candidates.assign(is_zero=candidates["size"] == 0)
        .sort_values(["is_zero", "size", "label", "position"])
        .drop_duplicates("group")
    )
    result = primary.copy()
    result[chosen["position"].to_numpy(dtype=int)] = True

    # No sibling to hide (a one-cell group, or siblings without values): hide
    # the group's total instead.
    stranded = lone[~lone["group"].isin(chosen["group"])]
    stranded_totals = set(stranded[list(GROUP_KEY[:3])].itertuples(index=False, name=None))
    for position in np.flatnonzero(is_total):
        if tuple(keys[column][position] for column in GROUP_KEY[:3]) in stranded_totals:
            result[position] = True
    return result


def suppress(frame: pd.DataFrame) -> pd.DataFrame:
    """The public version of a measures table; the input is left untouched.

    Returns the same rows, index and columns plus a boolean ``suppressed``:
    counts rounded to 5, small counts and thin percentages/means hidden along
    with their secondary cells, numerator and denominator blanked everywhere,
    and no interval on counts. Other columns pass through unchanged.
    """
    _check_shape(frame)
    units = _units(frame)
    numbers = {column: _float_column(frame, column) for column in NUMERIC_COLUMNS}
    value, denominator = numbers["value"], numbers["denominator"]
    is_count = units == "count"
    if (value[is_count] < 0).any():
        raise DisclosureInputError("a count cannot be negative")

    primary = _primary_suppression(value, denominator, is_count=is_count)
    size = np.where(is_count, value, denominator)
    hidden = _secondary_suppression(frame, primary, size=size)

    value = np.where(is_count, _round_to_base(value), value)
    lower_ci, upper_ci = numbers["lower_ci"], numbers["upper_ci"]
    lower_ci[is_count] = np.nan
    upper_ci[is_count] = np.nan
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

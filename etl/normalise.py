"""Canonical spellings of an extract's values, and load-ready types (SPEC 3.1, 3.3).

``normalise`` never raises and never drops a row: a value it cannot read is kept
as written, so the validation suite reports it with its row number. Work is done
once per distinct value (``pandas.factorize``), which keeps a million-row file
to a fraction of a second per column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from carers_impact.extracts import Column, Extract, get_extract

ROW = "_row"

_ISO = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
_DAY_FIRST = r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$"
_WHOLE = r"^\+?[0-9]+(?:\.0*)?$|^-[0-9]+(?:\.0*)?$"


def normalise(
    frame: pd.DataFrame, *, extract: Extract | str, localities: Sequence[str] | None = None
) -> pd.DataFrame:
    """The frame with each known column's values in canonical form; other columns untouched.

    Categories (and localities, when given) match ignoring case and surrounding
    spaces; dates become ``YYYY-MM-DD``; whole numbers lose a leading ``+``,
    leading zeros and ``.0``. Cells stay ``str`` or ``None``.
    """
    extract = get_extract(extract) if isinstance(extract, str) else extract
    out = frame.copy()
    for column in extract.columns:
        if column.name not in out.columns:
            continue
        convert = _converter(column, localities)
        if convert is not None:
            out[column.name] = _per_distinct_value(out[column.name], convert)
        else:
            out[column.name] = _as_text(out[column.name])
    return out


def _as_text(series: pd.Series) -> pd.Series:
    """Object dtype with ``None`` for blank, whatever dtype pandas inferred."""
    if series.dtype == object and not series.isna().any():
        return series
    values = series.to_numpy(dtype=object, na_value=None)
    return pd.Series(values, index=series.index, dtype=object, name=series.name)


def _converter(
    column: Column, localities: Sequence[str] | None
) -> Callable[[pd.Series], pd.Series] | None:
    if column.kind == "date":
        return iso_dates
    if column.kind == "integer":
        return whole_numbers
    if column.kind == "category":
        if _is_numeric(column):
            return lambda values: canonical_values(whole_numbers(values), column.values)
        return lambda values: canonical_values(values, column.values)
    if column.name == "locality" and localities:
        return lambda values: canonical_values(values, localities)
    return None


def _is_numeric(column: Column) -> bool:
    return column.kind == "integer" or (
        column.kind == "category" and all(v.isdigit() for v in column.values)
    )


def _per_distinct_value(series: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``convert`` to each distinct value once; blanks stay ``None``."""
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    texts = pd.Series(distinct, dtype=object).map(str)
    converted = convert(texts).to_numpy(dtype=object)
    values = np.append(converted, None)[codes]  # code -1 (blank) picks the trailing None
    return pd.Series(values, index=series.index, dtype=object, name=series.name)


def canonical_values(values: pd.Series, allowed: Sequence[str]) -> pd.Series:
    """Each value in its allowed spelling if it matches ignoring case and spaces, else as given."""
    spelling = {value.strip().casefold(): value for value in allowed}
    matched = values.str.strip().str.casefold().map(spelling)
    return matched.where(matched.notna(), values).astype(object)


def whole_numbers(values: pd.Series) -> pd.Series:
    """``" 3 "``, ``"03"``, ``"+3"``, ``"3.0"`` -> ``"3"``; anything else as given."""
    stripped = values.str.strip()
    whole = stripped.str.match(_WHOLE)
    digits = stripped.str.replace(r"\.0*$", "", regex=True).str.lstrip("+")
    sign = np.where(digits.str.startswith("-"), "-", "")
    magnitude = digits.str.lstrip("-").str.lstrip("0").replace("", "0")
    canonical = pd.Series(sign, index=values.index) + magnitude
    canonical = canonical.where(canonical != "-0", "0")
    return canonical.where(whole, values).astype(object)


def iso_dates(values: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` (with any time of day), ``DD/MM/YYYY`` or ``D/M/YYYY`` -> ``YYYY-MM-DD``.

    Never month-first. A value in none of these forms, or not a real date
    (31/02/2024, 2024-13-01), is kept as given.
    """
    stripped = values.str.strip()
    iso = stripped.str.extract(_ISO)
    uk = stripped.str.extract(_DAY_FIRST)
    year = iso[0].fillna(uk[2])
    month = iso[1].fillna(uk[1].str.zfill(2))
    day = iso[2].fillna(uk[0].str.zfill(2))
    candidate = year + "-" + month + "-" + day
    real = pd.to_datetime(candidate, format="%Y-%m-%d", errors="coerce").notna()
    return candidate.where(real, values).astype(object)


def to_typed(frame: pd.DataFrame, *, extract: Extract | str) -> pd.DataFrame:
    """Load-ready columns of a normalised frame that passed validation.

    Every column of the extract is present (missing ones all blank), in the
    extract's order after ``_row``: dates as datetime64 (NaT when blank), qol
    items, satisfaction and nights as nullable Int64, the rest ``str``/``None``.
    """
    extract = get_extract(extract) if isinstance(extract, str) else extract
    if ROW in frame.columns:
        rows = frame[ROW].astype("int64")
    else:
        rows = pd.Series(np.arange(2, len(frame) + 2), index=frame.index, dtype="int64")
    typed: dict[str, pd.Series] = {ROW: rows}
    for column in extract.columns:
        if column.name in frame.columns:
            values = frame[column.name].astype(object)
            values = values.where(values.notna(), None)
        else:
            values = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        typed[column.name] = _typed(values, column)
    return pd.DataFrame(typed, index=frame.index).reset_index(drop=True)


def _typed(values: pd.Series, column: Column) -> pd.Series:
    if column.kind == "date":
        return pd.to_datetime(values, format="%Y-%m-%d")
    if _is_numeric(column):
        return pd.to_numeric(values).astype("Int64")
    return values

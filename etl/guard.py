"""Reject files holding direct identifiers before any of their content is stored (SPEC 3.2).

A column named like a name, address, postcode, NHS number, date of birth, email
address or phone number rejects the file, as does an NHS number anywhere (in a
cell or a column name, however it is written) and a column of dates of birth
under any name. Findings name the column and the rows, never the values; a
column whose name holds an NHS number is not named at all.

Run it on ``etl.read.read_table``'s result, which still has every column of
the file; ``etl.pipeline.check_file`` does so before it drops unknown columns.
The rules are listed in docs/extracts.md.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from carers_impact.extracts import EXTRACTS, Extract
from etl.read import ROW, RawTable
from etl.report import ExtractRejected, Report

_WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)  # 10, 9, ..., 2 on the first nine digits

_DIGIT_RUN = re.compile(r"(?<![^\W_])(?>[0-9]+(?:[\W_]{1,3}[0-9]+)*)(?![^\W_])")
"""Digits in groups joined by up to three characters that are neither letters nor
digits (spaces of any kind, dots, hyphens, slashes, brackets, ...), not touching a
letter: `943 476 5919`, `(943) 476-5919`, `NHS: 9434765919.0`, but not `AB9434765919`."""
_GROUPS = re.compile(r"[0-9]+")
_SPLITS = ({3, 6}, {1, 4, 7})
"""Where an NHS number may be split into groups: 3-3-4 (or any part of that), or
1-3-3-3 as a number with thousands separators."""
_EXPONENT = re.compile(r"[+]?([1-9])\.([0-9]{1,9})[eE][+]?0?9")
"""A ten-digit whole number in scientific notation, as a spreadsheet may write it."""

_NAME_WORDS = {
    "surname", "surnames", "forename", "forenames", "firstname", "lastname",
    "fullname", "givenname", "familyname", "middlename", "maidenname",
    "nickname", "christianname", "knownas", "initials",
}  # fmt: skip
_NAME_TOKEN = re.compile(r"(?P<prefix>[a-z]*?)names?[0-9]*")
_NOT_PEOPLE = (
    "organisation", "organization", "org", "team", "locality", "area", "service",
    "scheme", "provider", "site", "ward", "file", "sheet", "practice", "school",
    "trust", "hospital", "place", "venue", "group", "project", "town", "city",
    "county", "borough", "council", "company", "business", "product", "course",
    "event", "activity", "measure", "extract", "column", "field", "host", "path",
    "table", "region", "district", "building", "unit", "department", "programme",
    "agency", "charity", "partner", "network", "authority", "centre", "center",
    "category", "type", "break", "setting", "home", "commissioner", "directorate",
)  # fmt: skip
"""Words that make a `... name` column something other than a person's name."""
_PHONE_WORDS = {"tel", "mobile", "mob", "landline", "cell", "fax"}

_DATE_TEXT = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4})"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
DOB_SHARE = 0.8
"""A column is taken for dates of birth when at least this share of its values are
dates that put a person aged 0 to 110 at the quarter's end ..."""
DOB_MEDIAN_YEARS = 5
"""... and half of them are at least this many years before it (an extract's own
dates are of events in recent quarters)."""


def is_valid_nhs_number(text: object) -> bool:
    """Whether the text holds a valid NHS number, by the same rule as the column scan."""
    return bool(nhs_number_rows(pd.Series([text], dtype=object), np.array([0])).size)


def nhs_number_candidates(text: str) -> list[str]:
    """The ten-digit numbers the text holds however they are written (see the rules
    above); their check digits are not looked at here."""
    found = []
    exponent = _EXPONENT.fullmatch(text.strip())
    if exponent:
        found.append(exponent[1] + exponent[2].ljust(9, "0"))
    for run in _DIGIT_RUN.finditer(text):
        groups = _GROUPS.findall(run[0])
        for first in range(len(groups)):
            length, splits = 0, set()
            for group in groups[first:]:
                if length:
                    splits.add(length)
                length += len(group)
                if length >= 10:
                    break
            if length == 10 and (splits <= _SPLITS[0] or splits == _SPLITS[1]):
                found.append("".join(groups[first:])[:10])
    return found


def personal_data_kind(column: str) -> str | None:
    """The direct identifier a normalised column name suggests, e.g. "a person's
    name", or None. Whole words are compared, so ``carer_id`` and ``locality``
    do not match, nor ``organisation_name``."""
    tokens = [t for t in re.split(r"[^a-z0-9]+", column.lower()) if t]
    words = set(tokens)
    compact = "".join(tokens)
    if _names_a_person(tokens):
        return "a person's name"
    if ("address" in compact and "email" not in compact) or words & {"addr", "street"}:
        return "an address"
    if any(word in compact for word in ("postcode", "postalcode", "zipcode")) or "zip" in words:
        return "a postcode"
    if re.search(r"nhs_?(number|no|num|nbr|id)(_|$)", "_".join(tokens)) or compact == "nhs":
        return "an NHS number"
    if "nationalinsurance" in compact or compact in {"ninumber", "nino"}:
        return "a National Insurance number"
    if any(word in compact for word in ("dateofbirth", "birthdate", "datebirth", "birthday")):
        return "a date of birth"
    if words & {"dob", "born", "birth"} or compact == "dob":
        return "a date of birth"
    if "email" in compact:
        return "an email address"
    if "phone" in compact or words & _PHONE_WORDS or "contactnumber" in compact:
        return "a phone number"
    return None


def _names_a_person(tokens: list[str]) -> bool:
    """`Carer's Name`, `CarerName`, `First Name(s)`, `Name_2`, `name of carer`: any
    word that is or ends in "name", unless the name is of an organisation, team,
    place or thing (`organisation_name`, `TeamName`, `file name`)."""
    if set(tokens) & _NAME_WORDS or "".join(tokens) in _NAME_WORDS:
        return True
    for token in tokens:
        found = _NAME_TOKEN.fullmatch(token)
        if found is None:
            continue
        prefix = found["prefix"]
        if prefix.endswith(_NOT_PEOPLE) and prefix:
            continue
        if any(t.endswith(_NOT_PEOPLE) for t in tokens if t != token):
            continue
        return True
    return False


def check_personal_data(
    table: RawTable | pd.DataFrame,
    *,
    report: Report,
    extract: Extract | None = None,
    as_of: date | None = None,
) -> None:
    """Add a ``personal_data`` error for every offending column; reject if any.

    ``table`` is ``read_table``'s result or its frame: every column of the file,
    normalised names and ``_row``. The extract's own date columns (every
    extract's, if none is given) are never taken for dates of birth; ages are
    worked out at ``as_of`` (the quarter's end; default today).
    """
    frame = table if isinstance(table, pd.DataFrame) else table.frame
    written = {} if isinstance(table, pd.DataFrame) else table.headers
    declared = {
        c.name
        for e in ([extract] if extract else EXTRACTS.values())
        for c in e.columns
        if c.kind == "date"
    }
    rows = frame[ROW].to_numpy()
    before = len(report.errors)
    for column in frame.columns:
        if column == ROW:
            continue
        named: str | None = column
        headers = [column, column.replace("_", " "), written.get(column, "")]
        if nhs_number_rows(pd.Series(headers, dtype=object), np.arange(3)).size:
            named = None  # the header holds an NHS number: never repeat it
            report.error(
                "personal_data",
                "a column name holds an NHS number; row 1 must hold the column names, "
                "and the file must not hold NHS numbers",
            )
        kind = personal_data_kind(column)
        if kind:
            report.error(
                "personal_data",
                f"the column name suggests {kind}. Files must hold pseudonymised records "
                "only: delete this column and submit the file again",
                column=named,
            )
        found = nhs_number_rows(frame[column], rows)
        if found.size:
            report.error(
                "personal_data",
                "holds NHS numbers. Files must hold pseudonymised records only: remove "
                "them (carer_id is the only identifier) and submit the file again",
                column=named,
                count=int(found.size),
                rows=found.tolist(),
            )
        if not kind and column not in declared and _dates_of_birth(frame[column], as_of=as_of):
            report.error(
                "personal_data",
                "looks like dates of birth: nearly every value is a date that gives a "
                "person's age. Files must hold pseudonymised records only: use age_band "
                "instead, delete this column and submit the file again",
                column=named,
            )
    if len(report.errors) > before:
        raise ExtractRejected(report)


def nhs_number_rows(values: pd.Series, rows: np.ndarray) -> np.ndarray:
    """The entries of ``rows`` where ``values`` holds a valid NHS number anywhere.

    Each distinct value is looked at once (most columns hold a handful of
    values), then the check digits of every candidate are computed at once.
    """
    codes, distinct = pd.factorize(values)
    owners: list[int] = []
    numbers: list[str] = []
    for index, value in enumerate(distinct):
        text = value if isinstance(value, str) else _number_text(value)
        for number in nhs_number_candidates(text):
            owners.append(index)
            numbers.append(number)
    if not numbers:
        return np.asarray(rows)[:0]
    valid = np.zeros(len(distinct) + 1, dtype=bool)  # the last entry: missing values
    valid[np.asarray(owners)[_check_digit_ok(_digit_matrix(numbers))]] = True
    return np.asarray(rows)[valid[codes]]


def _number_text(value: object) -> str:
    """A number as a person would read it: 9434765919.0 as 9434765919."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _dates_of_birth(values: pd.Series, *, as_of: date | None) -> bool:
    """Whether a column looks like dates of birth: mostly dates, ages 0 to 110, and
    not mostly recent."""
    present = values.dropna()
    if present.empty:
        return False
    text = present.astype(str).str.strip()
    sample = text.drop_duplicates().head(50)
    if sample.str.fullmatch(_DATE_TEXT).mean() < DOB_SHARE:
        return False  # most columns stop here, after a look at a few values
    parts = text.str.extract(_DATE_TEXT)["date"]
    iso = pd.to_datetime(parts.where(parts.str.len() > 0), format="ISO8601", errors="coerce")
    dmy = pd.to_datetime(
        parts.str.replace(r"[.-]", "/", regex=True), format="%d/%m/%Y", errors="coerce"
    )
    dates = iso.where(parts.str.match(r"[0-9]{4}-"), dmy)
    end = pd.Timestamp(as_of or date.today())
    years = (end - dates).dt.days / 365.25
    ages = years[(years >= 0) & (years <= 110)]
    return len(ages) >= DOB_SHARE * len(text) and ages.median() >= DOB_MEDIAN_YEARS


def _digit_matrix(numbers) -> np.ndarray:
    """Strings of ten ASCII digits -> an (n, 10) integer array."""
    joined = "".join(numbers).encode("ascii")
    return (np.frombuffer(joined, dtype=np.uint8).reshape(-1, 10) - ord("0")).astype(np.int64)


def _check_digit_ok(digits: np.ndarray) -> np.ndarray:
    """Modulus 11: 11 - (weighted sum mod 11) is the tenth digit, 11 meaning 0; a
    result of 10 matches no digit, so such numbers are never valid."""
    check = (11 - (digits[:, :9] @ _WEIGHTS) % 11) % 11
    return check == digits[:, 9]

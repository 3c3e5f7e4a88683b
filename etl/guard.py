"""Reject files holding direct identifiers before any of their content is stored (SPEC 3.2).

A column named like a name, address, postcode, NHS number, date of birth, email
address or phone number rejects the file, as does any cell in any column that
is a valid NHS number. Findings name the column and the rows, never the values.

Run it on ``etl.read.read_table``'s result, which still has every column of
the file; ``read_extract`` does so before it drops unknown columns.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from etl.read import ROW, RawTable
from etl.report import ExtractRejected, Report

NHS_NUMBER_PATTERN = r"[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}"
"""Ten digits, optionally grouped 3-3-4 by spaces or hyphens."""

_WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)  # 10, 9, ..., 2 on the first nine digits
_NHS_NUMBER = re.compile(NHS_NUMBER_PATTERN)

_NAME_WORDS = {
    "surname", "surnames", "forename", "forenames", "firstname", "lastname",
    "fullname", "givenname", "familyname", "middlename", "maidenname",
    "nickname", "christianname", "knownas",
}  # fmt: skip
_NAME_QUALIFIERS = {
    "first", "last", "full", "given", "family", "middle", "maiden", "preferred",
    "christian", "sur", "fore", "nick", "carer", "carers", "cared", "for", "person",
    "client", "patient", "service", "user", "contact", "child", "parent", "young",
    "adult", "respondent", "next", "of", "kin", "nok",
}  # fmt: skip
_PHONE_WORDS = {"tel", "mobile", "mob", "landline", "cell", "fax"}


def is_valid_nhs_number(text: str) -> bool:
    """Ten digits (or 3-3-4 with spaces or hyphens) whose modulus 11 check digit is right."""
    text = str(text).strip()
    if not _NHS_NUMBER.fullmatch(text):
        return False
    digits = _digit_matrix([re.sub("[ -]", "", text)])
    return bool(_check_digit_ok(digits)[0])


def personal_data_kind(column: str) -> str | None:
    """The direct identifier a normalised column name suggests, e.g. "a person's
    name", or None. Whole words are compared, so ``carer_id`` and ``locality``
    do not match, nor ``organisation_name``."""
    tokens = [t for t in re.split(r"[^a-z0-9]+", column.lower()) if t]
    words = set(tokens)
    compact = "".join(tokens)
    if (
        words & _NAME_WORDS
        or compact in _NAME_WORDS
        or (words & {"name", "names"} and words - {"name", "names"} <= _NAME_QUALIFIERS)
    ):
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
    if "dob" in words or compact == "dob":
        return "a date of birth"
    if "email" in compact:
        return "an email address"
    if "phone" in compact or words & _PHONE_WORDS or "contactnumber" in compact:
        return "a phone number"
    return None


def check_personal_data(table: RawTable | pd.DataFrame, *, report: Report) -> None:
    """Add a ``personal_data`` error for every offending column; reject if any.

    ``table`` is ``read_table``'s result or its frame: every column of the file,
    normalised names and ``_row``.
    """
    frame = table if isinstance(table, pd.DataFrame) else table.frame
    rows = frame[ROW].to_numpy()
    before = len(report.errors)
    for column in frame.columns:
        if column == ROW:
            continue
        kind = personal_data_kind(column)
        if kind:
            report.error(
                "personal_data",
                f"the column name suggests {kind}. Files must hold pseudonymised records "
                "only: delete this column and submit the file again",
                column=column,
            )
        named = column
        if is_valid_nhs_number(column.replace("_", " ")):
            named = None  # the header is itself an NHS number: do not repeat it
            report.error(
                "personal_data",
                "a column name is an NHS number; row 1 must hold the column names, "
                "and the file must not hold NHS numbers",
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
    if len(report.errors) > before:
        raise ExtractRejected(report)


def nhs_number_rows(values: pd.Series, rows: np.ndarray) -> np.ndarray:
    """The entries of ``rows`` where ``values`` holds a valid NHS number.

    Vectorised: a pattern match picks the few ten-digit candidates, then the
    check digits of all candidates are computed at once.
    """
    # Each distinct value is checked once: most columns hold a handful of values.
    codes, distinct = pd.factorize(values)
    text = pd.Series(distinct, dtype=object).astype("str")
    candidates = text.str.fullmatch(NHS_NUMBER_PATTERN).to_numpy(dtype=bool, na_value=False)
    if not candidates.any():
        return rows[:0]
    valid = np.zeros(len(distinct) + 1, dtype=bool)  # the last entry: missing values
    digits = _digit_matrix(text[candidates].str.replace(r"[ -]", "", regex=True))
    valid[np.flatnonzero(candidates)[_check_digit_ok(digits)]] = True
    return np.asarray(rows)[valid[codes]]


def _digit_matrix(numbers) -> np.ndarray:
    """Strings of ten ASCII digits -> an (n, 10) integer array."""
    joined = "".join(numbers).encode("ascii")
    return (np.frombuffer(joined, dtype=np.uint8).reshape(-1, 10) - ord("0")).astype(np.int64)


def _check_digit_ok(digits: np.ndarray) -> np.ndarray:
    """Modulus 11: 11 - (weighted sum mod 11) is the tenth digit, 11 meaning 0; a
    result of 10 matches no digit, so such numbers are never valid."""
    check = (11 - (digits[:, :9] @ _WEIGHTS) % 11) % 11
    return check == digits[:, 9]

"""Inbox file names: `<extract>_<ORGANISATION>_<YYYY-YY>_Q<n>.<csv|xlsx>` (SPEC 3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from carers_impact.errors import UserError
from carers_impact.extracts import EXTRACTS
from carers_impact.periods import InvalidPeriod, Quarter

EXAMPLE = "assessments_ROT-ASC_2024-25_Q1.csv"
SUFFIXES = (".csv", ".xlsx")

_NAME_RE = re.compile(
    r"^(?P<extract>[a-z]+)_(?P<org>[A-Za-z0-9-]+)_(?P<period>\d{4}[-/]\d{2}[ _]?Q[1-4])"
    r"\.(?P<suffix>csv|xlsx)$",
    re.IGNORECASE,
)


class BadFileName(UserError, ValueError):
    """A file name that does not say which extract, organisation and quarter it holds."""


@dataclass(frozen=True)
class FileIdentity:
    extract: str
    organisation: str
    quarter: Quarter


def parse_file_name(filename: str) -> FileIdentity:
    """Read extract, organisation and quarter from an inbox file name."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    match = _NAME_RE.match(name)
    hint = (
        f"name the file <extract>_<ORGANISATION>_<YYYY-YY>_Q<n>.csv (or .xlsx), "
        f"for example {EXAMPLE}; extract is one of {', '.join(EXTRACTS)}"
    )
    if not match:
        raise BadFileName(f"The file name '{name}' is not in the expected form: {hint}")
    extract = match["extract"].lower()
    if extract not in EXTRACTS:
        raise BadFileName(f"'{match['extract']}' in '{name}' is not an extract type: {hint}")
    try:
        quarter = Quarter.parse(match["period"])
    except InvalidPeriod as exc:
        raise BadFileName(f"The period in '{name}' is not valid: {exc}") from None
    return FileIdentity(extract, match["org"].upper(), quarter)

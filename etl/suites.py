"""Great Expectations suites for the four extracts, generated from ``carers_impact.extracts``.

The suites are stored as JSON in ``expectations/`` (what validation reads) and
regenerated with ``python -m etl.suites``; a test keeps the two identical.

A suite runs on the batch ``etl.validate`` prepares from a normalised frame:
indexed by the file row number ``_row``, every optional column present (blank
where the file has none), and beside each date column ``<column>_as_date``, the
date as a datetime (NaT when blank or not a valid date), because Great
Expectations compares dates only as datetimes. Quarter dates arrive as the suite
parameters ``quarter_start`` and ``quarter_end``, the area's localities as
``localities``.

Each expectation's ``meta`` holds what the report needs: ``rule`` (a short
stable code), ``column`` (the file's column), ``message`` (plain English, says
what to fix; ``{quarter}``, ``{quarter_start}``, ``{quarter_end}`` and
``{localities}`` are filled in at validation time) and ``show_values`` (whether
a few of the bad values may be quoted: never for ids).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carers_impact.extracts import EXTRACTS, Column, Extract, get_extract
from carers_impact.settings import PROJECT_ROOT

if TYPE_CHECKING:
    import great_expectations as gx

SUITES_DIR = PROJECT_ROOT / "expectations"

AS_DATE_SUFFIX = "_as_date"

# A real calendar date from 1900 to 2099 written YYYY-MM-DD: months of 31 and
# 30 days, February to the 28th, and 29 February only in leap years (2000 is
# one, 1900 is not). Normalising turns every accepted spelling into this form
# and leaves anything else as written, so this one pattern finds every bad date.
_YEAR = "(?:19|20)[0-9]{2}"
_LEAP_YEAR = "(?:(?:19|20)(?:0[48]|[2468][048]|[13579][26])|2000)"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
ISO_DATE_PATTERN = f"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"

# 1 to 64 characters, not starting with a character a spreadsheet reads as a formula.
ID_PATTERN = r"^[^=+\-@].{0,63}$"

# Up to nine digits: no break lasts a billion nights, and the value must fit the database.
WHOLE_NUMBER_PATTERN = "^[0-9]{1,9}$"

QUARTER_PARAMETERS = ("quarter_start", "quarter_end")
LOCALITIES_PARAMETER = "localities"
LOCALITY_COLUMN = "locality"


def as_date_column(name: str) -> str:
    """The batch column holding date column ``name`` as a datetime."""
    return f"{name}{AS_DATE_SUFFIX}"


def blank_allowed(column: Column) -> bool:
    return column.nullable or not column.required


def build_suite(extract: Extract | str) -> gx.ExpectationSuite:
    """The suite for one extract type, from its column definitions."""
    import great_expectations as gx

    extract = get_extract(extract) if isinstance(extract, str) else extract
    return gx.ExpectationSuite(
        name=extract.name,
        expectations=_expectations(extract),
        notes=(
            f"Checks a '{extract.name}' extract (SPEC 3.3). Generated from "
            "carers_impact/extracts.py by `python -m etl.suites`; do not edit by hand. "
            "Runs on the batch etl.validate prepares (see etl/suites.py)."
        ),
    )


def _expectations(extract: Extract) -> list[Any]:
    import great_expectations.expectations as gxe

    found: list[Any] = []
    for column in extract.columns:
        if column.required:
            found.append(
                gxe.ExpectColumnToExist(
                    column=column.name,
                    meta=_meta(
                        "required_column",
                        column.name,
                        f"The file has no '{column.name}' column. Add it: every "
                        f"{extract.name} extract needs it.",
                    ),
                )
            )
    for column in extract.columns:
        found += _column_expectations(extract, column)
    for earlier, later in extract.date_rules:
        found.append(_date_order(extract, earlier, later))
    return found


def _column_expectations(extract: Extract, column: Column) -> list[Any]:
    import great_expectations.expectations as gxe

    name = column.name
    found: list[Any] = []
    if not blank_allowed(column):
        found.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=name,
                meta=_meta(
                    "required_value",
                    name,
                    f"{name} must not be blank: fill it in on every row.",
                ),
            )
        )
    or_blank = " (or left blank)" if blank_allowed(column) else ""
    if column.kind == "id":
        found.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=name,
                regex=ID_PATTERN,
                meta=_meta(
                    "id_format",
                    name,
                    f"{name} must be 1 to 64 characters and must not start with "
                    "=, +, - or @ (a spreadsheet would read it as a formula).",
                ),
            )
        )
        if column.unique:
            found.append(
                gxe.ExpectColumnValuesToBeUnique(
                    column=name,
                    meta=_meta(
                        "duplicate_id",
                        name,
                        f"{name} must be unique: each {name} may appear on one row only. "
                        "Remove or merge the repeated rows.",
                    ),
                )
            )
    elif column.kind == "category":
        found.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=name,
                value_set=list(column.values),
                meta=_meta(
                    "value_not_allowed",
                    name,
                    f"{name} must be one of: {', '.join(column.values)}{or_blank}.",
                    show_values=True,
                ),
            )
        )
    elif column.kind == "integer":
        found.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=name,
                regex=WHOLE_NUMBER_PATTERN,
                meta=_meta(
                    "whole_number",
                    name,
                    f"{name} must be a whole number, 0 or more{or_blank}.",
                    show_values=True,
                ),
            )
        )
    elif column.kind == "date":
        found += _date_expectations(column, or_blank)
    elif name == LOCALITY_COLUMN:
        found.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=name,
                value_set={"$PARAMETER": LOCALITIES_PARAMETER},
                meta=_meta(
                    "value_not_allowed",
                    name,
                    f"{name} must be one of the area's localities: {{localities}}{or_blank}.",
                    show_values=True,
                ),
            )
        )
    return found


def _date_expectations(column: Column, or_blank: str) -> list[Any]:
    import great_expectations.expectations as gxe

    name = column.name
    found: list[Any] = [
        gxe.ExpectColumnValuesToMatchRegex(
            column=name,
            regex=ISO_DATE_PATTERN,
            meta=_meta(
                "date_format",
                name,
                f"{name} must be a real date, written DD/MM/YYYY (day first) or "
                f"YYYY-MM-DD, from 1900 to 2099{or_blank}.",
                show_values=True,
            ),
        )
    ]
    if column.in_period == "quarter":
        found.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=as_date_column(name),
                min_value={"$PARAMETER": "quarter_start"},
                max_value={"$PARAMETER": "quarter_end"},
                meta=_meta(
                    "date_outside_quarter",
                    name,
                    f"{name} must be inside {{quarter}} ({{quarter_start}} to {{quarter_end}}). "
                    "Check the dates, and that the file is for the right quarter.",
                    show_values=True,
                ),
            )
        )
    elif column.in_period == "by_quarter_end":
        found.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=as_date_column(name),
                max_value={"$PARAMETER": "quarter_end"},
                meta=_meta(
                    "date_after_quarter_end",
                    name,
                    f"{name} must not be after the end of {{quarter}} ({{quarter_end}}). "
                    "Check the dates, and that the file is for the right quarter.",
                    show_values=True,
                ),
            )
        )
    return found


def _date_order(extract: Extract, earlier: str, later: str) -> Any:
    import great_expectations.expectations as gxe

    # The sentence is about the optional date of the pair, as SPEC 3.3 words it.
    if not extract.column(later).required:
        column, message = later, f"{later} must not be before {earlier}"
    else:
        column, message = earlier, f"{earlier} must not be after {later}"
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=as_date_column(later),
        column_B=as_date_column(earlier),
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        meta=_meta("date_order", column, f"{message} on the same row."),
    )


def _meta(rule: str, column: str, message: str, *, show_values: bool = False) -> dict[str, Any]:
    return {"rule": rule, "column": column, "message": message, "show_values": show_values}


def suite_path(name: str) -> Path:
    return SUITES_DIR / f"{get_extract(name).name}.json"


def suite_json(extract: Extract | str) -> dict[str, Any]:
    """The suite as stored: what ``ExpectationSuite.to_json_dict()`` writes."""
    return build_suite(extract).to_json_dict()


@cache
def _stored(name: str) -> str:
    return suite_path(name).read_text(encoding="utf-8")


class SuiteFileInvalid(RuntimeError):
    """A stored suite that Great Expectations cannot read in full."""


def load_suite(name: str) -> gx.ExpectationSuite:
    """The stored suite for an extract type, as validation uses it (a fresh copy each call)."""
    import great_expectations as gx

    data = json.loads(_stored(get_extract(name).name))
    suite = gx.ExpectationSuite(
        name=data["name"],
        expectations=data["expectations"],
        meta=data.get("meta"),
        notes=data.get("notes"),
    )
    # ExpectationSuite logs and skips an expectation it cannot parse: fail loudly instead.
    if len(suite.expectations) != len(data["expectations"]):
        raise SuiteFileInvalid(
            f"{suite_path(name)}: {len(data['expectations']) - len(suite.expectations)} "
            "expectation(s) could not be read; regenerate it with `python -m etl.suites`"
        )
    return suite


def write_suites(directory: Path = SUITES_DIR) -> list[Path]:
    """Write every extract's suite as JSON; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in EXTRACTS:
        path = directory / f"{name}.json"
        path.write_text(json.dumps(suite_json(name), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    _stored.cache_clear()
    return written


if __name__ == "__main__":
    for written_path in write_suites():
        print(f"wrote {written_path}")

"""The four extract types and their columns, as data (SPEC section 3.3).

One definition serves the reader, the validation suites, the database tables
and the demo generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from carers_impact.errors import UserError

ColumnKind = Literal["id", "string", "date", "category", "integer"]

AGE_BANDS = ("0-17", "18-24", "25-64", "65+", "Unknown")
SEXES = ("Female", "Male", "Other", "Not stated")
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Not stated")
HOURS_BANDS = ("0-19", "20-49", "50+")
ASSESSMENT_TYPES = ("new", "review")
ASSESSMENT_OUTCOMES = ("support plan", "information and advice", "no support needed")
BREAK_TYPES = (
    "replacement care at home",
    "residential respite",
    "day opportunity",
    "break grant",
    "direct payment",
)
YES_NO = ("yes", "no")
QOL_SCORES = ("0", "1", "2")
SATISFACTION = ("1", "2", "3", "4", "5", "6", "7")
INFO_EASE = ("very easy", "fairly easy", "fairly difficult", "very difficult", "never tried")
INVOLVED = ("always", "usually", "sometimes", "never", "no discussions")
QOL_ITEMS = (
    "qol_occupation",
    "qol_control",
    "qol_self_care",
    "qol_safety",
    "qol_social",
    "qol_support",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool = True
    values: tuple[str, ...] = ()  # allowed values of a category, canonical spelling
    unique: bool = False
    nullable: bool = False  # required column whose cells may be blank (qol items)
    in_period: Literal["quarter", "by_quarter_end", None] = None
    """For dates: must fall inside the declared quarter, or on or before its end."""
    description: str = ""


@dataclass(frozen=True)
class Extract:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: str  # the column that identifies a row within a file
    date_rules: tuple[tuple[str, str], ...] = field(default=())
    """Pairs (earlier, later): where both are present, earlier must not be after later."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


CARERS = Extract(
    name="carers",
    description="Register snapshot as at the quarter end, one row per carer known",
    key="carer_id",
    columns=(
        Column("carer_id", "id", unique=True, description="Partnership-wide pseudonym"),
        Column("date_identified", "date", in_period="by_quarter_end"),
        Column("age_band", "category", values=AGE_BANDS),
        Column("sex", "category", required=False, values=SEXES),
        Column("ethnic_group", "category", required=False, values=ETHNIC_GROUPS),
        Column("locality", "string", required=False, description="One of the area's localities"),
        Column("hours_band", "category", required=False, values=HOURS_BANDS),
        Column("date_closed", "date", required=False, description="Not before date_identified"),
    ),
    date_rules=(("date_identified", "date_closed"),),
)

ASSESSMENTS = Extract(
    name="assessments",
    description="Carers' assessments and reviews completed in the quarter",
    key="assessment_id",
    columns=(
        Column("assessment_id", "id", unique=True),
        Column("carer_id", "id"),
        Column("date_requested", "date", required=False, description="Not after date_completed"),
        Column("date_completed", "date", in_period="quarter"),
        Column("assessment_type", "category", values=ASSESSMENT_TYPES),
        Column("outcome", "category", values=ASSESSMENT_OUTCOMES),
    ),
    date_rules=(("date_requested", "date_completed"),),
)

BREAKS = Extract(
    name="breaks",
    description="Breaks from caring that started in the quarter",
    key="break_id",
    columns=(
        Column("break_id", "id", unique=True),
        Column("carer_id", "id"),
        Column("start_date", "date", in_period="quarter"),
        Column("end_date", "date", required=False, description="Not before start_date"),
        Column("break_type", "category", values=BREAK_TYPES),
        Column("planned", "category", values=YES_NO),
        Column("nights", "integer", required=False, description="Whole number, 0 or more"),
    ),
    date_rules=(("start_date", "end_date"),),
)

OUTCOMES = Extract(
    name="outcomes",
    description="Carer-reported outcome survey responses received in the quarter",
    key="response_id",
    columns=(
        Column("response_id", "id", unique=True),
        Column("carer_id", "id", required=False),
        Column("response_date", "date", in_period="quarter"),
        *(Column(item, "category", values=QOL_SCORES, nullable=True) for item in QOL_ITEMS),
        Column("qol_time_for_self", "category", required=False, values=QOL_SCORES),
        Column("satisfaction", "category", required=False, values=SATISFACTION),
        Column("info_ease", "category", required=False, values=INFO_EASE),
        Column("involved", "category", required=False, values=INVOLVED),
        Column("prepared_for_future", "category", required=False, values=YES_NO),
    ),
)

EXTRACTS: dict[str, Extract] = {e.name: e for e in (CARERS, ASSESSMENTS, BREAKS, OUTCOMES)}


class UnknownExtract(UserError, ValueError):
    """An extract type other than carers, assessments, breaks or outcomes."""


def get_extract(name: str) -> Extract:
    try:
        return EXTRACTS[name.strip().lower()]
    except KeyError:
        raise UnknownExtract(
            f"{name!r} is not an extract type; use one of: {', '.join(EXTRACTS)}"
        ) from None


def is_numeric(column: Column) -> bool:
    """Columns stored as whole numbers: counts and numbered answers (0-2, 1-7)."""
    if column.kind == "integer":
        return True
    return bool(column.values) and all(v.isdigit() for v in column.values)

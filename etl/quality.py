"""Data quality: which extracts each organisation sent for each quarter, and how it went.

A cell of the matrix (organisation x extract x quarter) is one of:

* ``received``: a file is loaded, and the first accepted one arrived by the due date;
* ``late``: a file is loaded, but the first accepted one arrived after the due date;
* ``rejected``: files arrived but every one was rejected, so nothing is loaded;
* ``missing``: nothing is loaded (nothing arrived, or what was loaded was
  withdrawn) and the due date has passed;
* ``not due``: nothing yet, and the due date is still to come;
* ``not expected``: the area's configuration does not expect that extract from
  that organisation for that quarter (see ``supplies`` and ``since`` in the
  area file).

A quarter's extracts are due CARERS_SUBMISSION_DUE_DAYS after it ends.
``overdue`` lists the missing and rejected cells past their due date, for the
scheduler's late-submission check, and ``completeness`` says for one quarter
how many of the expected extracts are loaded: all three share one rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings
from carers_impact.extracts import EXTRACTS
from carers_impact.periods import InvalidPeriod, Quarter
from measures.domain.areas import Area

STATES = ("received", "late", "rejected", "missing", "not due", "not expected")
SUBMISSION_COLUMNS = [
    "id",
    "extract",
    "organisation",
    "area",
    "period",
    "filename",
    "status",
    "row_count",
    "submitted_by",
    "submitted_at",
    "source",
    "current",
]
MATRIX_COLUMNS = ["organisation", "extract", "period", "state", "due", "submission_id"]
JOB_COLUMNS = ["id", "job_id", "started_at", "finished_at", "outcome", "detail"]


def _submissions_query(
    *, area: str | None, organisations: Iterable[str] | None, periods: Iterable[str] | None = None
):
    s, cs = db.submissions, db.current_submissions
    query = (
        sa.select(
            *(s.c[c] for c in SUBMISSION_COLUMNS if c != "current"),
            cs.c.submission_id.is_not(None).label("current"),
        )
        .outerjoin(cs, cs.c.submission_id == s.c.id)
        .order_by(s.c.id.desc())
    )
    if area:
        query = query.where(s.c.area == area)
    if organisations is not None:
        query = query.where(s.c.organisation.in_([o.upper() for o in organisations]))
    if periods is not None:
        query = query.where(s.c.period.in_(list(periods)))
    return query


def read_submissions(
    engine: Engine,
    *,
    area: str | None = None,
    organisations: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Submissions (not their content), newest first, with whether each is current."""
    query = _submissions_query(area=area, organisations=organisations, periods=periods)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=SUBMISSION_COLUMNS)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    frame["current"] = frame["current"].astype(bool)
    return frame


def read_reports(
    engine: Engine,
    *,
    area: str | None = None,
    organisations: Iterable[str] | None = None,
    status: str | None = None,
    limit: int = 20,
) -> pd.DataFrame:
    """The latest submissions with their validation reports (as dicts), newest first."""
    s = db.submissions
    query = _submissions_query(area=area, organisations=organisations).add_columns(s.c.report)
    if status:
        query = query.where(s.c.status == status)
    with engine.connect() as conn:
        rows = conn.execute(query.limit(limit)).all()
    frame = pd.DataFrame(rows, columns=[*SUBMISSION_COLUMNS, "report"])
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    frame["report"] = frame["report"].map(json.loads)
    return frame


def read_job_runs(engine: Engine, *, limit: int = 50) -> pd.DataFrame:
    """The scheduler's latest job runs, newest first."""
    runs = db.job_runs
    query = sa.select(*(runs.c[c] for c in JOB_COLUMNS)).order_by(runs.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=JOB_COLUMNS)
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def due_date(quarter: Quarter, due_days: int) -> date:
    return quarter.end + timedelta(days=due_days)


def _quarter(label) -> Quarter | None:
    try:
        return Quarter.parse(label)
    except (InvalidPeriod, TypeError):
        return None


def _cells(submissions: pd.DataFrame) -> dict[tuple[str, str, str], pd.DataFrame]:
    subs = submissions[submissions["status"].isin(["accepted", "rejected"])]
    return {key: group for key, group in subs.groupby(["organisation", "extract", "period"])}


def quality_matrix(
    submissions: pd.DataFrame,
    *,
    area: Area,
    quarters: Sequence[Quarter],
    due_days: int,
    today: date,
) -> pd.DataFrame:
    """One row per organisation, extract and quarter with its state (see the module doc)."""
    by_cell = _cells(submissions)
    rows = []
    for org in area.organisation_codes:
        for extract in EXTRACTS:
            for quarter in quarters:
                due = due_date(quarter, due_days)
                expected = (org, extract) in area.expected_extracts(quarter)
                state, submission_id = _state(
                    by_cell.get((org, extract, quarter.label)),
                    expected=expected,
                    due=due,
                    today=today,
                )
                rows.append(
                    {
                        "organisation": org,
                        "extract": extract,
                        "period": quarter.label,
                        "state": state,
                        "due": due,
                        "submission_id": submission_id,
                    }
                )
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)


OVERDUE_COLUMNS = ["area", "organisation", "extract", "period", "due", "state"]


def overdue(
    submissions: pd.DataFrame, *, areas: Iterable[Area], due_days: int, today: date
) -> pd.DataFrame:
    """Expected extracts past their due date with nothing loaded: ``missing`` or ``rejected``.

    Every quarter from the area's first quarter of returns to the last one due.
    """
    rows = []
    for area in areas:
        first = first_quarter(area, submissions)
        if first is None:
            continue
        cells = quality_matrix(
            submissions[submissions["area"] == area.id],
            area=area,
            quarters=_due_quarters(first, due_days=due_days, today=today),
            due_days=due_days,
            today=today,
        )
        owed = cells[cells["state"].isin(["missing", "rejected"])]
        rows.extend(owed.assign(area=area.id).to_dict("records"))
    return pd.DataFrame(rows, columns=OVERDUE_COLUMNS)


def first_quarter(area: Area, submissions: pd.DataFrame) -> Quarter | None:
    """The area's first quarter of returns: configured, else its first accepted file's."""
    if area.returns_from is not None:
        return area.returns_from
    accepted = submissions[(submissions["area"] == area.id) & (submissions["status"] == "accepted")]
    quarters = [q for q in accepted["period"].map(_quarter) if q is not None]
    return min(quarters) if quarters else None


def _due_quarters(first: Quarter, *, due_days: int, today: date) -> list[Quarter]:
    """Quarters from `first` whose extracts were due before `today`."""
    quarters, quarter = [], first
    while due_date(quarter, due_days) < today:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def _arrived(value) -> date:
    stamp = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    return stamp.date() if isinstance(stamp, datetime) else stamp


def _state(
    cell: pd.DataFrame | None, *, expected: bool, due: date, today: date
) -> tuple[str, int | None]:
    if cell is not None:
        current = cell[cell["current"]]
        if len(current):
            accepted = cell[cell["status"] == "accepted"]
            earliest = accepted.sort_values("submitted_at").iloc[0]
            on_time = _arrived(earliest["submitted_at"]) <= due
            return ("received" if on_time else "late"), int(current.iloc[0]["id"])
        rejected = cell[cell["status"] == "rejected"]
        if len(rejected):
            return "rejected", int(rejected.sort_values("id").iloc[-1]["id"])
    if not expected:
        return "not expected", None
    return ("missing" if due < today else "not due"), None


def area_matrix(
    engine: Engine, *, area: Area, last: int = 8, today: date | None = None
) -> pd.DataFrame:
    """An area's matrix for the `last` quarters up to the latest that has ended."""
    today = today or date.today()
    newest = Quarter.containing(today).previous()
    shown = [newest.shift(-i) for i in range(last - 1, -1, -1)]
    return quality_matrix(
        read_submissions(engine, area=area.id),
        area=area,
        quarters=shown,
        due_days=settings.get_int("CARERS_SUBMISSION_DUE_DAYS"),
        today=today,
    )


@dataclass(frozen=True)
class Completeness:
    """Which of a quarter's expected extracts are loaded, rejected or missing (and not yet due)."""

    area: str
    period: str
    expected: tuple[tuple[str, str], ...]  # (organisation, extract), from the configuration
    loaded: tuple[tuple[str, str], ...]  # expected and loaded (a current submission)
    rejected: tuple[tuple[str, str], ...]  # expected; files arrived but all were rejected
    missing: tuple[tuple[str, str], ...]  # expected; nothing loaded or rejected
    due: date

    @property
    def received(self) -> tuple[tuple[str, str], ...]:
        """Expected extracts for which some file arrived (loaded or rejected)."""
        return self.loaded + self.rejected

    @property
    def complete(self) -> bool:
        return len(self.loaded) == len(self.expected)

    @property
    def extracts_wanting(self) -> set[str]:
        """Extract types with something expected not loaded."""
        return {extract for _, extract in self.rejected + self.missing}

    def affected_measures(self, measures: Mapping[str, Sequence[str]]) -> list[str]:
        """Measure ids (of `measures`: id -> its source extracts) drawn from a wanting extract."""
        wanting = self.extracts_wanting
        return [m for m, sources in measures.items() if wanting & set(sources)]

    @property
    def summary(self) -> str:
        """`4 of 6 expected extracts loaded; missing: ROT-ASC breaks; rejected: ROT-CC outcomes`."""
        words = [f"{len(self.loaded)} of {len(self.expected)} expected extracts loaded"]
        for label, cells in (("missing", self.missing), ("rejected", self.rejected)):
            if cells:
                words.append(f"{label}: " + ", ".join(f"{o} {e}" for o, e in cells))
        return "; ".join(words)


def quarter_completeness(
    submissions: pd.DataFrame, *, area: Area, quarter: Quarter, due_days: int
) -> Completeness:
    """Completeness of one quarter from the area's submissions (see `read_submissions`)."""
    by_cell = _cells(submissions)
    expected = area.expected_extracts(quarter)
    loaded, rejected, missing = [], [], []
    for org, extract in expected:
        cell = by_cell.get((org, extract, quarter.label))
        if cell is not None and cell["current"].any():
            loaded.append((org, extract))
        elif cell is not None and (cell["status"] == "rejected").any():
            rejected.append((org, extract))
        else:
            missing.append((org, extract))
    return Completeness(
        area=area.id,
        period=quarter.label,
        expected=expected,
        loaded=tuple(loaded),
        rejected=tuple(rejected),
        missing=tuple(missing),
        due=due_date(quarter, due_days),
    )


def completeness(engine: Engine, *, area: Area, periods: Sequence[str]) -> dict[str, Completeness]:
    """Completeness of each of these quarters of an area, by quarter label."""
    submissions = read_submissions(engine, area=area.id, periods=periods)
    due_days = settings.get_int("CARERS_SUBMISSION_DUE_DAYS")
    return {
        label: quarter_completeness(
            submissions, area=area, quarter=Quarter.parse(label), due_days=due_days
        )
        for label in periods
    }


def latest_complete(quarters: Sequence[str], found: Mapping[str, Completeness]) -> str | None:
    """The newest of `quarters` (newest first) that is complete, else the newest, else None."""
    for label in quarters:
        if found[label].complete:
            return label
    return quarters[0] if quarters else None

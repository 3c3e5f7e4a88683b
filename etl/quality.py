"""Data quality: which extracts each organisation sent for each quarter, and how it went.

A cell of the matrix (organisation x extract x quarter) is one of:

* ``received``: an accepted file arrived by the due date;
* ``late``: the first accepted file arrived after the due date;
* ``rejected``: files arrived but every one was rejected, so nothing is loaded;
* ``missing``: nothing arrived and the due date has passed;
* ``not due``: nothing yet, and the due date is still to come;
* ``not expected``: before the first quarter the organisation ever sent that
  extract.

A quarter's extracts are due CARERS_SUBMISSION_DUE_DAYS after it ends.
``overdue`` lists the missing and rejected cells past their due date, for the
scheduler's late-submission check: the matrix and the check share one rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
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


def _submissions_query(*, area: str | None, organisations: Iterable[str] | None):
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
    return query


def read_submissions(
    engine: Engine, *, area: str | None = None, organisations: Iterable[str] | None = None
) -> pd.DataFrame:
    """Submissions (not their content), newest first, with whether each is current."""
    with engine.connect() as conn:
        rows = conn.execute(_submissions_query(area=area, organisations=organisations)).all()
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


def quality_matrix(
    submissions: pd.DataFrame,
    *,
    organisations: Sequence[str],
    quarters: Sequence[Quarter],
    due_days: int,
    today: date,
    extracts: Sequence[str] = tuple(EXTRACTS),
) -> pd.DataFrame:
    """One row per organisation, extract and quarter with its state (see the module doc)."""
    subs = submissions[submissions["status"].isin(["accepted", "rejected"])].copy()
    subs["quarter"] = subs["period"].map(_quarter)
    subs = subs[subs["quarter"].notna()]
    accepted = subs[subs["status"] == "accepted"]
    first_sent = accepted.groupby(["organisation", "extract"])["quarter"].min().to_dict()
    by_cell = {key: group for key, group in subs.groupby(["organisation", "extract", "period"])}
    rows = []
    for org in organisations:
        for extract in extracts:
            first = first_sent.get((org, extract))
            for quarter in quarters:
                due = due_date(quarter, due_days)
                cell = by_cell.get((org, extract, quarter.label))
                state, submission_id = _state(
                    cell, first=first, quarter=quarter, due=due, today=today
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


def overdue(submissions: pd.DataFrame, *, due_days: int, today: date) -> pd.DataFrame:
    """Extracts past their due date with nothing loaded: ``missing`` or ``rejected`` cells.

    For every organisation and extract type it has sent, each quarter from the
    first it sent (the matrix's "not expected" before that) to the last one due.
    """
    subs = submissions[submissions["status"].isin(["accepted", "rejected"])].copy()
    subs["quarter"] = subs["period"].map(_quarter)
    accepted = subs[(subs["status"] == "accepted") & subs["quarter"].notna()]
    rows = []
    for (area, org), sent in accepted.groupby(["area", "organisation"]):
        cells = quality_matrix(
            subs[subs["organisation"] == org],
            organisations=[org],
            quarters=_due_quarters(min(sent["quarter"]), due_days=due_days, today=today),
            due_days=due_days,
            today=today,
            extracts=sorted(set(sent["extract"])),
        )
        owed = cells[cells["state"].isin(["missing", "rejected"])]
        rows.extend(owed.assign(area=area).to_dict("records"))
    return pd.DataFrame(rows, columns=OVERDUE_COLUMNS)


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
    cell: pd.DataFrame | None, *, first: Quarter | None, quarter: Quarter, due: date, today: date
) -> tuple[str, int | None]:
    if cell is not None:
        accepted = cell[cell["status"] == "accepted"]
        if len(accepted):
            earliest = accepted.sort_values("submitted_at").iloc[0]
            current = accepted[accepted["current"]]
            shown = int((current if len(current) else accepted).iloc[0]["id"])
            on_time = _arrived(earliest["submitted_at"]) <= due
            return ("received" if on_time else "late"), shown
        return "rejected", int(cell.sort_values("id").iloc[-1]["id"])
    if first is None or quarter < first:
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
        organisations=area.organisation_codes,
        quarters=shown,
        due_days=settings.get_int("CARERS_SUBMISSION_DUE_DAYS"),
        today=today,
    )

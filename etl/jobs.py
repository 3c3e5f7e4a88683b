"""The scheduled jobs' bodies, each recorded in `job_runs` with start, end and outcome."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings
from carers_impact.periods import Quarter
from etl.lease import runner_id
from etl.load import now

log = logging.getLogger(__name__)


def record_run(engine: Engine, job_id: str, body: Callable[[], str]) -> str:
    """Run a job body, keeping its start, end, outcome and a one-line detail."""
    with engine.begin() as conn:
        run_id = conn.execute(
            sa.insert(db.job_runs).values(
                job_id=job_id,
                started_at=now(),
                outcome="running",
                detail="",
                runner=runner_id(),
            )
        ).inserted_primary_key[0]
    outcome, detail = "success", ""
    try:
        detail = body()
    except Exception as exc:  # a failed run is recorded, and the scheduler carries on
        outcome = "failed"
        detail = f"{type(exc).__name__}: {exc}"
        log.error("job %s failed\n%s", job_id, traceback.format_exc())
    with engine.begin() as conn:
        conn.execute(
            sa.update(db.job_runs)
            .where(db.job_runs.c.id == run_id)
            .values(finished_at=now(), outcome=outcome, detail=detail[:2000])
        )
    return outcome


def late_submissions(engine: Engine, *, today: date | None = None) -> pd.DataFrame:
    """Extracts due but not received, by organisation and quarter.

    An organisation is expected to send an extract type for every quarter after
    the first one it sent it for; a quarter's extracts are due
    CARERS_SUBMISSION_DUE_DAYS after it ends.
    """
    today = today or date.today()
    due_days = settings.get_int("CARERS_SUBMISSION_DUE_DAYS")
    cs = db.current_submissions
    with engine.connect() as conn:
        current = pd.DataFrame(
            conn.execute(sa.select(cs.c.area, cs.c.organisation, cs.c.extract, cs.c.period))
            .mappings()
            .all(),
            columns=["area", "organisation", "extract", "period"],
        )
    rows = []
    for (area, org, extract), group in current.groupby(["area", "organisation", "extract"]):
        received = {Quarter.parse(p) for p in group["period"]}
        quarter = min(received)
        while quarter.end + timedelta(days=due_days) < today:
            if quarter not in received:
                rows.append(
                    {
                        "area": area,
                        "organisation": org,
                        "extract": extract,
                        "period": quarter.label,
                        "due": quarter.end + timedelta(days=due_days),
                    }
                )
            quarter = quarter.next()
    return pd.DataFrame(rows, columns=["area", "organisation", "extract", "period", "due"])

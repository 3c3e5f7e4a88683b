"""The scheduled jobs' bodies, each recorded in `job_runs` with start, end and outcome.

A run's outcome is `running` until it ends (`success` or `failed`); one left
running by a scheduler that died becomes `interrupted` when the next scheduler
takes the lease (`etl.lease.acquire`).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings
from etl import quality
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
    """Extracts due but not loaded, by organisation and quarter: missing or only rejected.

    The data-quality matrix's rule (``etl.quality.overdue``): each area's
    configuration says which extracts each organisation supplies and from
    when; a quarter's extracts are due CARERS_SUBMISSION_DUE_DAYS after it ends.
    """
    from measures.domain.area_files import load_areas

    return quality.overdue(
        quality.read_submissions(engine),
        areas=load_areas().values(),
        due_days=settings.get_int("CARERS_SUBMISSION_DUE_DAYS"),
        today=today or date.today(),
    )


def late_summary(engine: Engine, *, today: date | None = None) -> str:
    """The late-submission check's one line: how many are late, and which."""
    late = late_submissions(engine, today=today)
    if late.empty:
        return "no late submissions"
    listed = "; ".join(
        f"{r.organisation} {r.extract} {r.period}"
        + (" (only rejected files)" if r.state == "rejected" else "")
        for r in late.head(20).itertuples()
    )
    return f"{len(late)} late: {listed}" + (" ..." if len(late) > 20 else "")


def publish_summary(engine: Engine) -> str:
    """Publish the quarters whose scheduled time has come; one line on what happened."""
    from etl.publication import publish_due

    return "; ".join(publish_due(engine)) or "nothing due"

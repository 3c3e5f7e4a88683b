"""The scheduler process: every job registered here, with explicit ids.

Runs as its own process (`carers-impact etl schedule`), never inside the
dashboard. Jobs live in an APScheduler SQLAlchemy job store in the product's
database; each run is recorded in `job_runs`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from carers_impact import db, settings

log = logging.getLogger(__name__)

POLL_INBOX = "poll_inbox"
RECOMPUTE = "nightly_recompute"
LATE_CHECK = "late_submission_check"
JOB_IDS = (POLL_INBOX, RECOMPUTE, LATE_CHECK)
"""Each job's id is also the name of its function in this module."""


def _jobs() -> list[tuple[str, str, Callable[[], BaseTrigger]]]:
    """(id, name, trigger) of every job, triggers read from the settings when called."""
    return [
        (
            POLL_INBOX,
            "Process the inbox",
            lambda: IntervalTrigger(seconds=settings.get_int("CARERS_POLL_SECONDS")),
        ),
        (
            RECOMPUTE,
            "Recompute all measures",
            lambda: CronTrigger.from_crontab(settings.get("CARERS_RECOMPUTE_CRON")),
        ),
        (
            LATE_CHECK,
            "Check for late submissions",
            lambda: CronTrigger.from_crontab(settings.get("CARERS_LATE_CHECK_CRON")),
        ),
    ]


def poll_inbox() -> str:
    """Job: submit whatever is in the inbox."""
    from etl.inbox import process_inbox
    from etl.jobs import record_run
    from measures.store import recompute_area

    engine = db.make_engine()
    summary: list[str] = []

    def body() -> str:
        run = process_inbox(engine, on_loaded=recompute_area)
        summary.append(run.summary())
        return summary[0]

    return record_run(engine, POLL_INBOX, body)


def nightly_recompute() -> str:
    """Job: recompute every area's measures from the current rows."""
    from etl.jobs import record_run
    from measures.store import recompute_all

    engine = db.make_engine()
    return record_run(engine, RECOMPUTE, lambda: f"recomputed {recompute_all(engine)} areas")


def late_submission_check() -> str:
    """Job: list extracts that are past their due date and not received."""
    from etl.jobs import late_submissions, record_run

    engine = db.make_engine()

    def body() -> str:
        late = late_submissions(engine)
        if late.empty:
            return "no late submissions"
        listed = "; ".join(
            f"{r.organisation} {r.extract} {r.period}" for r in late.head(20).itertuples()
        )
        return f"{len(late)} late: {listed}" + (" ..." if len(late) > 20 else "")

    return record_run(engine, LATE_CHECK, body)


def build_scheduler(url: str | None = None, *, background: bool = False) -> BaseScheduler:
    """A scheduler with the job store in the database and every job registered.

    The command runs it in the foreground; `background=True` gives one that runs
    in a thread, for embedding and tests.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    engine = db.make_engine(url)
    db.upgrade(engine)
    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60},
    )
    for job_id, name, make_trigger in _jobs():
        scheduler.add_job(
            f"etl.scheduler:{job_id}", make_trigger(), id=job_id, name=name, replace_existing=True
        )
    return scheduler


def run() -> None:
    """Run the scheduler until stopped (Ctrl-C or SIGTERM)."""
    scheduler = build_scheduler()
    log.info("scheduler started with jobs: %s", ", ".join(JOB_IDS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")

"""The scheduler process: every job registered here, with explicit ids.

Runs as its own process (`carers-impact etl schedule`), never inside the
dashboard. Jobs live in an APScheduler SQLAlchemy job store in the product's
database; each run is recorded in `job_runs`.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
import time
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from carers_impact import db, settings
from etl import lease

log = logging.getLogger(__name__)

POLL_INBOX = "poll_inbox"
RECOMPUTE = "nightly_recompute"
LATE_CHECK = "late_submission_check"
PUBLISH = "publish_scheduled"
JOB_IDS = (POLL_INBOX, RECOMPUTE, LATE_CHECK, PUBLISH)
LOCAL = "local"  # this process's own jobs (lease renewal), never shared
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
        (
            PUBLISH,
            "Publish scheduled quarters",
            lambda: IntervalTrigger(seconds=settings.get_int("CARERS_PUBLISH_CHECK_SECONDS")),
        ),
    ]


@functools.cache
def _engine(url: str) -> Engine:
    """One engine per database for the life of the scheduler process."""
    return db.make_engine(url)


def _run_job(job_id: str, body: Callable[[Engine], str]) -> str:
    """Run a job if this process holds the scheduler lease, recording the run."""
    from etl.jobs import record_run

    engine = _engine(settings.database_url())
    if not lease.holds(engine, lease.runner_id()):
        log.warning("%s not run: this process does not hold the scheduler lease", job_id)
        return "skipped"
    return record_run(engine, job_id, lambda: body(engine))


def poll_inbox() -> str:
    """Job: submit whatever is in the inbox (and recompute the areas it changed)."""
    from etl.inbox import process_inbox

    return _run_job(POLL_INBOX, lambda engine: process_inbox(engine).summary())


def nightly_recompute() -> str:
    """Job: recompute every area's measures from the current rows."""
    from measures.storage.values import recompute_all

    return _run_job(RECOMPUTE, lambda engine: f"recomputed {recompute_all(engine)} areas")


def late_submission_check() -> str:
    """Job: list extracts that are past their due date with nothing loaded."""
    from etl.jobs import late_summary

    return _run_job(LATE_CHECK, late_summary)


def publish_scheduled() -> str:
    """Job: publish the quarters whose scheduled time has come, if they can be."""
    from etl.jobs import publish_summary

    return _run_job(PUBLISH, publish_summary)


def _renew_lease(holder: str, seconds: int) -> None:
    if not lease.acquire(_engine(settings.database_url()), holder=holder, seconds=seconds):
        log.error("the scheduler lease was taken by another process; jobs here will skip")


def build_scheduler(url: str | None = None, *, background: bool = False) -> BaseScheduler:
    """A scheduler with the job store in the database and every job registered.

    The command runs it in the foreground; `background=True` gives one that runs
    in a thread, for embedding and tests.
    """
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    engine = _engine(url or settings.database_url())
    db.upgrade(engine)
    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=engine), LOCAL: MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60},
    )
    for job_id, name, make_trigger in _jobs():
        scheduler.add_job(
            f"etl.scheduler:{job_id}", make_trigger(), id=job_id, name=name, replace_existing=True
        )
    return scheduler


def run() -> None:
    """Run the scheduler until stopped (Ctrl-C or SIGTERM).

    Waits as a standby while another scheduler process holds the lease.
    """
    engine = _engine(settings.database_url())
    db.upgrade(engine)
    holder, seconds = lease.runner_id(), settings.get_int("CARERS_SCHEDULER_LEASE_SECONDS")
    renew_every = max(1.0, seconds / 3)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while not lease.acquire(engine, holder=holder, seconds=seconds):
            log.warning("another scheduler process holds the lease; standing by")
            time.sleep(renew_every)
        from measures.storage.values import recompute_stale

        if stale := recompute_stale(engine):  # left out of date by a process that died
            log.warning("recomputed %s, left out of date by a stopped process", ", ".join(stale))
        scheduler = build_scheduler()
        scheduler.add_job(
            _renew_lease,
            IntervalTrigger(seconds=renew_every),
            args=[holder, seconds],
            id="renew_lease",
            jobstore=LOCAL,
            replace_existing=True,
        )
        log.warning("scheduler %s running jobs: %s", holder, ", ".join(JOB_IDS))
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.warning("scheduler %s stopped", holder)
    finally:
        lease.release(engine, holder)

"""Which scheduler process runs the jobs: one lease row in the database.

APScheduler 3 does not coordinate processes, so a second `etl schedule`
started by mistake would run every job twice. Instead each scheduler must hold
the lease (renewed every third of its length) to run jobs; another one stands
by and takes over when the lease runs out, e.g. after the first one is stopped.
A scheduler that takes the lease over from one that died marks the runs that
one left `running` as `interrupted`.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from etl.load import now

NAME = "scheduler"


def runner_id() -> str:
    """This process, as `host:pid`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(engine: Engine, *, holder: str, seconds: int) -> bool:
    """Take or renew the lease; False while another live process holds it.

    Taking it over from a holder whose lease ran out (a process that died)
    closes that holder's runs still marked running as ``interrupted``.
    """
    table = db.scheduler_lease
    at = now()
    with engine.begin() as conn:
        exists = conn.execute(
            sa.select(table.c.name, table.c.holder).where(table.c.name == NAME)
        ).first()
        if exists is None:
            conn.execute(
                db.dialect_insert(conn, table)
                .values(name=NAME, holder=holder, expires_at=at - timedelta(seconds=1))
                .on_conflict_do_nothing()
            )
        taken = conn.execute(
            sa.update(table)
            .where(table.c.name == NAME, sa.or_(table.c.holder == holder, table.c.expires_at < at))
            .values(holder=holder, expires_at=at + timedelta(seconds=seconds))
        )
        if taken.rowcount == 1 and exists is not None and exists.holder != holder:
            _interrupt_runs(conn, of=exists.holder, by=holder, at=at)
        return taken.rowcount == 1


def _interrupt_runs(conn: sa.Connection, *, of: str, by: str, at) -> None:
    runs = db.job_runs
    conn.execute(
        sa.update(runs)
        .where(runs.c.outcome == "running", runs.c.runner == of)
        .values(
            outcome="interrupted",
            finished_at=at,
            detail=f"the scheduler {of} stopped during this run; {by} took over",
        )
    )


def holds(engine: Engine, holder: str) -> bool:
    """Whether `holder` holds an unexpired lease now."""
    table = db.scheduler_lease
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(table.c.holder, table.c.expires_at).where(table.c.name == NAME)
        ).first()
    if row is None or row.holder != holder:
        return False
    expires = row.expires_at
    if expires.tzinfo is None:  # SQLite keeps no zone; every time stored is UTC
        expires = expires.replace(tzinfo=now().tzinfo)
    return expires > now()


def release(engine: Engine, holder: str) -> None:
    """Give the lease up at once, so a standby need not wait for it to run out."""
    table = db.scheduler_lease
    with engine.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.name == NAME, table.c.holder == holder))

"""The scheduler lease: a scheduler taking over from one that died closes its runs."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from carers_impact import db
from etl import lease
from etl.load import now


def start_run(engine, *, job_id: str, runner: str) -> int:
    """A run as record_run begins it, left so by a process killed mid-job."""
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(db.job_runs).values(
                job_id=job_id,
                started_at=now() - timedelta(minutes=5),
                outcome="running",
                detail="",
                runner=runner,
            )
        ).inserted_primary_key[0]


def outcomes(engine) -> dict[int, tuple[str, bool]]:
    runs = db.job_runs
    with engine.connect() as conn:
        rows = conn.execute(sa.select(runs.c.id, runs.c.outcome, runs.c.finished_at)).all()
    return {r.id: (r.outcome, r.finished_at is not None) for r in rows}


def test_runs_left_running_by_a_dead_scheduler_are_interrupted_when_its_lease_is_taken(engine):
    assert lease.acquire(engine, holder="host:101", seconds=-1)  # then killed: it runs out
    dead = start_run(engine, job_id="poll_inbox", runner="host:101")
    other = start_run(engine, job_id="poll_inbox", runner="demo:7")  # not the lease holder's
    assert lease.acquire(engine, holder="host:202", seconds=60)
    assert outcomes(engine) == {dead: ("interrupted", True), other: ("running", False)}
    with engine.connect() as conn:
        detail = conn.execute(
            sa.select(db.job_runs.c.detail).where(db.job_runs.c.id == dead)
        ).scalar()
    assert "host:101" in detail and "host:202" in detail


def test_renewing_a_lease_leaves_its_own_running_jobs_alone(engine):
    assert lease.acquire(engine, holder="host:101", seconds=60)
    mine = start_run(engine, job_id="nightly_recompute", runner="host:101")
    assert lease.acquire(engine, holder="host:101", seconds=60)
    assert not lease.acquire(engine, holder="host:202", seconds=60)  # still held: no takeover
    assert outcomes(engine) == {mine: ("running", False)}

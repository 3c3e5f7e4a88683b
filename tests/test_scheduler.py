"""The scheduler: jobs with explicit ids in a database job store, every run recorded."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from carers_impact import db
from etl import lease, scheduler
from etl.jobs import late_submissions, record_run
from etl.pipeline import submit
from measures.domain.area_files import AREAS_DIR
from tests.files import carers_csv


@pytest.fixture
def configured(tmp_path, monkeypatch):
    # Rotherham as shipped, but with returns due from 2024-25 Q1 only, so that the
    # late-submission tests below are about the quarters they submit around.
    areas = tmp_path / "areas"
    areas.mkdir()
    shipped = (AREAS_DIR / "rotherham.toml").read_text()
    assert 'returns_from = "2019-20 Q1"' in shipped
    (areas / "rotherham.toml").write_text(
        shipped.replace('returns_from = "2019-20 Q1"', 'returns_from = "2024-25 Q1"')
    )
    monkeypatch.setenv("CARERS_AREAS_DIR", str(areas))
    url = f"sqlite:///{tmp_path / 'sched.db'}"
    monkeypatch.setenv("CARERS_DB_URL", url)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("CARERS_INBOX", str(inbox))
    engine = db.make_engine(url)
    db.upgrade(engine)
    yield engine, inbox
    engine.dispose()


def runs(engine) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(sa.select(db.job_runs).order_by(db.job_runs.c.id)).mappings()
        ]


def test_jobs_are_registered_with_explicit_ids_in_the_database_job_store(configured):
    engine, _ = configured
    sched = scheduler.build_scheduler(background=True)
    sched.start(paused=True)
    try:
        jobs = {job.id: job for job in sched.get_jobs()}
        assert set(jobs) == set(scheduler.JOB_IDS)
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time > 0
            assert job.func.__name__ == job.id
    finally:
        sched.shutdown(wait=False)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT id FROM apscheduler_jobs")).scalars().all()
    assert sorted(stored) == sorted(scheduler.JOB_IDS)


def test_starting_the_scheduler_again_replaces_rather_than_duplicates_jobs(configured):
    engine, _ = configured
    for _ in range(2):
        sched = scheduler.build_scheduler(background=True)
        sched.start(paused=True)
        sched.shutdown(wait=False)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM apscheduler_jobs")).scalar()
    assert stored == len(scheduler.JOB_IDS)


def test_the_inbox_job_loads_files_and_records_its_run(configured):
    engine, inbox = configured
    assert lease.acquire(engine, holder=lease.runner_id(), seconds=60)
    (inbox / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    assert scheduler.poll_inbox() == "success"
    [run] = runs(engine)
    assert run["job_id"] == "poll_inbox" and run["outcome"] == "success"
    assert run["finished_at"] is not None and "1 accepted" in run["detail"]
    assert (inbox / "processed" / "carers_ROT-ASC_2024-25_Q1.csv").exists()
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(db.measure_values)).scalar()
    assert stored > 0  # the area's measures were recomputed after the load


def test_a_job_does_not_run_in_a_process_without_the_lease(configured):
    engine, inbox = configured
    assert lease.acquire(engine, holder="elsewhere:1", seconds=60)
    (inbox / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    assert scheduler.poll_inbox() == "skipped"
    assert runs(engine) == []
    assert (inbox / "carers_ROT-ASC_2024-25_Q1.csv").exists()


def test_the_lease_passes_on_only_when_it_runs_out_or_is_released(configured):
    engine, _ = configured
    assert lease.acquire(engine, holder="a:1", seconds=60)
    assert lease.acquire(engine, holder="a:1", seconds=60)  # renewing
    assert not lease.acquire(engine, holder="b:2", seconds=60)
    assert lease.holds(engine, "a:1") and not lease.holds(engine, "b:2")
    lease.release(engine, "a:1")
    assert lease.acquire(engine, holder="b:2", seconds=-1)  # taken, but already run out
    assert not lease.holds(engine, "b:2")
    assert lease.acquire(engine, holder="a:1", seconds=60)


def test_a_failing_job_is_recorded_as_failed_and_does_not_raise(configured):
    engine, _ = configured

    def broken() -> str:
        raise OSError("inbox share unavailable")

    assert record_run(engine, "poll_inbox", broken) == "failed"
    [run] = runs(engine)
    assert run["outcome"] == "failed" and "inbox share unavailable" in run["detail"]


def rot_asc_carers(late):
    """The late list narrowed to ROT-ASC's carers register (the other suppliers owe theirs too)."""
    return late[(late["organisation"] == "ROT-ASC") & (late["extract"] == "carers")]


def test_late_submissions_lists_quarters_missing_after_the_due_date(configured, monkeypatch):
    engine, _ = configured
    monkeypatch.setenv("CARERS_SUBMISSION_DUE_DAYS", "45")
    submit(engine, carers_csv(2), filename="carers_ROT-ASC_2024-25_Q1.csv", submitted_by="a")
    submit(
        engine,
        carers_csv(2, identified="2024-10-01"),
        filename="carers_ROT-ASC_2024-25_Q3.csv",
        submitted_by="a",
    )
    late = rot_asc_carers(late_submissions(engine, today=date(2025, 5, 20)))
    # Q2 is missing; Q4 ended 31/03/2025, so it was due 45 days later, on 15/05/2025.
    assert list(late["period"]) == ["2024-25 Q2", "2024-25 Q4"]
    late = rot_asc_carers(late_submissions(engine, today=date(2025, 5, 15)))
    assert list(late["period"]) == ["2024-25 Q2"]


def test_a_quarter_with_only_rejected_files_is_still_owed(configured, monkeypatch):
    engine, _ = configured
    monkeypatch.setenv("CARERS_SUBMISSION_DUE_DAYS", "45")
    submit(engine, carers_csv(2), filename="carers_ROT-ASC_2024-25_Q1.csv", submitted_by="a")
    bad = carers_csv(2, identified="2024-07-01", age_band="adult")  # not an allowed age band
    result = submit(engine, bad, filename="carers_ROT-ASC_2024-25_Q2.csv", submitted_by="a")
    assert result.status == "rejected"
    late = rot_asc_carers(late_submissions(engine, today=date(2025, 1, 1)))
    assert late[["period", "state"]].values.tolist() == [["2024-25 Q2", "rejected"]]
    assert lease.acquire(engine, holder=lease.runner_id(), seconds=60)
    assert scheduler.late_submission_check() == "success"
    assert "ROT-ASC carers 2024-25 Q2 (only rejected files); " in runs(engine)[-1]["detail"]


def _wait_for(predicate, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _start_scheduler(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "carers_impact.cli", "etl", "schedule"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def test_a_second_scheduler_started_by_mistake_stands_by_and_jobs_run_once(database_url, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = {
        **os.environ,
        "CARERS_DB_URL": database_url,
        "CARERS_INBOX": str(inbox),
        "CARERS_POLL_SECONDS": "1",
        "CARERS_SCHEDULER_LEASE_SECONDS": "15",  # renewed every 5 s: holds on a busy machine
    }
    engine = db.make_engine(database_url)

    def runners() -> list[str]:
        return [r["runner"] for r in runs(engine) if r["job_id"] == "poll_inbox"]

    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start_scheduler(env, first_log)
    second = None
    try:
        assert _wait_for(lambda: len(runners()) >= 1, seconds=60), first_log.read_text()
        second = _start_scheduler(env, second_log)
        # The second has started and found the lease taken before the first is stopped.
        assert _wait_for(lambda: "standing by" in second_log.read_text(), seconds=90)
        assert _wait_for(lambda: len(runners()) >= 5, seconds=60)
        assert {r.rsplit(":", 1)[1] for r in runners()} == {str(first.pid)}
        first.terminate()
        first.wait(timeout=30)
        assert _wait_for(lambda: runners()[-1].endswith(f":{second.pid}"), seconds=60)
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        engine.dispose()
    assert "standing by" in second_log.read_text()

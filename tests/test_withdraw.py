"""Withdrawing a submission that should never have been loaded, and a process killed mid-flow."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from carers_impact import cli, db
from etl import load
from etl.pipeline import submit, withdraw
from measures import api
from measures.storage import values as store
from tests.files import carers_csv

NAME = "carers_ROT-ASC_2024-25_Q1.csv"


def known(engine) -> float | None:
    table = api.measure_table(engine, area="rotherham", period="2024-25 Q1")
    rows = table[(table.measure_id == "known_carers") & (table.breakdown == "all")]
    return None if rows.empty else rows["value"].iloc[0]


def two_submissions(engine) -> tuple[int, int]:
    first = submit(engine, carers_csv(12), filename=NAME, submitted_by="u").submission_id
    second = submit(engine, carers_csv(20), filename=NAME, submitted_by="u").submission_id
    return first, second


def history(engine) -> list[tuple]:
    with engine.connect() as conn:
        subs = conn.execute(
            sa.select(db.submissions.c.id, db.submissions.c.status).order_by(db.submissions.c.id)
        ).all()
        current = conn.execute(sa.select(db.current_submissions.c.submission_id)).all()
    return [tuple(r) for r in subs] + [tuple(r) for r in current]


def test_withdrawing_leaves_the_quarter_with_no_current_file_and_keeps_the_raw_file(engine):
    _, second = two_submissions(engine)
    assert known(engine) == 20
    done = withdraw(engine, second, actor="ada", reason="loaded under the wrong quarter")
    assert done.restored_id is None
    assert load.current_for(engine, done.key) is None
    assert known(engine) is None  # recomputed: the quarter has no register now
    row = load.get_submission(engine, second)
    assert row["status"] == "withdrawn" and row["content"] == carers_csv(20)
    with engine.connect() as conn:
        event = (
            conn.execute(
                sa.select(db.submission_events).where(
                    db.submission_events.c.submission_id == second,
                    db.submission_events.c.action == "withdrawn",
                )
            )
            .mappings()
            .one()
        )
    assert (event["actor"], event["detail"]) == ("ada", "loaded under the wrong quarter")


def test_withdrawing_can_make_the_earlier_file_current_again(engine):
    first, second = two_submissions(engine)
    done = withdraw(engine, second, actor="ada", reason="sent twice", restore_previous=True)
    assert done.restored_id == first
    assert load.current_for(engine, done.key)["id"] == first
    assert known(engine) == 12


@pytest.mark.parametrize(
    ("which", "reason", "error", "message"),
    [
        ("earlier", "why", load.CannotWithdraw, "not the current one"),
        ("unknown", "why", load.SubmissionNotFound, "no submission 999"),
        ("current", "", load.CannotWithdraw, "Say why"),
        ("twice", "why", load.CannotWithdraw, "is withdrawn"),
        ("nothing earlier", "why", load.CannotWithdraw, "no earlier accepted submission"),
    ],
)
def test_a_withdrawal_that_makes_no_sense_is_refused_and_changes_nothing(
    engine, which, reason, error, message
):
    first, second = two_submissions(engine)
    if which == "twice":
        withdraw(engine, second, actor="ada", reason="first time")
    target = {"earlier": first, "unknown": 999, "current": second, "twice": second}.get(which)
    restore = which == "nothing earlier"
    if restore:
        withdraw(engine, second, actor="ada", reason="make the first the only one left")
        withdraw_first = submit(engine, carers_csv(12), filename=NAME, submitted_by="u")
        assert withdraw_first.status == "reinstated"
        target = first
    before, values = history(engine), store.read_values(engine, area="rotherham")
    with pytest.raises(error, match=message):
        withdraw(engine, target, actor="ada", reason=reason, restore_previous=restore)
    assert history(engine) == before
    assert store.read_values(engine, area="rotherham").equals(values)


def test_withdraw_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARERS_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    engine = db.make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    db.upgrade(engine)
    _, second = two_submissions(engine)
    code = cli.main(
        ["withdraw", str(second), "--reason", "wrong quarter", "--restore-previous", "--by", "ada"]
    )
    assert code == 0
    assert "submission 1 is current" in capsys.readouterr().out
    assert cli.main(["withdraw", str(second), "--reason", "again"]) == 1
    assert "is withdrawn" in capsys.readouterr().err


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.slow
def test_a_process_killed_after_the_load_and_before_the_recompute_leaves_the_area_stale(
    database_url, tmp_path
):
    """kill -9 between the load's commit and the recompute: the next run catches up."""
    engine = db.make_engine(database_url)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / NAME).write_bytes(carers_csv(60_000))
    hold = db.make_engine(database_url)
    env = {**os.environ, "CARERS_DB_URL": database_url}
    command = [sys.executable, "-m", "carers_impact.cli", "etl", "run", "--inbox", str(inbox)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    conn = hold.connect()
    try:

        def loaded() -> bool:
            with engine.connect() as look:
                return bool(
                    look.execute(sa.select(sa.func.count()).select_from(db.stale_areas)).scalar()
                )

        assert _wait_for(loaded, 120), "the load never committed"
        # Hold the write lock on the stored values, so the recompute cannot finish, then kill.
        transaction = conn.begin()
        if hold.dialect.name == "postgresql":
            conn.execute(sa.text("LOCK TABLE measure_values IN ACCESS EXCLUSIVE MODE"))
        else:
            conn.execute(sa.text("DELETE FROM measure_values WHERE 0"))
        time.sleep(0.5)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        transaction.rollback()
    finally:
        conn.close()
        hold.dispose()
    assert store.stale_areas(engine) == ["rotherham"]
    assert known(engine) is None  # the rows are current but the measures were never stored
    assert (inbox / "processed" / NAME).exists()  # filed away before the recompute
    # Whatever runs next recomputes it: here the next inbox pass, which finds no file.
    rerun = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert store.stale_areas(engine) == []
    assert known(engine) == 60_000
    engine.dispose()

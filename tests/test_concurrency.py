"""Several writers at once: submissions for the same quarter, and uploads during the inbox job."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from carers_impact import db
from etl import load
from etl.inbox import process_inbox
from etl.pipeline import submit
from tests.files import carers_csv

NAME = "carers_ROT-ASC_2024-25_Q1.csv"
KEY = load.SubmissionKey("carers", "ROT-ASC", "2024-25 Q1", "rotherham")


def run_together(*jobs):
    """Start every job at the same moment; return their results (or raise their error)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def runner(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(i, j)) for i, j in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_submissions_for_the_same_quarter_at_once_leave_exactly_one_current(engine):
    for _ in range(3):  # a race may go either way; repeat to exercise both orders
        first, second = run_together(
            lambda: submit(engine, carers_csv(3, prefix="A"), filename=NAME, submitted_by="a"),
            lambda: submit(engine, carers_csv(4, prefix="B"), filename=NAME, submitted_by="b"),
        )
        assert {first.status, second.status} <= {"accepted", "reinstated", "duplicate"}
        with engine.connect() as conn:
            current = conn.execute(sa.select(db.current_submissions)).all()
        assert len(current) == 1
        assert current[0].submission_id in {first.submission_id, second.submission_id}
    history = load.history(engine)
    assert set(history["submitted_by"]) == {"a", "b"}
    assert history["current"].sum() == 1
    with engine.connect() as conn:
        superseded = conn.execute(
            sa.select(sa.func.count())
            .select_from(db.submission_events)
            .where(db.submission_events.c.action == "superseded")
        ).scalar()
    assert superseded >= 1  # the first of the first pair was superseded by the second


def test_an_upload_while_the_inbox_job_runs_loses_nothing(engine, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for org in ("ROT-CC", "ROT-CSC", "ROT-NHS"):
        (inbox / f"carers_{org}_2024-25_Q1.csv").write_bytes(carers_csv(5, prefix=org))
    run, upload = run_together(
        lambda: process_inbox(engine, inbox),
        lambda: submit(engine, carers_csv(6), filename=NAME, submitted_by="upload"),
    )
    assert [r.status for _, r in run.results] == ["accepted"] * 3
    assert upload.status == "accepted"
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(sa.func.count()).select_from(db.record_tables["carers"])
        ).scalar()
        current = conn.execute(
            sa.select(sa.func.count()).select_from(db.current_submissions)
        ).scalar()
    assert rows == 3 * 5 + 6 and current == 4


def test_validations_in_several_threads_at_once_each_see_their_own_file():
    from etl.pipeline import check_file, identify

    def check(n: int):
        report, key = identify(NAME)
        rows = check_file(carers_csv(n, prefix=f"T{n}-"), key=key, report=report)
        return len(rows), report.ok

    sizes = [3, 40, 7, 120, 15, 60]
    for _ in range(3):
        assert run_together(*(lambda n=n: check(n) for n in sizes)) == [(n, True) for n in sizes]


def test_the_same_bytes_submitted_twice_at_once_are_loaded_once(engine):
    content = carers_csv(30)
    first, second = run_together(
        lambda: submit(engine, content, filename=NAME, submitted_by="a"),
        lambda: submit(engine, content, filename=NAME, submitted_by="b"),
    )
    assert sorted([first.status, second.status]) == ["accepted", "duplicate"]
    with engine.connect() as conn:
        accepted = conn.execute(
            sa.select(db.submissions.c.id).where(db.submissions.c.status == "accepted")
        ).all()
        rows = conn.execute(
            sa.select(sa.func.count()).select_from(db.record_tables["carers"])
        ).scalar()
    assert len(accepted) == 1 and rows == 30


def test_two_inbox_runs_at_once_with_the_same_file_load_it_once(engine, tmp_path):
    inboxes = [tmp_path / "one", tmp_path / "two"]
    for inbox in inboxes:
        inbox.mkdir()
        (inbox / NAME).write_bytes(carers_csv(30))
    runs = run_together(*(lambda inbox=inbox: process_inbox(engine, inbox) for inbox in inboxes))
    statuses = sorted(r.status for run in runs for _, r in run.results)
    assert statuses == ["accepted", "duplicate"]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(sa.func.count()).select_from(db.record_tables["carers"])
        ).scalar()
    assert rows == 30


def test_accepted_twins_left_by_the_old_race_are_made_one_by_the_upgrade(engine):
    from alembic import command

    first = submit(engine, carers_csv(3), filename=NAME, submitted_by="a")
    command.downgrade(db.alembic_config(engine), "0006")
    with engine.begin() as conn:  # what two racing runs used to leave behind
        row = (
            conn.execute(
                sa.select(db.submissions).where(db.submissions.c.id == first.submission_id)
            )
            .mappings()
            .one()
        )
        twin = conn.execute(
            sa.insert(db.submissions).values({k: v for k, v in row.items() if k != "id"})
        ).inserted_primary_key[0]
    db.upgrade(engine)
    with engine.connect() as conn:
        status = dict(conn.execute(sa.select(db.submissions.c.id, db.submissions.c.status)).all())
    assert status == {first.submission_id: "accepted", twin: "duplicate"}
    again = submit(engine, carers_csv(3), filename=NAME, submitted_by="b")
    assert again.status == "duplicate"


def test_two_recomputes_of_one_area_at_once_both_succeed_and_store_one_set(engine):
    from measures.domain.area_files import load_areas
    from measures.storage import values

    submit(engine, carers_csv(30), filename=NAME, submitted_by="a")
    frame = values.compute_area(engine, load_areas()["rotherham"])
    for _ in range(5):  # the collision needs both deletes to run before either insert
        counts = run_together(*(lambda: values.write_area(engine, "rotherham", frame),) * 2)
        assert counts == [len(frame)] * 2
        with engine.connect() as conn:
            stored = conn.execute(
                sa.select(sa.func.count())
                .select_from(db.measure_values)
                .where(db.measure_values.c.area == "rotherham")
            ).scalar()
        assert stored == len(frame)

"""The inbox pass: every file once, and each changed area's measures recomputed once;
only regular, finished files, each taken by one pass."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from carers_impact import db
from etl import inbox as inbox_module
from etl.inbox import process_inbox
from etl.pipeline import Recompute
from measures.domain.area_files import load_areas
from measures.storage import values as store
from tests.files import carers_csv, load_without_recompute


def test_each_changed_area_is_recomputed_once_after_the_whole_pass(engine, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for org in ("ROT-ASC", "ROT-CC", "ROT-CSC"):
        (inbox / f"carers_{org}_2024-25_Q1.csv").write_bytes(carers_csv(3, prefix=org))
    (inbox / "carers_SOT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    (inbox / "carers_SAN-ASC_2024-25_Q1.csv").write_bytes(b"")  # rejected: no recompute
    recomputed: list[tuple[str, int]] = []
    real = store.write_area

    def recording(the_engine, area_id, frame, **options):
        recomputed.append((area_id, len(store.stale_areas(the_engine))))
        return real(the_engine, area_id, frame, **options)

    monkeypatch.setattr(store, "write_area", recording)
    run = process_inbox(engine, inbox)
    assert [r.status for _, r in run.results].count("accepted") == 4
    assert run.recomputed == ["rotherham", "southampton"]
    assert [area for area, _ in recomputed] == ["rotherham", "southampton"]
    assert recomputed[0][1] == 2  # both areas marked stale until their recompute
    assert store.stale_areas(engine) == []
    known = store.read_values(engine, area="rotherham", measure_id="known_carers", breakdown="all")
    assert known.set_index("period").loc["2024-25 Q1", "value"] == 9


def test_an_area_left_stale_by_a_stopped_process_is_recomputed_by_the_next_pass(engine, tmp_path):
    load_without_recompute(engine, carers_csv(12), "carers_ROT-ASC_2024-25_Q1.csv")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    run = process_inbox(engine, inbox)  # nothing to do but the stale area
    assert run.recomputed == ["rotherham"]
    assert store.stale_areas(engine) == []
    assert not store.read_values(engine, area="rotherham").empty


# -- hostile and unfinished files ----------------------------------------------------

NAME = "carers_ROT-ASC_2024-25_Q1.csv"


def submissions(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(db.submissions).order_by(db.submissions.c.id))
        return [dict(r) for r in rows.mappings()]


def loaded_rows(engine) -> int:
    with engine.connect() as conn:
        table = db.record_tables["carers"]
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def make_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return inbox


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "outside.csv"])
def test_a_symbolic_link_is_filed_away_unread(engine, tmp_path, target):
    inbox = make_inbox(tmp_path)
    outside = tmp_path / "outside.csv"
    outside.write_bytes(carers_csv(4))  # a valid extract: must still not be loaded
    (inbox / NAME).symlink_to(outside if target == "outside.csv" else target)
    run = process_inbox(engine, inbox)
    [(_, result)] = run.results
    assert result.status == "rejected" and result.submission_id is None
    assert [f.rule for f in result.report.errors] == ["not_a_file"]
    assert "symbolic link" in result.report.errors[0].message
    assert submissions(engine) == [] and loaded_rows(engine) == 0
    assert (inbox / "rejected" / NAME).is_symlink()  # the link moved, not what it points to
    assert (inbox / "rejected" / f"{NAME}.report.txt").is_file()
    assert outside.read_bytes() == carers_csv(4)
    assert process_inbox(engine, inbox).results == []


def test_a_pipe_is_filed_away_without_the_pass_waiting_on_it(engine, tmp_path):
    inbox = make_inbox(tmp_path)
    os.mkfifo(inbox / NAME)
    (inbox / "a folder.csv").mkdir()
    run = process_inbox(engine, inbox)
    assert [(p.name, r.status) for p, r in run.results] == [(NAME, "rejected")]
    assert "pipe" in run.results[0][1].report.errors[0].message
    assert (inbox / "a folder.csv").is_dir() and submissions(engine) == []


def test_a_file_swapped_for_a_link_after_it_was_seen_is_not_followed(engine, tmp_path):
    inbox = make_inbox(tmp_path)
    outside = tmp_path / "outside.csv"
    outside.write_bytes(carers_csv(4))
    claimed = inbox / "claimed.csv"
    claimed.symlink_to(outside)
    result = inbox_module._submit_claimed(
        engine,
        claimed,
        name=NAME,
        seen=outside.stat(),
        submitted_by="inbox",
        areas=load_areas(),
        recompute=Recompute(),
    )
    assert result.status == "rejected" and result.submission_id is None
    assert submissions(engine) == []


def test_a_file_still_being_written_is_left_until_it_is_complete(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CARERS_INBOX_SETTLE_SECONDS", "0.3")
    inbox = make_inbox(tmp_path)
    content = carers_csv(2_000)
    lines = content.splitlines(keepends=True)
    path = inbox / NAME
    half = threading.Event()

    def write_slowly():
        with path.open("wb") as out:
            for number, line in enumerate(lines):
                out.write(line)
                out.flush()
                if number == len(lines) // 4:
                    half.set()
                time.sleep(1.5 / len(lines))

    writer = threading.Thread(target=write_slowly)
    writer.start()
    half.wait(10)
    run = process_inbox(engine, inbox)
    writer.join()
    assert run.results == [] and submissions(engine) == []
    assert path.read_bytes() == content
    run = process_inbox(engine, inbox)
    assert [r.status for _, r in run.results] == ["accepted"]
    assert loaded_rows(engine) == 2_000
    assert (inbox / "processed" / NAME).read_bytes() == content


def test_two_passes_at_once_take_each_file_once(engine, tmp_path):
    inbox = make_inbox(tmp_path)
    orgs = ("ROT-ASC", "ROT-CC", "ROT-CSC", "ROT-NHS", "SOT-ASC", "SOT-CC")
    for org in orgs:
        (inbox / f"carers_{org}_2024-25_Q1.csv").write_bytes(carers_csv(5, prefix=org))
    time.sleep(0.1)
    barrier = threading.Barrier(2)
    runs, errors = [], []

    def one_pass():
        barrier.wait()
        try:
            runs.append(process_inbox(engine, inbox))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    taken = sorted(p.name for run in runs for p, _ in run.results)
    assert taken == sorted(f"carers_{org}_2024-25_Q1.csv" for org in orgs)
    assert all(r.status == "accepted" for run in runs for _, r in run.results)
    assert len(submissions(engine)) == len(orgs) and loaded_rows(engine) == 5 * len(orgs)
    assert sorted(p.name for p in (inbox / "processed").glob("*.csv")) == taken


def test_a_file_too_large_is_rejected_unread_with_a_history_row_and_not_retried(engine, tmp_path):
    inbox = make_inbox(tmp_path)
    path = inbox / NAME
    with path.open("wb") as out:
        out.truncate(8 * 1024**3)  # 8 GB, sparse: it costs no disk
    os.utime(path, (time.time() - 60,) * 2)
    started = time.perf_counter()
    run = process_inbox(engine, inbox)
    assert time.perf_counter() - started < 30
    [(_, result)] = run.results
    assert result.status == "rejected"
    assert [f.rule for f in result.report.errors] == ["file_too_large"]
    assert result.report.errors[0].message.startswith("the file is 8192 MB")
    [row] = submissions(engine)
    assert row["id"] == result.submission_id and row["status"] == "rejected"
    assert row["size_bytes"] == 8 * 1024**3 and row["content"] is None
    assert (row["extract"], row["organisation"], row["period"]) == (
        "carers",
        "ROT-ASC",
        "2024-25 Q1",
    )
    assert not path.exists() and (inbox / "rejected" / f"{NAME}.report.txt").is_file()
    (inbox / "rejected" / NAME).unlink()
    assert process_inbox(engine, inbox).results == []


def test_a_file_claimed_by_a_pass_that_died_is_taken_by_the_next(engine, tmp_path):
    inbox = make_inbox(tmp_path)
    child = subprocess.Popen(["true"])
    child.wait()  # a process id that no longer runs
    claims = inbox / "processing" / f"{socket.gethostname()}-{child.pid}"
    claims.mkdir(parents=True)
    (claims / NAME).write_bytes(carers_csv(3))
    run = process_inbox(engine, inbox)
    assert [(p.name, r.status) for p, r in run.results] == [(NAME, "accepted")]
    assert not claims.exists()


@pytest.mark.slow
def test_etl_run_rejects_an_8_gb_file_within_a_memory_limit_once_and_for_all(
    database_url, tmp_path
):
    inbox = make_inbox(tmp_path)
    with (inbox / NAME).open("wb") as out:
        out.truncate(8 * 1024**3)  # sparse: it costs no disk
    os.utime(inbox / NAME, (time.time() - 60,) * 2)
    env = {**os.environ, "CARERS_DB_URL": database_url, "CARERS_INBOX_SETTLE_SECONDS": "0"}
    command = [
        sys.executable,
        "-c",
        "import sys; from carers_impact.cli import main; sys.exit(main(sys.argv[1:]))",
        *["etl", "run", "--inbox", str(inbox)],
    ]

    def at_most_4_gb() -> None:  # far less than the file: reading it whole would fail
        resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))

    first = subprocess.run(
        command, env=env, capture_output=True, text=True, preexec_fn=at_most_4_gb, timeout=300
    )
    assert first.returncode == 1, first.stderr
    assert f"{NAME}: rejected" in first.stdout and "the file is 8192 MB" in first.stdout
    assert "Traceback" not in first.stderr
    assert not (inbox / NAME).exists() and (inbox / "rejected" / NAME).exists()
    engine = db.make_engine(database_url)
    try:
        [row] = submissions(engine)
    finally:
        engine.dispose()
    assert row["status"] == "rejected" and row["size_bytes"] == 8 * 1024**3
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "No files in the inbox." in again.stdout

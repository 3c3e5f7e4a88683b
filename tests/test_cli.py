"""The `carers-impact` command: etl run, validate, submissions, revert."""

from __future__ import annotations

import pytest

from carers_impact import cli
from tests.files import carers_csv


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working directory with its own SQLite database and inbox."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARERS_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return inbox


def test_etl_run_files_each_extract_with_its_report_and_exits_1_on_a_rejection(workdir, capsys):
    (workdir / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    (workdir / "carers_ROT-CC_2024-25_Q1.csv").write_bytes(b"carer_id\r\n")
    code = cli.main(["etl", "run", "--inbox", str(workdir)])
    out = capsys.readouterr().out
    assert code == 1
    assert "carers_ROT-ASC_2024-25_Q1.csv: accepted" in out
    assert "carers_ROT-CC_2024-25_Q1.csv: rejected" in out
    assert (workdir / "processed" / "carers_ROT-ASC_2024-25_Q1.csv").exists()
    report = workdir / "rejected" / "carers_ROT-CC_2024-25_Q1.csv.report.txt"
    assert "no data rows" in report.read_text()
    assert not list(workdir.glob("*.csv"))


def test_etl_run_exits_0_when_everything_loads_and_lists_it_in_the_history(workdir, capsys):
    (workdir / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    assert cli.main(["etl", "run", "--inbox", str(workdir)]) == 0
    capsys.readouterr()
    assert cli.main(["submissions", "--organisation", "rot-asc"]) == 0
    out = capsys.readouterr().out
    assert "carers_ROT-ASC_2024-25_Q1.csv" in out and "accepted" in out


def test_the_same_name_processed_twice_keeps_both_files(workdir):
    (workdir / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    cli.main(["etl", "run", "--inbox", str(workdir)])
    (workdir / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(4))
    assert cli.main(["etl", "run", "--inbox", str(workdir)]) == 0
    assert len(list((workdir / "processed").glob("*.csv"))) == 2


def test_etl_run_on_a_missing_inbox_says_so(workdir, capsys):
    assert cli.main(["etl", "run", "--inbox", str(workdir / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_validate_prints_the_report_and_loads_nothing(workdir, capsys):
    good = workdir / "carers_ROT-ASC_2024-25_Q1.csv"
    good.write_bytes(carers_csv(2))
    assert cli.main(["validate", str(good)]) == 0
    assert "ACCEPTED" in capsys.readouterr().out
    bad = workdir / "upload.csv"
    bad.write_bytes(carers_csv(2, age_band="adult"))
    code = cli.main(
        [
            "validate",
            str(bad),
            "--extract",
            "carers",
            "--organisation",
            "ROT-ASC",
            "--period",
            "2024-25 Q1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "REJECTED" in out and "age_band" in out
    assert cli.main(["submissions"]) == 0
    assert "No submissions" in capsys.readouterr().out


def test_validate_of_a_file_that_does_not_exist_says_so(workdir, capsys):
    assert cli.main(["validate", str(workdir / "missing.csv")]) == 2
    assert "no file" in capsys.readouterr().err


def test_revert_from_the_command_line(workdir, capsys):
    for n in (3, 5):
        (workdir / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(n))
        cli.main(["etl", "run", "--inbox", str(workdir)])
    capsys.readouterr()
    assert cli.main(["revert", "1"]) == 0
    assert "current again" in capsys.readouterr().out
    assert cli.main(["revert", "1"]) == 1
    assert "already the current" in capsys.readouterr().err


def test_a_database_fault_leaves_the_file_in_the_inbox_and_the_rest_carry_on(workdir, capsys):
    from carers_impact import db

    engine = db.make_engine()
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER no_breaks BEFORE INSERT ON breaks_rows "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    engine.dispose()
    breaks = workdir / "breaks_ROT-ASC_2024-25_Q1.csv"
    breaks.write_bytes(
        b"break_id,carer_id,start_date,break_type,planned\r\nB1,C1,2024-05-01,break grant,yes\r\n"
    )
    (workdir / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    assert cli.main(["etl", "run", "--inbox", str(workdir)]) == 1
    out = capsys.readouterr().out
    assert "breaks_ROT-ASC_2024-25_Q1.csv: failed" in out and "disk full" in out
    assert "carers_ROT-ASC_2024-25_Q1.csv: accepted" in out
    assert breaks.exists()  # kept for the next run

"""Submitting extracts: accepted whole or rejected with a report, and nothing ever lost."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from carers_impact import db
from etl import load
from etl.pipeline import submit
from tests.files import CARERS_HEADER, assessments_csv, carers_csv, csv_bytes

NAME = "carers_ROT-ASC_2024-25_Q1.csv"


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def snapshot(engine) -> dict[str, list]:
    """Everything stored that a rejected file must leave alone."""
    tables = [db.current_submissions, *db.record_tables.values(), db.measure_values]
    with engine.connect() as conn:
        stored = {
            t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr) for t in tables
        }
        stored["accepted"] = conn.execute(
            sa.select(db.submissions.c.id)
            .where(db.submissions.c.status == "accepted")
            .order_by(db.submissions.c.id)
        ).all()
    return stored


def test_a_valid_file_is_loaded_and_becomes_current(engine):
    result = submit(engine, carers_csv(3), filename=NAME, submitted_by="alice")
    assert result.status == "accepted", result.report.to_text()
    assert count(engine, db.record_tables["carers"]) == 3
    row = load.get_submission(engine, result.submission_id)
    assert (row["extract"], row["organisation"], row["period"], row["area"]) == (
        "carers",
        "ROT-ASC",
        "2024-25 Q1",
        "rotherham",
    )
    assert row["submitted_by"] == "alice"
    assert row["sha256"] == load.sha256(carers_csv(3))
    assert row["content"] == carers_csv(3)
    key = load.SubmissionKey("carers", "ROT-ASC", "2024-25 Q1", "rotherham")
    assert load.current_for(engine, key)["id"] == result.submission_id


def test_a_council_spreadsheet_export_loads_without_edits(engine):
    header = [
        "Carer ID",
        "Date Identified",
        "Age Band",
        "Sex",
        "Locality",
        "Hours Band",
        "Date Closed",
    ]
    rows = [
        ["R-1", "01/05/2024", "65+", "male", "", "50+", ""],
        ["R-2", "15/06/2024", "18-24", "Female ", "", "0-19", ""],
        ["", "", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
    ]
    content = csv_bytes(header, rows, bom=True)
    result = submit(engine, content, filename="Carers_rot-asc_2024-25_Q1.CSV", submitted_by="alice")
    assert result.status == "accepted", result.report.to_text()
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(
                db.record_tables["carers"].c.carer_id,
                db.record_tables["carers"].c.date_identified,
                db.record_tables["carers"].c.sex,
            ).order_by("carer_id")
        ).all()
    assert stored == [("R-1", date(2024, 5, 1), "Male"), ("R-2", date(2024, 6, 15), "Female")]


def test_an_invalid_file_is_kept_with_its_report_and_not_loaded(engine):
    content = carers_csv(2, extra_rows=[["C9", "2024-05-01", "adult", "Female", "", "", ""]])
    result = submit(engine, content, filename=NAME, submitted_by="alice")
    assert result.status == "rejected"
    assert count(engine, db.record_tables["carers"]) == 0
    row = load.get_submission(engine, result.submission_id)
    assert row["status"] == "rejected" and row["content"] == content
    report = json.loads(row["report"])
    failing = [f for f in report["findings"] if f["column"] == "age_band"]
    assert failing and failing[0]["rows"] == [4]


def test_a_file_with_personal_data_is_rejected_and_its_content_never_stored(engine):
    header = [*CARERS_HEADER, "postcode"]
    content = csv_bytes(header, [["C1", "2024-05-01", "65+", "", "", "", "", "ZZ99 9ZZ"]])
    result = submit(engine, content, filename=NAME, submitted_by="alice")
    assert result.status == "rejected"
    row = load.get_submission(engine, result.submission_id)
    assert row["content"] is None
    assert "ZZ99" not in row["report"]
    assert any(f.rule == "personal_data" and f.column == "postcode" for f in result.report.errors)


def test_a_new_file_for_the_same_quarter_supersedes_and_history_keeps_both(engine):
    first = submit(engine, carers_csv(3), filename=NAME, submitted_by="alice")
    second = submit(engine, carers_csv(5), filename=NAME, submitted_by="bob")
    assert second.status == "accepted" and second.superseded_id == first.submission_id
    history = load.history(engine, organisation="ROT-ASC")
    assert list(history["id"]) == [second.submission_id, first.submission_id]
    assert list(history["current"]) == [True, False]
    with engine.connect() as conn:
        actions = (
            conn.execute(
                sa.select(db.submission_events.c.action).where(
                    db.submission_events.c.submission_id == first.submission_id
                )
            )
            .scalars()
            .all()
        )
    assert "superseded" in actions


def test_the_same_bytes_twice_are_recognised_and_not_loaded_twice(engine):
    submit(engine, carers_csv(3), filename=NAME, submitted_by="alice")
    again = submit(engine, carers_csv(3), filename=NAME, submitted_by="alice")
    assert again.status == "duplicate"
    assert count(engine, db.record_tables["carers"]) == 3
    assert load.get_submission(engine, again.submission_id)["content"] is None


def test_resubmitting_an_earlier_file_makes_it_current_again_without_reloading(engine):
    first = submit(engine, carers_csv(3), filename=NAME, submitted_by="alice")
    submit(engine, carers_csv(5), filename=NAME, submitted_by="alice")
    again = submit(engine, carers_csv(3), filename=NAME, submitted_by="alice")
    assert again.status == "reinstated" and again.submission_id == first.submission_id
    assert count(engine, db.record_tables["carers"]) == 8
    key = load.SubmissionKey("carers", "ROT-ASC", "2024-25 Q1", "rotherham")
    assert load.current_for(engine, key)["id"] == first.submission_id


def test_an_admin_can_revert_to_an_earlier_submission(engine):
    first = submit(engine, carers_csv(3), filename=NAME, submitted_by="alice")
    second = submit(engine, carers_csv(5), filename=NAME, submitted_by="alice")
    replaced = load.revert(engine, first.submission_id, actor="admin")
    assert replaced == second.submission_id
    key = load.SubmissionKey("carers", "ROT-ASC", "2024-25 Q1", "rotherham")
    assert load.current_for(engine, key)["id"] == first.submission_id
    with pytest.raises(load.CannotRevert, match="already the current"):
        load.revert(engine, first.submission_id, actor="admin")


def test_a_rejected_submission_cannot_be_reverted_to(engine):
    bad = submit(engine, b"", filename=NAME, submitted_by="alice")
    with pytest.raises(load.CannotRevert, match="rejected"):
        load.revert(engine, bad.submission_id, actor="admin")
    with pytest.raises(load.SubmissionNotFound):
        load.revert(engine, 9999, actor="admin")


def _xlsx(rows: list[list], *, sheet: str = "Sheet1") -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = sheet
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BAD_FILES = {
    "empty file": (NAME, b"", "empty"),
    "header only": (NAME, csv_bytes(CARERS_HEADER, []), "no data rows"),
    "semicolons": (
        NAME,
        b"carer_id;date_identified;age_band\r\nC1;2024-05-01;65+\r\n",
        "semicolon",
    ),
    "binary named csv": (NAME, bytes(range(256)) * 4, "not a text"),
    "xlsx without the columns": (
        "carers_ROT-ASC_2024-25_Q1.xlsx",
        _xlsx([["totals", "count"], ["all", 3]]),
        "carer_id",
    ),
    "formula cells": (
        "carers_ROT-ASC_2024-25_Q1.xlsx",
        _xlsx(
            [CARERS_HEADER, ["C1", "2024-05-01", '=IF(1,"65+","")', "", "", "", ""]], sheet="carers"
        ),
        "formula",
    ),
    "duplicated ids": (
        NAME,
        carers_csv(2, extra_rows=[["C00000", "2024-05-01", "65+", "", "", "", ""]]),
        "must be unique",
    ),
    "future quarter": ("carers_ROT-ASC_2030-31_Q1.csv", carers_csv(1), "has not ended"),
    "unknown organisation": ("carers_XYZ-ASC_2024-25_Q1.csv", carers_csv(1), "not an organisation"),
    "bad file name": ("carers register Q1.csv", carers_csv(1), "assessments_ROT-ASC_2024-25_Q1"),
    "wrong quarter dates": ("assessments_ROT-ASC_2023-24_Q1.csv", assessments_csv(2), "2023-24 Q1"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_input_is_rejected_with_a_clear_report_and_changes_nothing_stored(engine, case):
    submit(engine, carers_csv(4), filename=NAME, submitted_by="alice")
    before = snapshot(engine)
    filename, content, expected = BAD_FILES[case]
    result = submit(engine, content, filename=filename, submitted_by="alice")
    assert result.status == "rejected"
    text = result.report.to_text()
    assert expected.lower() in text.lower(), text
    assert "Traceback" not in text
    assert snapshot(engine) == before
    assert load.get_submission(engine, result.submission_id)["status"] == "rejected"


def test_a_file_over_the_size_limit_is_rejected_unread_and_not_stored(engine, monkeypatch):
    monkeypatch.setenv("CARERS_MAX_FILE_MB", "100")
    content = carers_csv(1) + b"x" * (100 * 1024 * 1024)
    result = submit(engine, content, filename=NAME, submitted_by="alice")
    assert result.status == "rejected"
    assert "100 MB" in result.report.to_text()
    assert load.get_submission(engine, result.submission_id)["content"] is None


FAIL_MIDWAY = {
    "sqlite": [
        "CREATE TRIGGER fail_midway BEFORE INSERT ON carers_rows WHEN NEW.carer_id = 'N00025' "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION fail_midway() RETURNS trigger AS $$ BEGIN "
        "IF NEW.carer_id = 'N00025' THEN RAISE EXCEPTION 'disk full'; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER fail_midway BEFORE INSERT ON carers_rows FOR EACH ROW "
        "EXECUTE FUNCTION fail_midway()",
    ],
}


def test_a_failure_in_the_middle_of_a_load_leaves_the_database_exactly_as_before(
    engine, monkeypatch
):
    submit(engine, carers_csv(4), filename=NAME, submitted_by="alice")
    before = snapshot(engine)
    submissions_before = count(engine, db.submissions)
    monkeypatch.setattr(load, "CHUNK_ROWS", 10)  # rows 0-24 go in before row 25 fails
    with engine.begin() as conn:
        for statement in FAIL_MIDWAY[engine.dialect.name]:
            conn.exec_driver_sql(statement)
    with pytest.raises(Exception, match="disk full"):
        submit(engine, carers_csv(35, prefix="N"), filename=NAME, submitted_by="alice")
    assert snapshot(engine) == before
    assert count(engine, db.submissions) == submissions_before

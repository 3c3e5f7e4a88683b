"""The data-quality page: the submission matrix, validation reports and the scheduler's runs."""

from __future__ import annotations

from carers_impact import db
from etl.jobs import record_run
from tests.dashboard_data import (
    as_read,
    as_user,
    dashboard_database,
    page_table,
    table_as_read,
    table_row,
    texts,
)

PAGE = "views/quality.py"
database = dashboard_database("quality")


def matrix_html(at) -> str:
    return page_table(at, "ci-quality")


def test_the_matrix_shows_late_rejected_and_missing_extracts_in_words():
    at = as_user("uma", PAGE)
    at.select_slider(key="quality_last").set_value(28).run()
    html = matrix_html(at)
    carers = table_row(html, "ROT-ASC carers")
    assert "ROT-ASC carers 2023-24 Q1: late" in carers  # loaded long after it was due
    assert "ROT-ASC carers 2024-25 Q2: missing" in carers  # nothing since, and past due
    assert ">Late<" in carers and ">Missing<" in carers
    assert "ROT-CC carers 2024-25 Q1: rejected" in table_row(html, "ROT-CC carers")
    assert '<th scope="row">ROT-CC assessments</th>' not in html  # not configured, not sent
    assert "ROT-ASC breaks 2024-25 Q1: missing" in table_row(html, "ROT-ASC breaks")  # configured
    assert "expects none from the organisation: " in texts(at)
    assert "ROT-CC assessments" in texts(at)
    counts = {m.label: int(m.value) for m in at.metric}
    assert counts["Rejected"] == 1 and counts["Late"] == 6


def test_an_uploader_reads_only_their_organisations_reports():
    at = as_user("uma", PAGE)
    assert "Reports of your organisations' files (ROT-ASC)." in texts(at)
    assert "No reports to show." in texts(at)  # the only rejected file is ROT-CC's
    at.radio(key="quality_reports_which").set_value("All files").run()
    labels = [as_read(e.label) for e in at.expander]
    assert labels and all("ROT-ASC" in label for label in labels)


def test_an_admin_reads_the_rejected_file_s_report_with_its_rows():
    at = as_user("ada", PAGE)
    labels = [as_read(e.label) for e in at.expander]
    assert len(labels) == 1 and "carers_ROT-CC_2024-25_Q1.csv (rejected)" in labels[0]
    findings = table_as_read(at.table[0])
    assert findings.iloc[0]["Column"] == "age_band"
    assert findings.iloc[0]["First failing rows (header is row 1)"] == "3, 5"


def test_the_scheduler_s_job_runs_are_listed(database):
    engine = db.make_engine(database)
    at = as_user("ada", PAGE)
    assert "No scheduled job has run yet" in texts(at)
    record_run(engine, "poll_inbox", lambda: "processed 2 files")
    at.run()
    jobs = at.dataframe[0].value
    assert jobs.iloc[0]["job_id"] == "poll_inbox"
    assert jobs.iloc[0]["outcome"] == "success"
    assert jobs.iloc[0]["detail"] == "processed 2 files"

"""The upload page: own organisations only, the report of a bad file, loading, history, revert."""

from __future__ import annotations

from carers_impact import db
from etl import quality
from measures import api
from tests.dashboard_data import (
    as_read,
    as_user,
    bad_carers_file,
    carers_file,
    dashboard_database,
    table_as_read,
    texts,
)

PAGE = "views/upload.py"
database = dashboard_database("upload")


def known_carers(url: str, period: str) -> float:
    table = api.measure_table(db.make_engine(url), area="rotherham", period=period)
    row = table[(table.measure_id == "known_carers") & (table.breakdown == "all")]
    return float(row["value"].iloc[0])


def upload(at, name: str, content: bytes):
    at.file_uploader(key="upload_file").upload(name, content, "text/csv").run()
    at.button(key="upload_submit").click().run()
    return at


def test_an_uploader_may_only_choose_their_own_organisations():
    at = as_user("uma", PAGE)
    at.file_uploader(key="upload_file").upload(
        "carers_ROT-ASC_2024-25_Q2.csv", carers_file(3, "2024-25 Q2"), "text/csv"
    ).run()
    organisation = at.selectbox(key="upload_organisation")
    assert organisation.options == ["ROT-ASC: Rotherham Metropolitan Borough Council: Adult Care"]


def test_a_file_named_for_another_organisation_is_refused_whatever_is_chosen(database):
    before = quality.read_submissions(db.make_engine(database))
    at = as_user("uma", PAGE)
    at.file_uploader(key="upload_file").upload(
        "carers_ROT-CC_2024-25_Q2.csv", carers_file(3, "2024-25 Q2"), "text/csv"
    ).run()
    refused = as_read(" ".join(e.value for e in at.error))
    assert "says it is from ROT-CC, which you cannot submit for" in refused
    assert not [b for b in at.button if b.key == "upload_submit"]  # nothing to click
    assert len(quality.read_submissions(db.make_engine(database))) == len(before)


def test_the_file_name_fills_in_extract_organisation_and_quarter():
    at = as_user("ada", PAGE)
    at.file_uploader(key="upload_file").upload(
        "assessments_SOT-CC_2024-25_Q3.csv", b"x", "text/csv"
    ).run()
    assert at.selectbox(key="upload_organisation").value == "SOT-CC"
    assert at.selectbox(key="upload_extract").value == "assessments"
    assert at.selectbox(key="upload_period").value == "2024-25 Q3"


def test_a_bad_file_is_rejected_with_its_failing_rows_and_nothing_changes(database):
    before = known_carers(database, "2024-25 Q1")
    at = upload(as_user("uma", PAGE), "carers_ROT-ASC_2024-25_Q1.csv", bad_carers_file())
    assert not at.exception
    verdict = " ".join(e.value for e in at.error)
    assert "rejected" in verdict and "Nothing from this file was loaded" in verdict
    findings = table_as_read(at.table[0])
    failing = findings[findings["Column"] == "age_band"].iloc[0]
    assert failing["Rows failing"] == 2
    assert failing["First failing rows (header is row 1)"] == "3, 5"
    assert known_carers(database, "2024-25 Q1") == before
    history = at.dataframe[0].value
    assert history.iloc[0]["status"] == "rejected"


def test_a_good_file_is_loaded_and_the_measure_changes(database):
    def scorecard_latest() -> str:
        page = as_user("uma", "views/scorecard.py", area="rotherham", period="2024-25 Q2")
        html = "\n".join(h.proto.body for h in page.html)
        row = html[html.index(">Carers known to services</a>") :]
        return row[row.index('<span class="ci-value">') :].split("</span>", 1)[0]

    before = scorecard_latest()
    at = upload(
        as_user("uma", PAGE), "carers_ROT-ASC_2024-25_Q2.csv", carers_file(61, "2024-25 Q2")
    )
    assert "accepted (carers ROT-ASC 2024-25 Q2, 61 rows)" in texts(at)
    assert known_carers(database, "2024-25 Q2") == 61
    assert before != scorecard_latest() == '<span class="ci-value">61'


def test_the_same_file_twice_is_recognised_and_not_loaded_again():
    content = carers_file(62, "2023-24 Q2")
    upload(as_user("uma", PAGE), "carers_ROT-ASC_2023-24_Q2.csv", content)
    at = upload(as_user("uma", PAGE), "carers_ROT-ASC_2023-24_Q2.csv", content)
    assert "identical to the file already loaded" in texts(at)


def test_an_uploader_sees_only_their_organisations_history():
    at = as_user("uma", PAGE)
    history = at.dataframe[0].value
    assert set(history["organisation"]) == {"ROT-ASC"}
    assert "Revert to an earlier submission" not in [s.value for s in at.header]


def test_an_admin_sees_every_organisation_and_can_revert(database):
    upload(as_user("uma", PAGE), "carers_ROT-ASC_2023-24_Q3.csv", carers_file(49, "2023-24 Q3"))
    assert known_carers(database, "2023-24 Q3") == 49
    at = as_user("ada", PAGE)
    assert {"ROT-ASC", "ROT-CC", "SOT-ASC"} <= set(at.dataframe[0].value["organisation"])
    history = quality.read_submissions(db.make_engine(database), organisations=["ROT-ASC"])
    original = history[
        (history["period"] == "2023-24 Q3")
        & (history["status"] == "accepted")
        & ~history["current"]
    ]["id"].iloc[0]
    at.selectbox(key="revert_pick").select(original)
    at.checkbox(key="revert_sure").check()
    at.button(key="revert_submit").click().run()
    assert f"Submission {original} is current again" in texts(at)
    assert known_carers(database, "2023-24 Q3") == 47


def test_a_revert_needs_the_box_ticked(database):
    upload(as_user("uma", PAGE), "carers_ROT-ASC_2023-24_Q4.csv", carers_file(53, "2023-24 Q4"))
    at = as_user("ada", PAGE)
    at.button(key="revert_submit").click().run()
    assert "Tick the box to confirm the revert." in [e.value for e in at.error]
    assert known_carers(database, "2023-24 Q4") == 53


def test_a_submission_s_report_can_be_read_from_the_history():
    at = as_user("ada", PAGE)
    rejected = at.dataframe[0].value.query("status == 'rejected'")["id"].iloc[-1]
    at.selectbox(key="history_report").select(rejected).run()
    assert any("age_band" in table_as_read(t).to_string() for t in at.table)


def test_an_admin_withdraws_a_file_loaded_under_the_wrong_quarter(database):
    engine = db.make_engine(database)
    upload(as_user("uma", PAGE), "carers_ROT-ASC_2022-23_Q4.csv", carers_file(33, "2022-23 Q4"))
    wrong = quality.read_submissions(engine, organisations=["ROT-ASC"]).iloc[0]
    assert wrong["period"] == "2022-23 Q4" and wrong["current"]
    at = as_user("ada", PAGE)
    at.selectbox(key="withdraw_pick").select(int(wrong["id"]))
    at.button(key="withdraw_submit").click().run()
    assert "Tick the box to confirm the withdrawal." in [e.value for e in at.error]
    at.checkbox(key="withdraw_sure").check()
    at.button(key="withdraw_submit").click().run()
    assert any("Say why the submission is withdrawn" in e.value for e in at.error)
    at.text_input(key="withdraw_reason").input("It is the 2023-24 Q4 register")
    at.checkbox(key="withdraw_sure").check()
    at.button(key="withdraw_submit").click().run()
    assert f"Submission {wrong['id']} is withdrawn; the quarter has no current file" in texts(at)
    after = quality.read_submissions(engine, organisations=["ROT-ASC"]).set_index("id")
    assert after.loc[wrong["id"], "status"] == "withdrawn" and not after.loc[wrong["id"], "current"]
    table = api.measure_table(engine, area="rotherham", period="2022-23 Q4")
    assert table[table.measure_id == "known_carers"].empty


def test_an_accepted_file_says_what_it_replaced_and_what_changed(database):
    at = upload(
        as_user("uma", PAGE), "carers_ROT-ASC_2023-24_Q1.csv", carers_file(45, "2023-24 Q1")
    )
    change = as_read(" ".join(e.value for e in at.info))
    assert "This file replaces submission 1, 40 rows, with 45 rows" in change
    assert "carers known to services 40 → 45" in change

"""The strategy actions page: configured actions, updates by viewers, the latest winning."""

from __future__ import annotations

from carers_impact import db
from measures import api
from tests.dashboard_data import as_user, dashboard_database, page_table, table_row, texts

PAGE = "views/actions.py"
database = dashboard_database("actions")


def actions_html(at) -> str:
    return page_table(at, "ci-actions")


def test_the_area_s_actions_show_owner_due_status_and_measures():
    at = as_user("vera", PAGE, area="rotherham")
    row = table_row(actions_html(at), "Carer empowerment plan")
    assert "Borough That Cares strategic group" in row
    assert "2024-25 Q4" in row
    assert ">Overdue<" in row and "Past its due quarter" in row
    assert "Carers prepared for the future" in row
    assert "Status as configured; no update yet" in row
    counts = {m.label: int(m.value) for m in at.metric}
    assert counts == {"Not started": 0, "On track": 0, "At risk": 1, "Overdue": 1, "Done": 8}


def test_a_viewer_updates_an_action_and_the_latest_update_wins(database):
    at = as_user("vera", PAGE, area="rotherham")
    for status, note in (
        ("on track", "Draft plan agreed"),
        ("done", "Plan signed off by the board"),
    ):
        at.selectbox(key="action_pick").select("carer-empowerment-plan")
        at.selectbox(key="action_status").select(status)
        at.text_area(key="action_note").input(note)
        at.button(key="action_save").click().run()
    assert "Carer empowerment plan: status now done." in texts(at)
    row = table_row(actions_html(at), "Carer empowerment plan")
    assert ">Done<" in row and "Plan signed off by the board" in row and "vera" in row
    assert "Past its due quarter" not in row
    history = at.dataframe[0].value
    assert history["note"].tolist() == ["Plan signed off by the board", "Draft plan agreed"]
    stored = api.actions(db.make_engine(database), area="rotherham").set_index("action_id")
    assert stored.loc["carer-empowerment-plan", "status"] == "done"
    assert stored.loc["carer-empowerment-plan", "configured_status"] == "overdue"


def test_each_area_has_its_own_actions():
    at = as_user("vera", PAGE, area="sandwell")
    expected = [a.title for a in api.areas()["sandwell"].actions]
    html = actions_html(at)
    assert all(title.replace("'", "&#x27;") in html for title in expected)

"""Administration: accounts and roles, and publishing a quarter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from carers_impact import accounts, db
from carers_impact.sign_in import authenticate
from measures import api
from tests.dashboard_data import (
    PASSWORD,
    as_read,
    as_user,
    carers_file,
    dashboard_database,
    open_app,
    sign_in,
    table_as_read,
    texts,
)

PAGE = "views/admin.py"
database = dashboard_database("admin")


def test_accounts_are_listed_with_role_organisations_and_sign_in_method():
    at = as_user("ada", PAGE)
    table = table_as_read(at.table[0]).set_index("username")
    assert table.loc["uma", "role"] == "uploader"
    assert table.loc["uma", "organisations"] == "ROT-ASC"
    assert table.loc["vera", "signs in with"] == "password"


def test_an_admin_adds_an_uploader_who_can_then_sign_in():
    at = as_user("ada", PAGE)
    at.text_input(key="new_username").input("pat")
    at.selectbox(key="new_role").select("uploader")
    at.multiselect(key="new_orgs").select("SOT-ASC")
    at.text_input(key="new_password").input("a new long password")
    at.button(key="new_submit").click().run()
    assert "Added pat (uploader)." in texts(at)
    signed_in = sign_in(open_app().run(), "pat", "a new long password")
    assert "Signed in as **pat** (uploader for SOT-ASC)" in texts(signed_in)


def test_a_bad_account_is_refused_with_the_reason():
    at = as_user("ada", PAGE)
    at.text_input(key="new_username").input("quinn")
    at.selectbox(key="new_role").select("uploader")
    at.text_input(key="new_password").input("short")
    at.button(key="new_submit").click().run()
    assert any("organisation" in e.value for e in at.error)


def test_an_admin_changes_a_role(database):
    accounts.create_user(db.make_engine(database), "rob", password=PASSWORD, role="viewer")
    at = as_user("ada", PAGE)
    at.selectbox(key="edit_user").select("rob").run()
    at.selectbox(key="edit_role_pick").select("admin")
    at.button(key="edit_role_save").click().run()
    assert "rob is now admin." in texts(at)
    assert accounts.get_user(db.make_engine(database), "rob").role == "admin"


def test_a_password_reset_unlocks_a_locked_account(database):
    engine = db.make_engine(database)
    accounts.create_user(engine, "lee", password=PASSWORD, role="viewer")
    for _ in range(5):
        with pytest.raises(accounts.AccountError):
            authenticate(engine, "lee", "wrong password!")
    at = as_user("ada", PAGE)
    assert table_as_read(at.table[0]).set_index("username").loc["lee", "locked until"]
    at.selectbox(key="edit_user").select("lee").run()
    at.text_input(key="reset_password").input("the replacement pass")
    at.button(key="reset_submit").click().run()
    assert authenticate(engine, "lee", "the replacement pass").username == "lee"


def test_an_admin_deactivates_an_account(database):
    engine = db.make_engine(database)
    accounts.create_user(engine, "dan", password=PASSWORD, role="viewer")
    at = as_user("ada", PAGE)
    at.selectbox(key="edit_user").select("dan").run()
    at.button(key="deactivate").click().run()
    assert "dan can no longer sign in." in texts(at)
    assert not accounts.get_user(engine, "dan").active


def test_publishing_needs_confirmation_then_makes_the_quarter_public(database):
    engine = db.make_engine(database)
    at = as_user("ada", PAGE, area="rotherham", section="Publishing")
    at.selectbox(key="publish_quarter").select("2024-25 Q1")
    at.button(key="publish_submit").click().run()
    assert "Tick the box to confirm the figures have been checked." in [e.value for e in at.error]
    assert api.measure_table(engine, area="rotherham", public=True).empty
    at.checkbox(key="publish_sure").check()
    at.button(key="publish_submit").click().run()
    refused = as_read(" ".join(e.value for e in at.error))
    assert "2024-25 Q1 is incomplete for Rotherham" in refused and "override" in refused
    assert api.measure_table(engine, area="rotherham", public=True).empty
    at.text_input(key="publish_override").input("The board asked for the register alone")
    at.checkbox(key="publish_sure").check()
    at.button(key="publish_submit").click().run()
    assert "Published 2024-25 Q1 for Rotherham." in texts(at)
    status = api.publication_status(engine, area="rotherham").set_index("period")
    assert status.loc["2024-25 Q1", "published"]
    assert status.loc["2024-25 Q1", "published_by"] == "ada"
    assert status.loc["2024-25 Q1", "override_reason"] == "The board asked for the register alone"
    public = api.measure_table(engine, area="rotherham", public=True)
    assert set(public["period"]) == {"2024-25 Q1"}
    scorecard = as_user("vera", "views/scorecard.py", area="rotherham", period="2024-25 Q1")
    assert "Figures as at 2024-25 Q1 (published)" in texts(scorecard)


def test_a_published_quarter_is_published_again_with_a_reason_then_withdrawn(database):
    engine = db.make_engine(database)
    at = as_user("ada", PAGE, area="rotherham", section="Publishing")
    at.selectbox(key="publish_quarter").select("2023-24 Q4").run()
    at.text_input(key="publish_override").input("register only")
    at.checkbox(key="publish_sure").check()
    at.button(key="publish_submit").click().run()
    assert "Published 2023-24 Q4 for Rotherham." in texts(at)
    upload = as_user("uma", "views/upload.py")
    upload.file_uploader(key="upload_file").upload(
        "carers_ROT-ASC_2023-24_Q4.csv", carers_file(60, "2023-24 Q4"), "text/csv"
    ).run()
    upload.button(key="upload_submit").click().run()
    at = as_user("ada", PAGE, area="rotherham", section="Publishing")
    shown = at.dataframe[0].value.set_index("Quarter")
    assert "figures changed since: publish again" in shown.loc["2023-24 Q4", "State"]
    at.selectbox(key="publish_quarter").select("2023-24 Q4").run()
    at.text_input(key="publish_override").input("register only")
    at.checkbox(key="publish_sure").check()
    at.button(key="publish_submit").click().run()
    assert any("say why they are revised" in e.value for e in at.error)
    at.text_input(key="publish_reason").input("A late correction from adult care")
    at.checkbox(key="publish_sure").check()
    at.button(key="publish_submit").click().run()
    assert "Revised 2023-24 Q4 for Rotherham." in texts(at)
    at.selectbox(key="publish_quarter").select("2023-24 Q4").run()
    at.text_area(key="unpublish_notice").input("Withdrawn while adult care checks its register.")
    at.button(key="unpublish_submit").click().run()
    assert "2023-24 Q4 is withdrawn from the public view." in texts(at)
    public = api.measure_table(engine, area="rotherham", public=True)
    assert "2023-24 Q4" not in set(public["period"])
    actions = at.dataframe[1].value["Action"].tolist()
    assert actions[:3] == ["withdrawn", "revised", "published"]


def test_a_quarter_is_scheduled_for_publication_and_shown_as_to_be_published(database):
    at = as_user("ada", PAGE, area="rotherham", section="Publishing")
    at.selectbox(key="publish_quarter").select("2023-24 Q3").run()
    at.radio(key="publish_when").set_value("Schedule for a date and time")
    at.date_input(key="publish_day").set_value(date.today() + timedelta(days=7))
    at.text_input(key="publish_override").input("register only")
    at.checkbox(key="publish_sure").check()
    at.button(key="publish_submit").click().run()
    assert "2023-24 Q3 will be published on" in texts(at)
    shown = at.dataframe[0].value.set_index("Quarter")
    assert shown.loc["2023-24 Q3", "State"].startswith("To be published on")
    status = api.publication_status(db.make_engine(database), area="rotherham")
    assert status.set_index("period").loc["2023-24 Q3", "state"] == "scheduled"

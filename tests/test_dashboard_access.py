"""Signing in, sessions, and which role may open which page (including by URL)."""

from __future__ import annotations

import time

import pytest

from carers_impact import accounts, db
from dashboard.auth import SESSION_KEY
from dashboard.navigation import PAGES, in_menu
from tests.dashboard_data import (
    PASSWORD,
    USERS,
    as_user,
    dashboard_database,
    open_app,
    sign_in,
    texts,
)

ROLE_OF = {name: role for name, (role, _) in USERS.items()}
PAGE_HEADINGS = {
    "views/scorecard.py": "Scorecard",
    "views/measure.py": "Carers known to services",
    "views/actions.py": "Strategy actions",
    "views/upload.py": "Upload extracts",
    "views/quality.py": "Data quality",
    "views/admin.py": "Administration",
}


database = dashboard_database("access")


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def may_open(username: str, page) -> bool:
    return accounts.ROLES.index(ROLE_OF[username]) >= accounts.ROLES.index(page.role)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.title)
def test_every_page_asks_for_sign_in_first(page):
    at = as_user(None, page.path)
    assert not at.exception
    assert titles(at) == ["Sign in"]
    assert PAGE_HEADINGS[page.path] not in titles(at)


@pytest.mark.parametrize("username", list(USERS))
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.title)
def test_each_role_opens_its_pages_and_is_refused_the_others(page, username):
    at = as_user(username, page.path)
    assert not at.exception, at.exception
    if may_open(username, page):
        assert PAGE_HEADINGS[page.path] in titles(at)
        assert not [e for e in at.error if "This page is for" in e.value]
    else:
        assert PAGE_HEADINGS[page.path] not in titles(at)
        refusal = " ".join(e.value for e in at.error)
        assert "This page is for" in refusal
        assert f"signed in as {username}, with the {ROLE_OF[username]} role" in refusal


def test_the_menu_lists_only_the_pages_the_role_may_open(database):
    engine = db.make_engine(database)
    menus = {
        name: [p.title for p in PAGES if in_menu(p, accounts.get_user(engine, name))]
        for name in USERS
    }
    assert menus["vera"] == ["Scorecard", "Measure", "Strategy actions"]
    assert menus["uma"] == menus["vera"] + ["Upload extracts", "Data quality"]
    assert menus["ada"] == [p.title for p in PAGES]
    assert not [p for p in PAGES if in_menu(p, None)]


def test_the_sidebar_names_the_account_and_its_role():
    assert "Signed in as **uma** (uploader for ROT-ASC)" in texts(as_user("uma"))


def test_a_wrong_password_is_refused_without_saying_which_part_is_wrong():
    at = open_app().run()
    sign_in(at, "vera", "not the password")
    assert titles(at) == ["Sign in"]
    assert "The username or password is not right" in at.error[0].value
    unknown = sign_in(open_app().run(), "nobody", PASSWORD)
    assert unknown.error[0].value == at.error[0].value


def test_five_failures_lock_the_account_and_the_page_says_until_when(database):
    engine = db.make_engine(database)
    accounts.create_user(engine, "lou", password=PASSWORD, role="viewer")
    at = open_app().run()
    for _ in range(5):
        sign_in(at, "lou", "wrong password!")
    assert "locked" in at.error[0].value and "UTC" in at.error[0].value
    sign_in(at, "lou", PASSWORD)
    assert titles(at) == ["Sign in"] and "locked" in at.error[0].value


def test_signing_in_opens_the_page_that_was_asked_for():
    at = as_user(None, "views/actions.py")
    sign_in(at, "vera")
    assert "Strategy actions" in titles(at)


def test_signing_out_ends_the_session():
    at = as_user("vera")
    at.button(key="sign_out").click().run()
    assert titles(at) == ["Sign in"]
    assert "You have signed out." in texts(at)
    assert SESSION_KEY not in at.session_state


def test_an_idle_session_expires_and_says_so(monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_IDLE_MINUTES", "30")
    at = as_user("vera")
    assert "Scorecard" in titles(at)
    at.session_state[SESSION_KEY]["last_seen"] = time.time() - 31 * 60
    at.run()
    assert titles(at) == ["Sign in"]
    assert "ended after 30 minutes without activity" in texts(at)


def test_a_session_within_the_idle_limit_carries_on(monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_IDLE_MINUTES", "30")
    at = as_user("vera")
    at.session_state[SESSION_KEY]["last_seen"] = time.time() - 29 * 60
    at.run()
    assert "Scorecard" in titles(at)


def test_a_deactivated_account_is_signed_out_at_its_next_page_view(database):
    engine = db.make_engine(database)
    accounts.create_user(engine, "dee", password=PASSWORD, role="viewer")
    at = as_user("dee")
    assert "Scorecard" in titles(at)
    accounts.deactivate(engine, "dee")
    at.run()
    assert titles(at) == ["Sign in"]
    assert "deactivated" in texts(at)


def test_a_role_change_applies_at_the_next_page_view(database):
    engine = db.make_engine(database)
    accounts.create_user(engine, "ray", password=PASSWORD, role="viewer")
    at = as_user("ray", "views/admin.py")
    assert "This page is for administrators" in at.error[0].value
    accounts.set_role(engine, "ray", "admin")
    at.run()
    assert "Administration" in titles(at)


SSO_SECRETS = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "a secret for signing the cookie",
        "client_id": "dashboard",
        "client_secret": "client secret",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
}


def test_single_sign_on_maps_the_email_to_an_account_by_username(database):
    engine = db.make_engine(database)
    accounts.create_user(engine, "sam@example.org", password=None, role="viewer")
    at = open_app()
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "Sam@Example.org"}
    at.run()
    assert "Scorecard" in titles(at)
    assert "Signed in as **sam@example.org** (viewer)" in texts(at)


def test_single_sign_on_without_an_account_is_told_to_ask_for_one():
    at = open_app()
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "stranger@example.org"}
    at.run()
    assert titles(at) == ["Sign in"]
    assert "no dashboard account for that address" in texts(at)


def test_the_single_sign_on_button_shows_only_when_it_is_configured():
    plain = open_app().run()
    assert not [b for b in plain.button if b.key == "sign_in_sso"]
    configured = open_app()
    configured.secrets = SSO_SECRETS
    configured.run()
    assert [b for b in configured.button if b.key == "sign_in_sso"]

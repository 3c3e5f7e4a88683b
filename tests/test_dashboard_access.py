"""Signing in, sessions, and which role may open which page (including by URL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from carers_impact import accounts, db, sessions, signing
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
    assert "paused" in at.error[0].value and "UTC" in at.error[0].value
    assert "lou" not in at.error[0].value
    sign_in(at, "lou", PASSWORD)
    assert titles(at) == ["Sign in"] and "paused" in at.error[0].value


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


def _age_session(database: str, at, **moved: timedelta) -> None:
    """Move the tab's session's times back, as if that much time had passed."""
    engine = db.make_engine(database)
    table = db.sign_in_sessions
    token_hash = signing.digest(at.session_state[SESSION_KEY]["token"])
    with engine.begin() as conn:
        row = conn.execute(sa.select(table).where(table.c.token_hash == token_hash)).one()
        conn.execute(
            sa.update(table)
            .where(table.c.id == row.id)
            .values({name: getattr(row, name) - delta for name, delta in moved.items()})
        )
    engine.dispose()


def test_a_sign_in_is_a_session_in_the_database(database):
    at = as_user("vera")
    token = at.session_state[SESSION_KEY]["token"]
    engine = db.make_engine(database)
    session = sessions.resume(engine, token)
    assert accounts.get_user_by_id(engine, session.user_id).username == "vera"
    with engine.connect() as conn:
        stored = set(conn.execute(sa.select(db.sign_in_sessions.c.token_hash)).scalars())
    assert signing.digest(token) in stored and token not in stored


def test_an_idle_session_expires_and_says_so(database, monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_IDLE_MINUTES", "30")
    at = as_user("vera")
    assert "Scorecard" in titles(at)
    _age_session(database, at, last_seen_at=timedelta(minutes=31))
    at.run()
    assert titles(at) == ["Sign in"]
    assert "ended after 30 minutes without activity" in texts(at)


def test_a_session_within_the_idle_limit_carries_on(database, monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_IDLE_MINUTES", "30")
    at = as_user("vera")
    _age_session(database, at, last_seen_at=timedelta(minutes=29))
    at.run()
    assert "Scorecard" in titles(at)


def test_a_busy_session_still_ends_at_the_absolute_limit(database, monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_MAX_HOURS", "12")
    at = as_user("vera")
    _age_session(database, at, created_at=timedelta(hours=12), expires_at=timedelta(hours=12))
    at.run()
    assert titles(at) == ["Sign in"]
    assert "ended 12 hours after you signed in" in texts(at)


def test_signing_out_in_one_tab_signs_out_the_others_at_their_next_click():
    first = as_user("vera")
    second = open_app()
    second.session_state[SESSION_KEY] = dict(first.session_state[SESSION_KEY])  # as its cookie
    second.run()
    assert "Scorecard" in titles(second)
    first.button(key="sign_out").click().run()
    second.run()
    assert titles(second) == ["Sign in"]
    assert "You have signed out." in texts(second)


def test_a_password_reset_ends_the_accounts_sessions(database):
    engine = db.make_engine(database)
    accounts.create_user(engine, "pia", password=PASSWORD, role="viewer")
    at = as_user("pia")
    accounts.reset_password(engine, "pia", "a new long password")
    at.run()
    assert titles(at) == ["Sign in"]
    assert "Your password has been reset" in texts(at)


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


def test_a_single_sign_on_session_times_out_like_any_other(database, monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_IDLE_MINUTES", "30")
    engine = db.make_engine(database)
    accounts.create_user(engine, "sol@example.org", password=None, role="viewer")
    at = open_app()
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "sol@example.org"}
    at.run()
    assert "Scorecard" in titles(at)
    _age_session(database, at, last_seen_at=timedelta(minutes=31))
    at.run()
    assert titles(at) == ["Sign in"]
    assert "ended after 30 minutes without activity" in texts(at)
    at.run()  # still signed in with the identity provider: not begun again by itself
    assert titles(at) == ["Sign in"]


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

"""Password sign-in in Chromium: it lasts across reloads and tabs, and ends when it should.

The dashboard runs as `carers-impact serve` runs it (dashboard/server.py, with
its cookie route); each test drives real browser contexts, with the database
changed underneath them as an administrator or the passing of time would.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from carers_impact import accounts, db
from dashboard.cookies import DEVICE_COOKIE, SESSION_COOKIE
from tests.browser import CHROMIUM, streamlit_server
from tests.dashboard_data import PASSWORD, database_copy

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    folder = tmp_path_factory.mktemp("sign_in")
    url = database_copy(folder)
    env = {"CARERS_SESSION_IDLE_MINUTES": "30"}
    with streamlit_server(url, folder / "streamlit.log", env=env) as base:
        yield {"url": base, "db": url}


@pytest.fixture
def new_context(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    opened = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def _cookie(context, name: str) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == name), None)


def sign_in(page, url: str, username: str, password: str = PASSWORD, *, wait=True) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if not wait:
        return
    page.get_by_role("heading", name="Scorecard").wait_for()
    deadline = time.monotonic() + 15
    while _cookie(page.context, SESSION_COOKIE) is None:
        assert time.monotonic() < deadline, "the session cookie never arrived"
        page.wait_for_timeout(100)


def expect_sign_in_page(page, notice: str | None = None) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    if notice:
        expect(page.get_by_text(notice)).to_be_visible()


def click_menu(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()


def _age_sessions(db_url: str, username: str, **moved: timedelta) -> None:
    engine = db.make_engine(db_url)
    table = db.sign_in_sessions
    user = accounts.get_user(engine, username)
    with engine.begin() as conn:
        for row in conn.execute(sa.select(table).where(table.c.user_id == user.id)).all():
            conn.execute(
                sa.update(table)
                .where(table.c.id == row.id)
                .values({name: getattr(row, name) - delta for name, delta in moved.items()})
            )
    engine.dispose()


def test_a_sign_in_survives_a_reload_in_a_signed_httponly_cookie(dashboard, new_context):
    from playwright.sync_api import expect

    page = new_context().new_page()
    sign_in(page, dashboard["url"], "vera")
    cookie = _cookie(page.context, SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/" and SESSION_COOKIE.startswith("__Host-")
    assert page.evaluate("document.cookie").find("carers_session") == -1
    page.reload()
    expect(page.get_by_role("heading", name="Scorecard")).to_be_visible()
    expect(page.get_by_text("Signed in as vera")).to_be_visible()


def test_a_measure_opened_in_a_new_tab_is_signed_in(dashboard, new_context):
    from playwright.sync_api import expect

    context = new_context()
    first = context.new_page()
    sign_in(first, dashboard["url"], "vera")
    second = context.new_page()
    second.goto(f"{dashboard['url']}/measure?area=rotherham&measure=known_carers")
    expect(second.get_by_role("heading", name="Carers known to services")).to_be_visible()
    expect(second.get_by_role("heading", name="Sign in")).to_have_count(0)


def test_signing_out_signs_out_the_other_tab_at_its_next_click(dashboard, new_context):
    from playwright.sync_api import expect

    context = new_context()
    first = context.new_page()
    sign_in(first, dashboard["url"], "uma")
    second = context.new_page()
    second.goto(dashboard["url"])
    expect(second.get_by_role("heading", name="Scorecard")).to_be_visible()
    first.get_by_role("button", name="Sign out").click()
    expect_sign_in_page(first, "You have signed out.")
    click_menu(second, "Strategy actions")
    expect_sign_in_page(second, "You have signed out.")
    expect(second.get_by_role("heading", name="Strategy actions")).to_have_count(0)
    first.reload()
    expect_sign_in_page(first)


def test_an_idle_session_ends_at_the_next_click(dashboard, new_context):
    from playwright.sync_api import expect

    page = new_context().new_page()
    sign_in(page, dashboard["url"], "ada")
    _age_sessions(dashboard["db"], "ada", last_seen_at=timedelta(minutes=31))
    click_menu(page, "Strategy actions")
    expect_sign_in_page(page, "ended after 30 minutes without activity")
    page.reload()
    expect_sign_in_page(page)
    expect(page.get_by_text("Signed in as ada")).to_have_count(0)


def test_deactivating_an_account_ends_its_sessions(dashboard, new_context):
    from playwright.sync_api import expect

    engine = db.make_engine(dashboard["db"])
    accounts.create_user(engine, "dee", password=PASSWORD, role="viewer")
    page = new_context().new_page()
    sign_in(page, dashboard["url"], "dee")
    accounts.deactivate(engine, "dee")
    click_menu(page, "Measure")
    expect_sign_in_page(page, "Your account has been deactivated")
    page.reload()
    expect_sign_in_page(page)
    expect(page.get_by_text("Signed in as dee")).to_have_count(0)
    engine.dispose()


def test_strangers_cannot_lock_the_administrator_out_of_a_browser_she_used(dashboard, new_context):
    from playwright.sync_api import expect

    engine = db.make_engine(dashboard["db"])
    accounts.create_user(engine, "ida", password=PASSWORD, role="admin")
    laptop = new_context().new_page()
    sign_in(laptop, dashboard["url"], "ida")
    device = _cookie(laptop.context, DEVICE_COOKIE)
    assert device["httpOnly"] and device["secure"] and device["sameSite"] == "Strict"
    laptop.get_by_role("button", name="Sign out").click()
    expect_sign_in_page(laptop, "You have signed out.")

    stranger = new_context().new_page()
    for attempt in range(5):
        sign_in(stranger, dashboard["url"], "ida", f"a stranger's guess {attempt}", wait=False)
        expect(
            stranger.get_by_text("not right").or_(stranger.get_by_text("paused"))
        ).to_be_visible()
    expect(stranger.get_by_text("signing in with it is paused")).to_be_visible()

    unknown = new_context().new_page()  # a browser Ida never used
    sign_in(unknown, dashboard["url"], "ida", wait=False)
    expect(unknown.get_by_text("signing in with it is paused")).to_be_visible()

    sign_in(laptop, dashboard["url"], "ida")
    expect(laptop.get_by_text("Signed in as ida")).to_be_visible()
    engine.dispose()


def test_the_cookie_route_refuses_a_made_up_ticket(dashboard):
    for ticket in ("made-up", ""):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{dashboard['url']}/auth/session?ticket={ticket}", timeout=10)
        assert refused.value.code == 404
        assert refused.value.headers.get("Set-Cookie") is None

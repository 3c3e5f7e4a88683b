"""Hostile text in Chromium: on the real pages it shows as its characters, never as links or images.

The same database as tests/test_dashboard_text.py (a hostile file name, column
name and value, commentary, action note, account name and withdrawal notice),
served as `carers-impact serve` and `serve --public` serve it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from tests.dashboard_data import PASSWORD
from tests.test_dashboard_text import NAME, hostile_database

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
RENDERED_MARKUP = """() => Array.from(document.querySelectorAll(
    '[data-testid=stMain] a[href*=attacker], img[src*=attacker], img[src=x], .katex, '
    + '[data-testid=stMarkdownColoredText]'
  )).map(e => e.outerHTML.slice(0, 120))
  .concat(Array.from(document.querySelectorAll('strong, em, code'))
    .filter(e => ['bold', 'tick'].includes(e.textContent)).map(e => e.outerHTML))"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    folder = tmp_path_factory.mktemp("browser_text")
    url, _ = hostile_database(folder)
    with (
        streamlit_server(url, folder / "dashboard.log") as dashboard,
        streamlit_server(url, folder / "public.log", public=True) as public,
    ):
        yield {"dashboard": dashboard, "public": public}


@pytest.fixture(scope="module")
def signed_in(servers):
    """A signed-in browser tab per account, made when first asked for."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    tabs = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def tab_for(username: str):
            if username not in tabs:
                context = browser.new_context(viewport={"width": 1400, "height": 1200})
                tab = context.new_page()
                tab.set_default_timeout(TIMEOUT_MS)
                tab.requests = []
                tab.on("request", lambda r, t=tab: t.requests.append(r.url))
                tab.goto(servers["dashboard"])
                tab.get_by_role("textbox", name="Username").fill(username)
                tab.get_by_role("textbox", name="Password").fill(PASSWORD)
                tab.get_by_role("button", name="Sign in").click()
                tab.get_by_role("heading", name="Scorecard").wait_for()
                tabs[username] = tab
            return tabs[username]

        yield tab_for
        browser.close()


def _shows_payload_as_text(page) -> None:
    from playwright.sync_api import expect

    visible = page.locator("[data-testid=stMain]")
    expect(visible).to_contain_text("[Sign in again](http")
    assert page.evaluate(RENDERED_MARKUP) == []
    assert not [u for u in page.requests if "attacker" in u or u.endswith("/x")]


@pytest.mark.parametrize(
    ("username", "path"),
    [
        (NAME, "/quality?area=rotherham"),
        (NAME, "/measure?area=rotherham&measure=known_carers&view=Story+behind+the+curve"),
        (NAME, "/actions?area=rotherham"),
        ("ada", "/admin?section=Accounts"),
        ("ada", "/admin?section=Publishing&area=rotherham"),
    ],
)
def test_the_dashboard_shows_hostile_text_as_text(servers, signed_in, username, path):
    page = signed_in(username)
    page.goto(f"{servers['dashboard']}{path}")
    page.get_by_test_id("stMain").get_by_role("heading").first.wait_for()
    if path.startswith("/quality"):
        page.get_by_text("All files").click()
        page.get_by_test_id("stExpander").first.click()
        page.get_by_test_id("stTable").first.wait_for()
    if path.startswith("/admin?section=Accounts"):
        page.get_by_test_id("stTable").first.wait_for()
        assert page.evaluate(RENDERED_MARKUP) == []
        assert "mal_ory_@" in page.get_by_test_id("stTable").first.inner_text()
        return
    _shows_payload_as_text(page)


def test_the_public_view_shows_a_hostile_notice_as_text(servers, signed_in):
    from playwright.sync_api import expect

    page = signed_in("vera")
    page.goto(f"{servers['public']}/?area=rotherham")
    notice = page.get_by_test_id("stAlert").filter(has_text="were withdrawn")
    notice.first.wait_for()
    # The withdrawal notice, written by an admin, shows every character of it as written ...
    shown = notice.first.inner_text().replace("\u2060", "")
    for piece in (
        "[Sign in again](http://attacker/phish)",
        "![t](http://attacker/t.png)",
        "<img src=x onerror=alert(1)>",
        "**bold**",
        "`tick`",
        "$x$",
        ":red[warn]",
    ):
        assert piece in shown, (piece, shown)
    # ... and nothing in it became a link, an image, emphasis, code, maths or colour.
    markup = notice.first.evaluate(
        "n => Array.from(n.querySelectorAll('a, img, strong, em, code, .katex, "
        "[data-testid=stMarkdownColoredText]')).map(e => e.outerHTML.slice(0, 80))"
    )
    assert markup == []
    expect(page.get_by_test_id("stMain")).to_contain_text("[Sign in again](http")
    assert page.evaluate(RENDERED_MARKUP) == []
    assert not [u for u in page.requests if "attacker" in u or u.endswith("/x")]

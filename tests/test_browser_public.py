"""The public view in Chromium: accessible, usable by keyboard alone, and leaking nothing.

Each server runs the public view as `carers-impact serve --public` does,
on a database built through the real pipeline and then stripped to the one table
the public view may read.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import streamlit_server
from tests.public_data import (
    INTERNAL_ONLY_IDS,
    INTERNAL_ONLY_TITLES,
    LATEST,
    PUBLISHED,
    UNPUBLISHED,
    shared_public_fixture,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 45
PAGE_TIMEOUT_MS = 30_000
PUBLIC_PAGES = ("/", "/open-data", "/about", "/accessibility")
NAV_LINKS = ["Outcomes", "Open data", "About these figures", "Accessibility"]
HOME_HEADING = "Carers' outcomes in Rotherham"
FOCUSABLE = (
    "a[href], button, input, select, textarea, summary, [tabindex], [contenteditable='true']"
)
TALL = {"width": 1280, "height": 20_000}
WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}


# -- the server ------------------------------------------------------------------------


def public_server(db_url: str, log: Path):
    """The public view as `serve --public` runs it."""
    return streamlit_server(db_url, log, public=True)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return shared_public_fixture(tmp_path_factory)


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    log = tmp_path_factory.mktemp("public_server") / "streamlit.log"
    with public_server(data.public_url, log) as base:
        yield base


@pytest.fixture(scope="module")
def shown(server, browser):
    """Each page loaded once, in a viewport taller than its content, shared by the tests.

    Everything is on screen, so axe checks the contrast of every element; it
    reports off-screen text as "incomplete" rather than as a violation.
    """
    context = browser.new_context(viewport=TALL)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    loaded = {}

    def get(path: str):
        if path not in loaded:
            tab = context.new_page()
            open_page(tab, server + path)
            bottom = tab.evaluate(
                "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                ".getBoundingClientRect().bottom"
            )
            assert bottom < TALL["height"], "the page is taller than the viewport"
            loaded[path] = tab
        return loaded[path]

    yield get
    context.close()


def open_page(tab, url: str) -> None:
    """Load a page and wait until the script has finished and every chart is drawn."""
    tab.goto(url)
    settle(tab)


def settle(tab) -> None:
    tab.wait_for_selector("h1")
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
        " && [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
        "      .every(c => c.querySelector('svg, canvas'))"
    )
    tab.wait_for_timeout(300)


def main_text(tab) -> str:
    """All text of the page's main area, including collapsed tables."""
    return tab.evaluate("() => document.querySelector('main').textContent")


# -- accessibility ---------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_axe_finds_no_serious_or_critical_violation(shown, path):
    page = shown(path)
    results = Axe().run(page).response
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
    ]
    serious = [f for f in found if "(serious)" in f or "(critical)" in f]
    assert not serious, serious
    wcag = [v["id"] for v in results["violations"] if WCAG_TAGS & set(v["tags"])]
    assert not wcag, found


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_headings_run_in_order_from_one_h1(shown, path):
    levels = shown(path).evaluate(
        "() => [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5,"
        " main h6')].map(h => Number(h.tagName[1]))"
    )
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_the_keyboard_alone_reaches_every_control(shown, path):
    page = shown(path)  # no test before this one presses a key on it
    controls = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(e => e.tabIndex >= 0 && !e.disabled && !e.closest('[aria-hidden="true"]')
                         && e.getClientRects().length > 0
                         && getComputedStyle(e).visibility !== 'hidden')
            .map((e, i) => { e.setAttribute('data-control', i);
                             return (e.getAttribute('aria-label') || e.textContent || e.tagName)
                                    .trim().slice(0, 60); })""",
        FOCUSABLE,
    )
    assert len(controls) >= 5, controls
    page.evaluate(
        "() => { window.reached = []; document.addEventListener('focusin',"
        " e => window.reached.push(e.target.getAttribute('data-control'))); }"
    )
    for _ in range(len(controls) + 20):
        page.keyboard.press("Tab")
    reached = page.evaluate("() => window.reached")
    missed = [name for i, name in enumerate(controls) if str(i) not in reached]
    assert not missed, missed
    first = page.evaluate("() => document.querySelector('[data-control=\"0\"]').textContent")
    assert reached[0] == "0" and "Skip to main content" in first


def tab_until(tab, condition: str, *, what: str, key: str = "Tab", limit: int = 200) -> None:
    """Press Tab (or Shift+Tab) until the focused element meets a JavaScript condition."""
    for _ in range(limit):
        tab.keyboard.press(key)
        if tab.evaluate(f"() => {{ const e = document.activeElement; return !!({condition}); }}"):
            return
    pytest.fail(f"{key} never reached {what}")


def test_the_keyboard_alone_chooses_a_quarter_opens_a_table_and_changes_page(server, page):
    open_page(page, server + "/")
    tab_until(page, "e.getAttribute('aria-label') === 'Quarter'", what="the quarter box")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('main').textContent.includes("
        "'no published figure for 2022-23 Q1 to compare with')"
    )
    settle(page)

    tab_until(
        page,
        "e.tagName === 'SUMMARY' && e.textContent.includes('Table of the figures')",
        what="a table's expander",
    )
    page.keyboard.press("Enter")
    table = page.locator("details[open] table.public-table").first
    table.wait_for(state="visible")
    assert "Carers known to services, Rotherham" in table.locator("caption").inner_text()

    tab_until(
        page,
        "e.tagName === 'A' && e.textContent.trim() === 'Open data'",
        what="the Open data link",
        key="Shift+Tab",
    )
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Open data')")
    settle(page)
    tab_until(
        page,
        "e.tagName === 'BUTTON' && e.textContent.includes('Download the published figures')",
        what="the download button",
    )
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "carers-outcomes-rotherham.csv"


# -- nothing leaks ---------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_unpublished_quarter_internal_measure_or_small_count_on_the_page(shown, path):
    page = shown(path)
    text = main_text(page)
    assert UNPUBLISHED not in text
    for title in INTERNAL_ONLY_TITLES:
        assert title not in text
    for measure_id in INTERNAL_ONLY_IDS:
        assert measure_id not in text
    cells = page.evaluate(
        "() => [...document.querySelectorAll('table.public-table td')].map(c => c.textContent)"
    )
    assert not [c for c in cells if re.fullmatch(r"[1-7]", c.strip())]
    assert not re.search(r"Q[1-4]: [1-7](?![\d.,%])", text)


def test_suppressed_figures_read_as_a_star_with_the_reason(shown):
    page = shown("/")
    text = main_text(page)
    assert f"{LATEST}: * (fewer than 8 carers (or a number that would reveal one); hidden" in text
    young = page.locator("table.public-table", has_text="Young carers known to services")
    assert young.count() == 0  # every quarter hidden: no chart and no table, the reason in words
    assert "Young carers known to services: about the same as a year ago." in text


def test_the_downloaded_csv_holds_only_published_disclosure_controlled_figures(server, page):
    open_page(page, server + "/open-data")
    button = page.get_by_role("button", name="Download the published figures for Rotherham (CSV)")
    with page.expect_download() as download:
        button.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows
    assert {r["period"] for r in rows} == set(PUBLISHED)
    assert not {r["measure_id"] for r in rows} & set(INTERNAL_ONLY_IDS)
    counts = [float(r["value"]) for r in rows if r["unit"] == "count" and r["value"]]
    assert counts and not [c for c in counts if 1 <= c <= 7 or c % 5]
    assert all(r["value"] == "" for r in rows if r["suppressed"] == "true")

    with page.expect_download() as dictionary:
        page.get_by_role("button", name="Download the data dictionary (CSV)").click()
    entries = list(csv.DictReader(io.StringIO(Path(dictionary.value.path()).read_text())))
    assert {e["id"] for e in entries if e["kind"] == "column"} == set(rows[0])


def test_internal_page_addresses_show_nothing_internal(data, browser, tmp_path):
    """The first request to a fresh server asks for an internal page, then others follow."""
    internal = ["upload", "scorecard", "admin", "measure", "actions", "quality", "app"]
    for folder in ("views", "pages"):
        internal += [p.stem for p in sorted((ROOT / "dashboard" / folder).glob("*.py"))]
    internal = list(dict.fromkeys(n for n in internal if n != "__init__"))
    with public_server(data.public_url, tmp_path / "streamlit.log") as base:
        context = browser.new_context()
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        tab = context.new_page()
        try:
            for name in internal:
                # The nav is drawn before any page's content, so the heading tells
                # which script ran: the public outcomes page, or something else.
                tab.goto(f"{base}/{name}")
                tab.wait_for_selector("h1")
                assert tab.locator("h1").all_inner_texts() == [HOME_HEADING], name
                assert tab.locator("nav a").all_inner_texts() == NAV_LINKS, name
                for widget in (
                    "[data-testid='stFileUploader']",
                    "input[type='password']",
                    "textarea",
                    "[data-testid='stTextInput']",
                    "[data-testid='stSidebar']",
                ):
                    assert tab.locator(widget).count() == 0, (name, widget)
        finally:
            context.close()


# -- a small number of tab stops, and readable at a phone's width ----------------------


def test_tab_stops_before_the_first_charts_table_are_few(server, page):
    """21 or 22 on Rotherham's page, the last the first chart's table: the skip link, four
    pages, the area and quarter boxes, the publication record, the contact page, nine
    theme links and Streamlit's own focusable containers. No chart toolbar button or
    heading link is among them (before, the page had 148 stops, 60 of them chart toolbar
    buttons and 40 heading links)."""
    open_page(page, server + "/")
    toolbar = page.locator("[data-testid='stElementToolbar'] button:visible")
    assert toolbar.count() == 0
    assert page.locator("[data-testid='stHeaderActionElements'] a:visible").count() == 0
    stops = 0
    focused = ""
    seen = []
    while "Table of the figures: " not in focused:
        stops += 1
        assert stops < 80, "Tab never reached a chart's table"
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.tagName === 'SUMMARY' ? e.textContent.trim() : e.tagName + ':'"
            " + (e.getAttribute('aria-label') || e.getAttribute('data-testid') || e.textContent"
            ").trim().slice(0, 30); }"
        )
        seen.append(focused)
    assert stops <= 22, seen


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_axe_finds_nothing_at_a_phones_width(server, browser, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        tab = context.new_page()
        open_page(tab, server + path)
        results = Axe().run(tab).response
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in results["violations"]
        ]
        assert not found, found
    finally:
        context.close()

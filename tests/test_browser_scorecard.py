"""The scorecard and a measure page in Chromium: links, filters, icons and an axe check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, streamlit_server
from tests.dashboard_data import PASSWORD, database_copy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    folder = tmp_path_factory.mktemp("browser-scorecard")
    with streamlit_server(database_copy(folder), folder / "streamlit.log") as base:
        yield base


def sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill("vera")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Scorecard").wait_for()
    page.locator("table.ci-summary").wait_for()


def settle(page) -> None:
    page.wait_for_function(
        '() => !document.querySelector("[data-testid=stStatusWidget]")'
        ' && !document.querySelector("[data-testid=stSkeleton]")'
    )
    page.wait_for_timeout(300)


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in found]


def test_the_scorecard_is_one_row_per_measure_and_its_table_fits_one_screen(dashboard, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, dashboard)
    table = page.locator("table.ci-summary")
    expect(table.locator("tbody tr")).to_have_count(17)
    icon = table.get_by_role("img", name="No variation icon: too few quarters for control limits")
    expect(icon.first).to_be_visible()
    settle(page)
    box = table.bounding_box()
    assert box["height"] < 800, box  # 17 measures in well under a 1080-pixel screen
    context.close()


def test_the_status_counts_filter_the_table(dashboard, page):
    from playwright.sync_api import expect

    sign_in(page, dashboard)
    page.get_by_text("No target (", exact=False).click()
    settle(page)
    rows = page.locator("table.ci-summary tbody tr")
    expect(rows.first).to_contain_text("No target")
    assert rows.count() < 17


def test_a_measure_name_opens_its_page_still_signed_in(dashboard, page):
    from playwright.sync_api import expect

    sign_in(page, dashboard)
    page.locator("table.ci-summary").get_by_role(
        "link", name="Young carers known to services"
    ).click()
    expect(
        page.get_by_role("heading", name="Young carers known to services", level=1)
    ).to_be_visible()
    assert "measure=young_carers_known" in page.url and "area=rotherham" in page.url
    expect(page.get_by_text("Signed in as")).to_be_visible()


def test_axe_finds_no_violation_on_the_scorecard(dashboard, page):
    sign_in(page, dashboard)
    settle(page)
    assert violations(page) == []


def test_axe_finds_no_violation_on_a_measure_page(dashboard, page):
    sign_in(page, dashboard)
    page.goto(f"{dashboard}/measure?area=rotherham&measure=known_carers")
    page.get_by_role("heading", name="Carers known to services", level=1).wait_for()
    page.locator(
        "[data-testid=stVegaLiteChart] svg, [data-testid=stVegaLiteChart] canvas"
    ).first.wait_for()
    settle(page)
    assert violations(page) == []


@pytest.mark.parametrize("view", ["Control chart (SPC)", "Story behind the curve"])
def test_axe_finds_no_violation_on_the_measure_page_s_other_views(dashboard, page, view):
    from urllib.parse import quote_plus

    sign_in(page, dashboard)
    page.goto(f"{dashboard}/measure?area=rotherham&measure=known_carers&view={quote_plus(view)}")
    page.get_by_role("heading", name="Carers known to services", level=1).wait_for()
    settle(page)
    assert violations(page) == []

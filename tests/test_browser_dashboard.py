"""The internal dashboard in Chromium: sign in, upload a bad then a good file, add commentary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, streamlit_server
from tests.dashboard_data import PASSWORD, bad_carers_file, carers_file, database_copy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    folder = tmp_path_factory.mktemp("browser")
    url = database_copy(folder)
    with streamlit_server(url, folder / "streamlit.log") as base:
        yield {"url": base, "folder": folder}


def sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Scorecard").wait_for()


def open_from_menu(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()


def test_an_uploader_signs_in_uploads_a_bad_then_a_good_file_and_sees_the_measure_change(
    dashboard, page
):
    from playwright.sync_api import expect

    sign_in(page, dashboard["url"], "uma")
    menu = page.get_by_test_id("stSidebarNav")
    expect(menu.get_by_role("link", name="Upload extracts")).to_be_visible()
    expect(menu.get_by_role("link", name="Administration")).to_have_count(0)
    expect(page.locator("table.ci-scorecard").first).to_contain_text("55")

    bad = dashboard["folder"] / "carers_ROT-ASC_2024-25_Q2.csv"
    bad.write_bytes(bad_carers_file())
    open_from_menu(page, "Upload extracts")
    page.get_by_role("heading", name="Upload extracts").wait_for()
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("Rejected: nothing was loaded")).to_be_visible()
    expect(page.get_by_text("Nothing from this file was loaded")).to_be_visible()
    expect(page.get_by_role("cell", name="3, 5", exact=True)).to_be_visible()

    good = dashboard["folder"] / "good" / "carers_ROT-ASC_2024-25_Q2.csv"
    good.parent.mkdir()
    good.write_bytes(carers_file(61, "2024-25 Q2"))
    page.locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_text("Nothing from this file was loaded")).to_have_count(0)
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("accepted (carers ROT-ASC 2024-25 Q2, 61 rows)")).to_be_visible()

    open_from_menu(page, "Scorecard")
    page.get_by_role("heading", name="Scorecard").wait_for()
    first_table = page.locator("table.ci-scorecard").first
    expect(first_table).to_contain_text("2024-25 Q2")
    expect(first_table.locator(".ci-value").first).to_have_text("61")
    page.get_by_role("tab", name="Changes, forecasts and what they mean").click()
    # 61 against 55 carers is within chance (exact Poisson test), so it is not "better".
    expect(page.locator("table.ci-detail")).to_contain_text("Up 6 (no significant change)")


def test_a_viewer_adds_the_story_behind_the_curve_to_a_measure(dashboard, page):
    from playwright.sync_api import expect

    sign_in(page, dashboard["url"], "vera")
    expect(
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Upload extracts")
    ).to_have_count(0)
    open_from_menu(page, "Measure")
    page.get_by_role("heading", name="Carers known to services").wait_for()
    page.get_by_role("tab", name="Story behind the curve").click()
    expect(page).to_have_url(re.compile("view=Story"))
    note = "Outreach at GP surgeries started this quarter."
    page.get_by_label("The story behind the curve").fill(note)
    page.get_by_label("Partners with a role to play").fill("GP practices: ask every patient")
    page.get_by_role("button", name="Save the story").click()
    saved = page.locator("article.ci-story").filter(has_text=note)
    expect(saved).to_be_visible()
    expect(saved).to_contain_text("vera")
    expect(saved).to_contain_text("GP practices: ask every patient")


def test_a_page_opened_by_its_address_asks_for_sign_in_and_refuses_the_wrong_role(dashboard, page):
    from playwright.sync_api import expect

    page.goto(f"{dashboard['url']}/admin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("textbox", name="Username").fill("vera")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("This page is for administrators")).to_be_visible()
    expect(page.get_by_role("heading", name="Administration")).to_have_count(0)


def test_the_scorecard_has_no_serious_accessibility_failures(dashboard, page):
    from axe_playwright_python.sync_playwright import Axe

    sign_in(page, dashboard["url"], "vera")
    page.locator("table.ci-scorecard").first.wait_for()
    results = Axe().run(page)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()


def test_the_measures_national_comparison_with_its_spine_chart_has_no_serious_failures(
    dashboard, page
):
    from axe_playwright_python.sync_playwright import Axe

    sign_in(page, dashboard["url"], "vera")
    page.goto(
        f"{dashboard['url']}/measure?area=rotherham&measure=crqol_score"
        "&view=Other+areas+and+national"
    )
    page.get_by_role("heading", name="Rotherham among all councils of England, 2021-22").wait_for()
    page.get_by_text("spine chart of the 149 councils of England in 2021-22").wait_for()
    results = Axe().run(page)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()

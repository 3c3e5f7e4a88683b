"""The upload page in Chromium, several files in one session: it loads what the user sees."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from carers_impact import db
from tests.browser import CHROMIUM, streamlit_server
from tests.dashboard_data import PASSWORD, carers_file, database_copy
from tests.files import csv_bytes

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    folder = tmp_path_factory.mktemp("browser-upload")
    url = database_copy(folder)
    with streamlit_server(url, folder / "streamlit.log") as base:
        yield {"url": base, "folder": folder, "db": url}


def upload_page(page, url: str, username: str) -> None:
    page.goto(f"{url}/upload")
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Upload extracts").wait_for()


def choose(page, folder: Path, name: str, content: bytes) -> None:
    path = folder / name.rsplit(".", 1)[0] / name  # one folder per file: names may repeat
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_test_id("stText").get_by_text(name, exact=True).wait_for()


def selected(page, label: str):
    """The select box labelled `label`: its value is what it shows."""
    return page.get_by_role("combobox", name=label)


def pick(page, label: str, option: str) -> None:
    """Choose `option` as a person does: open the list, type to narrow it, click the option."""
    from playwright.sync_api import expect

    box = selected(page, label)
    box.click()
    box.fill(option)  # the list renders only what is in view; typing brings the option there
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def current(db_url: str, extract: str, organisation: str, period: str) -> str | None:
    """The file name of the current submission for a key."""
    engine = db.make_engine(db_url)
    s, cs = db.submissions, db.current_submissions
    with engine.connect() as conn:
        name = conn.execute(
            sa.select(s.c.filename)
            .join(cs, cs.c.submission_id == s.c.id)
            .where(
                cs.c.extract == extract, cs.c.organisation == organisation, cs.c.period == period
            )
        ).scalar()
    engine.dispose()
    return name


def breaks_file(quarter_start: str) -> bytes:
    header = ["break_id", "carer_id", "start_date", "break_type", "planned", "nights"]
    rows = [[f"B{i}", f"C{i:05d}", quarter_start, "break grant", "yes", "1"] for i in range(4)]
    return csv_bytes(header, rows)


def test_a_second_file_is_loaded_as_its_own_name_says_not_as_the_first(dashboard, page):
    from playwright.sync_api import expect

    upload_page(page, dashboard["url"], "uma")
    folder = dashboard["folder"]
    choose(page, folder, "carers_ROT-ASC_2024-25_Q3.csv", carers_file(58, "2024-25 Q3"))
    expect(selected(page, "Quarter")).to_have_value("2024-25 Q3")
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("accepted (carers ROT-ASC 2024-25 Q3, 58 rows)")).to_be_visible()

    choose(page, folder, "carers_ROT-ASC_2024-25_Q2.csv", carers_file(57, "2024-25 Q2"))
    expect(selected(page, "Quarter")).to_have_value("2024-25 Q2")
    expect(page.get_by_text("accepted (carers ROT-ASC 2024-25 Q3")).to_have_count(0)
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("accepted (carers ROT-ASC 2024-25 Q2, 57 rows)")).to_be_visible()
    assert current(dashboard["db"], "carers", "ROT-ASC", "2024-25 Q2").endswith("Q2.csv")
    assert current(dashboard["db"], "carers", "ROT-ASC", "2024-25 Q3").endswith("Q3.csv")


def test_a_carers_file_after_a_breaks_file_is_checked_as_carers(dashboard, page):
    from playwright.sync_api import expect

    upload_page(page, dashboard["url"], "uma")
    folder = dashboard["folder"]
    choose(page, folder, "breaks_ROT-ASC_2023-24_Q2.csv", breaks_file("2023-07-10"))
    expect(selected(page, "Extract")).to_have_value("breaks")
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("accepted (breaks ROT-ASC 2023-24 Q2, 4 rows)")).to_be_visible()

    choose(page, folder, "carers_ROT-ASC_2023-24_Q3.csv", carers_file(47, "2023-24 Q3"))
    expect(selected(page, "Extract")).to_have_value("carers")
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("identical to the file already loaded")).to_be_visible()


def test_a_file_named_for_another_organisation_is_refused_for_that_uploader(dashboard, page):
    from playwright.sync_api import expect

    before = current(dashboard["db"], "breaks", "ROT-ASC", "2025-26 Q3")
    upload_page(page, dashboard["url"], "uma")
    choose(page, dashboard["folder"], "breaks_SAN-ASC_2025-26_Q3.csv", breaks_file("2025-10-06"))
    expect(page.get_by_text("says it is from SAN-ASC, which you cannot submit for")).to_be_visible()
    expect(page.get_by_role("button", name="Check and submit")).to_have_count(0)
    assert current(dashboard["db"], "breaks", "ROT-ASC", "2025-26 Q3") == before


def test_a_choice_that_differs_from_the_name_needs_a_confirmation_naming_both(dashboard, page):
    from playwright.sync_api import expect

    upload_page(page, dashboard["url"], "ada")
    name = "carers_ROT-ASC_2023-24_Q1.csv"
    choose(page, dashboard["folder"] / "misnamed", name, carers_file(41, "2023-24 Q4"))
    pick(page, "Quarter", "2023-24 Q4")
    warning = page.get_by_text("The file name says ROT-ASC, carers, 2023-24 Q1")
    expect(warning).to_contain_text("you have chosen ROT-ASC, carers, 2023-24 Q4")
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
    assert current(dashboard["db"], "carers", "ROT-ASC", "2023-24 Q4").endswith("Q4.csv")

    page.get_by_text(f"Load {name} as ROT-ASC, carers, 2023-24 Q4").click()
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text("accepted (carers ROT-ASC 2023-24 Q4, 41 rows)")).to_be_visible()
    expect(
        page.get_by_text(
            "replaces submission 4, 52 rows, with 41 rows; carers known to services 52 → 41"
        )
    ).to_be_visible()
    assert current(dashboard["db"], "carers", "ROT-ASC", "2023-24 Q4") == name
    assert current(dashboard["db"], "carers", "ROT-ASC", "2023-24 Q1").endswith("Q1.csv")

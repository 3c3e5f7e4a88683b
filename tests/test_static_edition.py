"""The static edition: plain HTML with no JavaScript, the same figures as the public table.

`carers-impact export-public` runs on the database holding only the public
tables; the pages are served by a plain web server and read in Chromium.
"""

from __future__ import annotations

import functools
import html
import json
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from carers_impact import db
from measures import public
from tests.public_data import AREA, PUBLISHED, UNPUBLISHED, shared_public_fixture

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("index.html", f"{AREA}/index.html", "open-data.html", "about.html", "accessibility.html")
WIDTHS = (390, 1400)
CATALOGUE = public.load_catalogue()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return shared_public_fixture(tmp_path_factory)


@pytest.fixture(scope="module")
def edition(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("static") / "edition"
    done = subprocess.run(
        [sys.executable, "-m", "carers_impact.cli", "export-public", str(folder)],
        cwd=ROOT,
        env={"CARERS_DB_URL": data.public_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote the static public edition" in done.stdout
    return folder


@pytest.fixture(scope="module")
def site(edition):
    """The edition served by a plain web server on loopback."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(edition))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def figures(data):
    engine = db.make_engine(data.public_url)
    try:
        yield public.read_figures(engine, area=AREA)
    finally:
        engine.dispose()


def _tables(text: str) -> dict[str, list[list[str]]]:
    """Each table's caption -> its body rows' cell texts."""
    found = {}
    for caption, body in re.findall(r"<caption>(.*?)</caption>.*?<tbody>(.*?)</tbody>", text, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        found[html.unescape(caption)] = [
            [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows
        ]
    return found


def test_no_page_carries_javascript_or_an_unpublished_quarter(edition):
    for path in edition.rglob("*"):
        if path.suffix in (".html", ".svg", ".css", ".json", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert "<script" not in text.lower(), path
            assert UNPUBLISHED not in text, path


def test_the_static_figures_equal_the_public_table(edition, figures):
    tables = _tables((edition / AREA / "index.html").read_text(encoding="utf-8"))
    compared = 0
    for measure in CATALOGUE.public():
        series = public.quarterly_series(figures, measure.id)
        caption = f"{measure.title}, Rotherham: each published quarter"
        if caption not in tables:
            assert not any(f.value is not None and not f.suppressed for f in series), caption
            continue
        shown = {row[0]: row[1] for row in tables[caption]}
        assert shown == {f.period: f.text for f in series}, measure.id
        compared += 1
    assert compared >= 8
    open_data = (edition / "data" / public.figures_file(AREA)).read_text(encoding="utf-8")
    area = public.load_areas()[AREA]
    assert open_data == public.open_data_csv(figures, area=area, catalogue=CATALOGUE)


def test_each_chart_is_an_svg_at_two_widths_with_its_summary_and_table(edition):
    page = (edition / AREA / "index.html").read_text(encoding="utf-8")
    figures = re.findall(r"<figure>.*?</figure>", page, re.S)
    assert figures
    for figure in figures:
        narrow, wide = re.findall(r'(?:srcset|src)="(charts/[^"]+\.svg)"', figure)
        for chart in (narrow, wide):
            assert (edition / AREA / chart).read_text().lstrip().startswith("<svg")
        assert "Chart summary." in figure
    assert len(re.findall(r"<details><summary>Table of the figures: ", page)) == len(figures)
    record = _tables(page)["Publication record, Rotherham"]
    assert [row[0] for row in record] == list(reversed(PUBLISHED))


def test_the_data_package_in_the_edition_validates(edition):
    from frictionless import Package

    descriptor = json.loads((edition / "data" / "datapackage.json").read_text())
    assert [r["path"] for r in descriptor["resources"]] == [
        public.figures_file(AREA),
        public.DICTIONARY_FILE,
    ]
    report = Package(str(edition / "data" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation_at_a_phones_width_and_a_desktops(site, browser, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(f"{site}/{path}")
        tab.wait_for_load_state("load")
        results = Axe().run(tab).response
        found = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in results["violations"]
        ]
        assert not found, found
        overflow = tab.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()


def test_the_pages_read_the_same_with_javascript_off(site, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(f"{site}/{AREA}/index.html")
        assert tab.locator("h1").inner_text() == "Carers' outcomes in Rotherham"
        tab.locator("summary", has_text="Table of the figures: Carers known to services").click()
        table = tab.locator("details[open] table.public-table").first
        assert "Carers known to services, Rotherham" in table.locator("caption").inner_text()
        loaded = tab.evaluate(
            "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
        )
        assert loaded
    finally:
        context.close()


def tab_stops_to_first_table(tab) -> int:
    for stops in range(1, 60):
        tab.keyboard.press("Tab")
        label = tab.evaluate("() => document.activeElement.textContent.trim()")
        if label.startswith("Table of the figures: "):
            return stops
    pytest.fail("Tab never reached a table")


def test_a_keyboard_user_reaches_the_first_table_in_a_few_tab_stops(site, page):
    """17 on Rotherham's page: the skip link, four pages, the publication record, the
    contact page, nine theme links, then the first chart's table (the Streamlit view had
    148 on one page before its toolbars and heading links went)."""
    page.goto(f"{site}/{AREA}/index.html")
    themes = len(public.load_areas()[AREA].themes)
    expected = 1 + 4 + 1 + 1 + themes + 1
    assert tab_stops_to_first_table(page) == expected == 17


def test_the_scheduler_writes_the_edition_again_after_a_publication(data, tmp_path, monkeypatch):
    import shutil

    from etl import jobs, publication
    from tests.public_data import INCOMPLETE

    copy = tmp_path / "full.db"
    shutil.copy(data.full_db, copy)
    folder = tmp_path / "edition"
    monkeypatch.setenv("CARERS_PUBLIC_EDITION_DIR", str(folder))
    monkeypatch.setenv("CARERS_DB_URL", f"sqlite:///{copy}")
    engine = db.make_engine(f"sqlite:///{copy}")
    try:
        assert jobs.publish_summary(engine) == f"nothing due; static edition written to {folder}"
        assert UNPUBLISHED not in (folder / AREA / "index.html").read_text()
        assert jobs.publish_summary(engine) == "nothing due"  # up to date: not written again

        publication.publish(
            engine, area=AREA, period=UNPUBLISHED, by="tests", override_reason=INCOMPLETE
        )
        assert jobs.publish_summary(engine).endswith(f"static edition written to {folder}")
        held = json.loads((folder / "edition.json").read_text())
        assert held["latest_publication"] == jobs.latest_publication(engine)
        assert f"<strong>{UNPUBLISHED}</strong>" in (folder / AREA / "index.html").read_text()
    finally:
        engine.dispose()

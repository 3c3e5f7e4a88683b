"""Cold and warm render time of the scorecard page on a full (demo) database.

Run on demand (not a test):
`.venv/bin/python benchmarks/scorecard.py --db sqlite:////path/to/demo.db [--area rotherham]`
(default: CARERS_DB_URL). A SQLite database is copied first, so the benchmark
account it adds never touches the original.

Two measurements:

* **page work**: what the scorecard page does for one view, called directly:
  reading the stored values, building the scorecard (targets, status, SPC,
  significance tests and forecasts for every measure) and the summary table's
  HTML. Cold is the first call in the process (configuration read, connections
  opened); warm is the median of later calls.
* **AppTest**: the whole page run by Streamlit's AppTest as a signed-in
  viewer. Cold is the first run after `st.cache_data` is cleared (the page
  computes everything); warm is the median of later runs, which read the
  scorecard from the cache after one query for the data version.
* **browser** (`--browser`): the real server in Chromium (1400 x 900 window),
  signed in as a viewer: seconds from asking for the scorecard's address to
  the page being drawn (the script finished, the scorecard table shown), the
  first load and the median of later reloads; the page's height in pixels and
  the number of rows in its tables.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = ROOT / "dashboard" / "app.py"
USER, PASSWORD = "benchmark", "benchmark password"
REPEATS = 7


def seconds(start: float) -> float:
    return time.perf_counter() - start


def page_work(url: str, area: str) -> tuple[float, float]:
    """(cold, warm) seconds of the scorecard's data and HTML, without Streamlit."""
    from dashboard import markup
    from measures import api

    engine = api.open_engine(url)

    def once() -> int:
        quarters = api.quarters_with_figures(engine, area=area)
        card = api.scorecard(engine, area=area, period=quarters[0])
        html = markup.summary_table(card, caption="Scorecard", area=area, period=None)
        return len(card) + len(html)

    start = time.perf_counter()
    once()
    cold = seconds(start)
    warm = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        once()
        warm.append(seconds(start))
    return cold, statistics.median(warm)


def apptest(url: str, area: str) -> tuple[float, float, float]:
    """(first run with imports, cold cache, warm cache) seconds of the page in AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["CARERS_DB_URL"] = url
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("views/scorecard.py")
    at.query_params["area"] = area
    start = time.perf_counter()
    at.run()
    first = seconds(start)
    at.text_input(key="sign_in_username").input(USER)
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_submit").click().run()
    assert [t.value for t in at.title] == ["Scorecard"], [e.value for e in at.exception]

    st.cache_data.clear()
    start = time.perf_counter()
    at.run()
    cold = seconds(start)
    warm = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        at.run()
        warm.append(seconds(start))
    return first, cold, statistics.median(warm)


def browser(url: str, area: str) -> dict:
    """First and median reload time, page height and table rows of the scorecard in Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    drawn = (
        "() => document.querySelector('table.ci-scorecard')"
        ' && !document.querySelector("[data-testid=stStatusWidget]")'
        ' && !document.querySelector("[data-testid=stSkeleton]")'
    )
    folder = Path(tempfile.mkdtemp(prefix="scorecard-browser-"))
    try:
        with (
            streamlit_server(url, folder / "streamlit.log") as base,
            sync_playwright() as playwright,
        ):
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(120_000)
            address = f"{base}/?area={area}"
            page.goto(address)
            page.get_by_role("textbox", name="Username").fill(USER)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Scorecard").wait_for()
            page.wait_for_function(drawn)
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                page.goto(address)
                page.wait_for_timeout(50)
                page.wait_for_function(drawn)
                times.append(seconds(start))
            page.wait_for_timeout(500)
            height = page.evaluate(
                '() => document.querySelector("[data-testid=stMainBlockContainer]").scrollHeight'
            )
            rows = page.evaluate(
                "() => document.querySelectorAll('table.ci-scorecard tbody tr').length"
            )
            chromium.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "first": times[0],
        "median": statistics.median(times[1:]),
        "height": height,
        "rows": rows,
    }


def prepare(url: str) -> tuple[str, Path | None]:
    """A copy of a SQLite database holding the benchmark account; the URL and the copy's folder."""
    from carers_impact import accounts, db

    folder = None
    if url.startswith("sqlite:///"):
        folder = Path(tempfile.mkdtemp(prefix="scorecard-benchmark-"))
        copy = folder / "benchmark.db"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    try:
        accounts.get_user(engine, USER)
    except accounts.UnknownUser:
        accounts.create_user(engine, USER, password=PASSWORD, role="viewer")
    engine.dispose()
    return url, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("CARERS_DB_URL", ""))
    parser.add_argument("--area", default="rotherham")
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    args = parser.parse_args()
    if not args.db:
        parser.error("give --db URL (or set CARERS_DB_URL) of a database with the demo loaded")
    url, folder = prepare(args.db)
    try:
        cold, warm = page_work(url, args.area)
        first, app_cold, app_warm = apptest(url, args.area)
        shown = browser(url, args.area) if args.browser else None
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"scorecard of {args.area} on {args.db}")
    print(f"page work (data + HTML):  cold {cold:.3f} s   warm {warm:.3f} s (median of {REPEATS})")
    print(
        f"AppTest page run:         cold {app_cold:.3f} s   warm {app_warm:.3f} s "
        f"(median of {REPEATS}); the process's first run (sign-in form, imports): {first:.3f} s"
    )
    if shown is not None:
        print(
            f"Chromium page load:       first {shown['first']:.3f} s   "
            f"reload {shown['median']:.3f} s "
            f"(median of {REPEATS - 1}); page height {shown['height']} px, "
            f"{shown['rows']} scorecard table rows"
        )
    print("aim: cold under 1 s, warm under 0.3 s")


if __name__ == "__main__":
    main()

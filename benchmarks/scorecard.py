"""Cold and warm render time of the scorecard page on a full (demo) database.

Run on demand (not a test):
`.venv/bin/python benchmarks/scorecard.py --db sqlite:////path/to/demo.db [--area rotherham]`
(default: CARERS_DB_URL). A SQLite database is copied first, so the benchmark
account it adds never touches the original.

Two measurements:

* **page work**: what the scorecard page does for one view, called directly:
  reading the stored values, building the scorecard (targets, status, SPC for
  every measure) and the HTML of every theme's table. Cold is the first call
  in the process (configuration read, connections opened); warm is the median
  of later calls.
* **AppTest**: the whole page run by Streamlit's AppTest as a signed-in
  viewer. Cold is the first run after `st.cache_data` is cleared (the page
  computes everything); warm is the median of later runs, which read the
  scorecard from the cache after one query for the data version.
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
        the_area = api.areas()[area]
        html = [
            markup.scorecard_table(card[card["theme_id"] == t.id], caption=t.title)
            for t in the_area.themes
        ]
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
    args = parser.parse_args()
    if not args.db:
        parser.error("give --db URL (or set CARERS_DB_URL) of a database with the demo loaded")
    url, folder = prepare(args.db)
    try:
        cold, warm = page_work(url, args.area)
        first, app_cold, app_warm = apptest(url, args.area)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"scorecard of {args.area} on {args.db}")
    print(f"page work (data + HTML):  cold {cold:.3f} s   warm {warm:.3f} s (median of {REPEATS})")
    print(
        f"AppTest page run:         cold {app_cold:.3f} s   warm {app_warm:.3f} s "
        f"(median of {REPEATS}); the process's first run (sign-in form, imports): {first:.3f} s"
    )
    print("aim: cold under 1 s, warm under 0.3 s")


if __name__ == "__main__":
    main()

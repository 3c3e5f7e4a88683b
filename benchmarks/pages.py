"""Time to content of every dashboard and public page for 1, 5 and 10 readers at once.

Run on demand (not a test), on a built demo database:
`.venv/bin/python benchmarks/pages.py --db sqlite:////path/to/demo.db [--readers 1 5 10]`
(default: CARERS_DB_URL). A SQLite database is copied first, so the sessions
the readers open never touch the original.

Each server is started as `carers-impact serve` starts it (loopback port), and
each reader is a Chromium browser context of its own; internal readers sign in
as the demo viewer first (not timed). For every page and every number of
readers, all readers open the page at the same moment; a reader's time runs
from `goto` until the page's script has finished and its main area shows
(Streamlit's `data-test-script-state="notRunning"` on the app, with a heading
in the main area). Every page is opened once by every reader before timing
(warm: caches filled). Printed for each page: the median and the slowest
reader, and the server's CPU seconds per view (from /proc), against the aims
of under 1 s for one reader and under 3 s for each of ten.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWER, PASSWORD = "demo-viewer", "carers-demo-only"
INTERNAL_PAGES = ["", "measure", "actions"]
PUBLIC_PAGES = ["", "open-data", "about"]
AIM_ONE_S, AIM_TEN_S = 1.0, 3.0
PAGE_TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def start_server(db_url: str, *, public: bool, log: Path) -> tuple[subprocess.Popen, str]:
    from carers_impact.cli import streamlit_command

    port = free_port()
    command = streamlit_command(public=public, port=port, address="127.0.0.1")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(os.environ, CARERS_DB_URL=db_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.25)
    process.terminate()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


async def shown(page) -> None:
    """The page's script has finished and its main area has a heading."""
    await page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const main = document.querySelector('[data-testid="stMain"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && main && main.querySelector('h1');
        }""",
        timeout=PAGE_TIMEOUT_MS,
        polling=50,
    )


async def open_page(page, url: str) -> float:
    start = time.perf_counter()
    await page.goto(url)
    await shown(page)
    return time.perf_counter() - start


async def sign_in(page, base: str) -> None:
    await page.goto(base)
    await page.get_by_role("textbox", name="Username").fill(VIEWER)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Scorecard").wait_for(timeout=PAGE_TIMEOUT_MS)
    await shown(page)


async def measure_site(
    browser, base: str, server: subprocess.Popen, pages: list[str], readers: list[int], *, internal
) -> list[tuple[str, int, float, float, float]]:
    most = max(readers)
    contexts = [
        await browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(most)
    ]
    tabs = [await c.new_page() for c in contexts]
    if internal:
        for tab in tabs:
            await sign_in(tab, base)
    for path in pages:  # warm: every reader has opened every page once
        await asyncio.gather(*(open_page(tab, f"{base}/{path}") for tab in tabs))
    rows = []
    for path in pages:
        for count in readers:
            before = cpu_seconds(server.pid)
            times = await asyncio.gather(
                *(open_page(tab, f"{base}/{path}") for tab in tabs[:count])
            )
            cpu = (cpu_seconds(server.pid) - before) / count
            rows.append((path or "(home)", count, statistics.median(times), max(times), cpu))
    for context in contexts:
        await context.close()
    return rows


async def run(db_url: str, readers: list[int], folder: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for public, pages, name in (
                (False, INTERNAL_PAGES, "dashboard"),
                (True, PUBLIC_PAGES, "public view"),
            ):
                server, base = start_server(db_url, public=public, log=folder / f"{name}.log")
                try:
                    rows = await measure_site(
                        browser, base, server, pages, readers, internal=not public
                    )
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                print(f"\n{name}: time to content, warm (s)")
                print(
                    f"{'page':<12} {'readers':>7} {'median':>8} {'slowest':>8} {'CPU/view':>9}  aim"
                )
                for path, count, median, slowest, cpu in rows:
                    aim = AIM_ONE_S if count == 1 else AIM_TEN_S
                    ratio = slowest / aim
                    print(
                        f"{path:<12} {count:>7} {median:>8.2f} {slowest:>8.2f} {cpu:>9.2f}"
                        f"  {aim:.0f} s ({ratio:.1f}x)"
                    )
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("CARERS_DB_URL"), help="demo database URL")
    parser.add_argument("--readers", type=int, nargs="+", default=[1, 5, 10])
    args = parser.parse_args()
    if not args.db:
        raise SystemExit("give --db (a built demo database) or set CARERS_DB_URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_url = args.db
        if db_url.startswith("sqlite:///"):
            copy = folder / "pages.db"
            shutil.copyfile(db_url.removeprefix("sqlite:///"), copy)
            db_url = f"sqlite:///{copy}"
        asyncio.run(run(db_url, sorted(set(args.readers)), folder))


if __name__ == "__main__":
    main()

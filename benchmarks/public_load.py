"""The public view under 1, 10 and 50 concurrent readers: Streamlit against the static edition.

Run on demand (not a test):
`.venv/bin/python benchmarks/public_load.py [--db URL] [--sessions 1 10 50]`
(default: a small database built through the real pipeline, as the tests use).
Everything runs on loopback; each reader is a Chromium browser context.

For each number of concurrent readers N, both servers are measured the same way:
N contexts open Rotherham's outcomes page at once, and each reader's **time to
content** is from the request to the page heading and every chart drawn. The
Streamlit server's **memory per session** is its resident memory with the N
sessions open, less its memory before, divided by N. The static edition is
served by Python's plain `http.server`; its memory does not grow with readers.

The static edition is also fetched by N plain HTTP clients at once (the page and
every chart and style sheet it names, no rendering), which separates the
server's share from the browsers' on a small machine.

Bounded: a reader that has no content after TIMEOUT_S counts as timed out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TIMEOUT_S = 120
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DRAWN = (
    "() => document.querySelector('h1')"
    " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
    " && [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
    "      .every(c => c.querySelector('svg, canvas'))"
    " && [...document.images].every(i => i.complete)"
    " && (document.querySelectorAll('[data-testid=\"stVegaLiteChart\"], figure').length > 0)"
)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


async def readers(url: str, n: int) -> list[float | None]:
    """N browser contexts open `url` at once; each one's seconds to content (None: timed out)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = [
            await browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(n)
        ]

        async def one(context) -> float | None:
            tab = await context.new_page()
            start = time.perf_counter()
            try:
                await tab.goto(url, timeout=TIMEOUT_S * 1000)
                await tab.wait_for_function(DRAWN, timeout=TIMEOUT_S * 1000)
            except Exception:  # a timed-out reader is a result, not an error
                return None
            return time.perf_counter() - start

        times = await asyncio.gather(*(one(c) for c in contexts))
        yield_memory = globals().get("_measure")
        if yield_memory:
            yield_memory()
        await browser.close()
    return list(times)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # one line a request would drown the figures
        pass


def fetch_page(url: str) -> float | None:
    """Seconds to fetch a static page and every file it refers to, without a browser."""
    import re
    import urllib.parse
    import urllib.request

    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as reply:
            page = reply.read().decode()
        for ref in set(re.findall(r'(?:src|srcset|href)="([^"#]+\.(?:svg|css))"', page)):
            with urllib.request.urlopen(urllib.parse.urljoin(url, ref), timeout=TIMEOUT_S) as r:
                r.read()
    except OSError:
        return None
    return time.perf_counter() - start


def fetchers(url: str, n: int) -> list[float | None]:
    """N threads fetch the page and its files at once."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fetch_page, [url] * n))


def summary(times: list[float | None]) -> str:
    done = sorted(t for t in times if t is not None)
    timed_out = len(times) - len(done)
    if not done:
        return f"all {len(times)} timed out"
    p95 = done[min(len(done) - 1, int(0.95 * len(done)))]
    return f"median {statistics.median(done):.2f} s, p95 {p95:.2f} s, max {done[-1]:.2f} s" + (
        f", {timed_out} timed out" if timed_out else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: build the small test database)")
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()

    from carers_impact.cli import streamlit_command
    from tests.browser import free_port, running

    work = Path(tempfile.mkdtemp(prefix="public_load_"))
    url = args.db
    if not url:
        from tests.public_data import build_public_fixture

        url = build_public_fixture(work).public_url
    edition = work / "edition"
    env = dict(os.environ, CARERS_DB_URL=url)
    subprocess.run(
        [sys.executable, "-m", "carers_impact.cli", "export-public", str(edition)],
        check=True,
        env=env,
    )
    handler = functools.partial(QuietHandler, directory=str(edition))
    static = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    static_url = f"http://127.0.0.1:{static.server_address[1]}/rotherham/index.html"

    port = free_port()
    command = streamlit_command(public=True, port=port, address="127.0.0.1")
    with running(
        command, ready_url=f"http://127.0.0.1:{port}/_stcore/health", log=work / "st.log", env=env
    ) as server:
        streamlit_url = f"http://127.0.0.1:{port}/?area=Rotherham"
        asyncio.run(readers(streamlit_url, 1))  # warm the caches once, as a live server is
        print(f"{'readers':>7}  {'server':<10} time to content; memory")
        for n in args.sessions:
            before = rss_mb(server.pid)
            seen: dict[str, float] = {}
            globals()["_measure"] = lambda seen=seen: seen.setdefault("rss", rss_mb(server.pid))
            times = asyncio.run(readers(streamlit_url, n))
            per_session = (seen["rss"] - before) / n
            print(
                f"{n:>7}  {'streamlit':<10} {summary(times)}; "
                f"server {seen['rss']:.0f} MB, {per_session:.1f} MB a session"
            )
            globals()["_measure"] = None
            times = asyncio.run(readers(static_url, n))
            print(f"{n:>7}  {'static':<10} {summary(times)}; no server-side session")
            fetched = fetchers(static_url, n)
            print(f"{n:>7}  {'static-get':<10} {summary(fetched)} (HTTP only, no rendering)")
            time.sleep(2)
    static.shutdown()


if __name__ == "__main__":
    main()

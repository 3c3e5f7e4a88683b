"""The shipped nginx configuration (deploy/nginx) in front of the running dashboard and public view.

Debian's nginx runs as a plain process with a temporary prefix; the site file is
rendered with the test's loopback ports in place of the replica addresses and
HTTPS listeners (no certificates on loopback), and includes the other shipped
files unchanged. Browsers and plain HTTP requests then go through it.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser import (
    CHROMIUM,
    PROJECT,
    free_port,
    running,
    streamlit_server,
)
from tests.dashboard_data import PASSWORD, database_copy
from tests.public_data import shared_public_fixture

pytestmark = pytest.mark.browser

DEPLOY = PROJECT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TIMEOUT_MS = 30_000
SECURITY_HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "strict-transport-security": "max-age=",
}


def render_site(site: str, *, upstreams: dict[str, int], listens: list[int]) -> str:
    """The shipped site file with loopback replicas and plain-HTTP loopback listeners."""
    out = []
    upstream = None
    for line in site.splitlines():
        opening = re.match(r"\s*upstream (\w+) \{", line)
        if opening:
            upstream = opening[1]
            out.append(line)
            out.append(f"    server 127.0.0.1:{upstreams[upstream]};")
            continue
        if upstream and re.match(r"\s*server \S+;", line):
            continue  # the production replicas
        if upstream and line.strip() == "}":
            upstream = None
        if re.match(r"\s*listen ", line):
            line = f"    listen 127.0.0.1:{listens.pop(0)};"
        if re.match(r"\s*ssl_certificate", line):
            continue
        out.append(line)
    assert not listens, "the site file has fewer servers than the test expects"
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run `make install-test-deps` (as root)")
    folder = tmp_path_factory.mktemp("proxy")
    folder.chmod(0o755)
    dashboard_db = database_copy(folder)
    public_db = shared_public_fixture(tmp_path_factory).public_url
    prefix = folder / "nginx"
    include_dir = prefix / "carers-impact"
    include_dir.mkdir(parents=True)
    for conf in DEPLOY.glob("*.conf"):
        if conf.name != "carers-impact.conf":
            shutil.copy(conf, include_dir / conf.name)
    ports = {"redirect": free_port(), "dashboard": free_port(), "public": free_port()}
    with (
        streamlit_server(dashboard_db, folder / "dashboard.log") as dashboard,
        streamlit_server(public_db, folder / "public.log", public=True) as public,
    ):
        upstreams = {
            "carers_dashboard": int(dashboard.rsplit(":", 1)[1]),
            "carers_public": int(public.rsplit(":", 1)[1]),
        }
        site = render_site(
            (DEPLOY / "carers-impact.conf").read_text(),
            upstreams=upstreams,
            listens=[ports["redirect"], ports["dashboard"], ports["public"]],
        )
        (prefix / "site.conf").write_text(site)
        (prefix / "nginx.conf").write_text(
            "user root;\n"
            "worker_processes 1;\n"
            "pid nginx.pid;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            "    access_log access.log;\n"
            f"    include {prefix / 'site.conf'};\n"
            "}\n"
        )
        test = subprocess.run(
            [NGINX, "-t", "-p", str(prefix), "-c", "nginx.conf", "-e", "stderr"],
            capture_output=True,
            text=True,
        )
        assert test.returncode == 0, test.stderr
        command = [
            NGINX,
            "-p",
            str(prefix),
            "-c",
            "nginx.conf",
            "-e",
            "stderr",
            "-g",
            "daemon off;",
        ]
        with running(
            command,
            ready_url=f"http://127.0.0.1:{ports['public']}/_stcore/health",
            log=folder / "nginx.log",
            cwd=prefix,
        ):
            yield {
                "dashboard": f"http://127.0.0.1:{ports['dashboard']}",
                "public": f"http://127.0.0.1:{ports['public']}",
                "redirect": ports["redirect"],
                "dashboard_direct": dashboard,
                "public_direct": public,
            }


def request(base: str, path: str, *, method: str = "GET", headers=None, body: bytes = b""):
    """(status, headers) of one plain HTTP request."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        reply = connection.getresponse()
        reply.read()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}
    finally:
        connection.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.csp_violations = []
    tab.on(
        "console",
        lambda m: (
            tab.csp_violations.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    yield tab
    context.close()


# -- through a browser: the WebSocket, the cookie route, the CSP -----------------------


def test_the_dashboard_works_through_the_proxy_within_its_content_policy(sites, page):
    from playwright.sync_api import expect

    page.goto(sites["dashboard"])
    page.get_by_role("textbox", name="Username").fill("vera")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("table.ci-scorecard").first).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Measure").click()
    expect(page.get_by_role("heading", name="Carers known to services")).to_be_visible()
    expect(page.locator(".vega-embed canvas, .vega-embed svg").first).to_be_visible()
    page.reload()  # the session cookie came through the proxy too
    expect(page.get_by_role("heading", name="Carers known to services")).to_be_visible()
    assert page.csp_violations == [], "\n".join(page.csp_violations)


def test_the_public_view_works_through_the_proxy_within_its_content_policy(sites, page):
    from playwright.sync_api import expect

    page.goto(sites["public"])
    expect(page.get_by_role("heading", name="Carers' outcomes in Rotherham")).to_be_visible()
    expect(page.locator(".vega-embed canvas, .vega-embed svg").first).to_be_visible()
    page.goto(f"{sites['public']}/open-data")
    download_button = page.get_by_role("button", name=re.compile("Download")).first
    with page.expect_download() as download:
        download_button.click()
    assert download.value.path().stat().st_size > 0  # /media/ is open
    assert page.csp_violations == [], "\n".join(page.csp_violations)


def _framed_headings(page, url: str) -> int:
    page.set_content(f'<iframe id="f" src="{url}/" width="800" height="600"></iframe>')
    heading = page.frame_locator("#f").get_by_role("heading").first
    from playwright.sync_api import TimeoutError as NothingDrawn

    try:
        heading.wait_for(timeout=10_000)
    except NothingDrawn:
        return 0
    return 1


@pytest.mark.parametrize("site", ["dashboard", "public"])
def test_a_foreign_page_cannot_frame_the_sites(sites, page, site):
    assert _framed_headings(page, sites[f"{site}_direct"]) == 1  # Streamlit alone: framed
    assert _framed_headings(page, sites[site]) == 0  # behind the proxy: refused


# -- plain HTTP: headers, closed endpoints, limits -------------------------------------


@pytest.mark.parametrize("site", ["dashboard", "public"])
@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/_stcore/metrics", "/no-such-page"])
def test_every_answer_carries_the_security_headers(sites, site, path):
    _, headers = request(sites[site], path)
    for name, part in SECURITY_HEADERS.items():
        assert part in headers.get(name, ""), (name, headers)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_stcore/metrics"),
        ("GET", "/_stcore/agent/openapi.json"),
        ("POST", "/_stcore/agent/interact"),
        ("GET", "/_stcore/bidi-components/x"),
        ("GET", "/component/x/index.html"),
        ("PUT", "/_stcore/upload_file/session/file"),
        ("OPTIONS", "/_stcore/upload_file/session/file"),
        ("GET", "/auth/login"),
        ("GET", "/auth/session?ticket=x"),
        ("GET", "/oauth2callback?code=x&state=y"),
        ("POST", "/"),
    ],
)
def test_the_public_site_closes_what_a_visitor_does_not_need(sites, method, path):
    status, _ = request(sites["public"], path, method=method)
    assert status in (403, 404), status


@pytest.mark.parametrize("path", ["/", "/open-data", "/_stcore/health", "/_stcore/host-config"])
def test_the_public_site_opens_what_the_page_needs(sites, path):
    status, _ = request(sites["public"], path)
    assert status == 200


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/agent/openapi.json"])
def test_the_dashboard_site_closes_streamlit_internals(sites, path):
    assert request(sites["dashboard"], path)[0] == 404


def test_an_upload_to_the_public_view_is_refused_by_its_own_server_too(sites):
    """Defence in depth: even reached directly, the public server takes no upload."""
    body = b"x" * (256 * 1024)
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(body))}
    status, _ = request(
        sites["public_direct"], "/_stcore/upload_file/s/f", method="PUT", headers=headers, body=body
    )
    assert status == 403


@pytest.mark.parametrize(
    ("site", "size"),
    [("public", 64 * 1024), ("dashboard", 200 * 1024 * 1024)],
)
def test_request_bodies_are_limited(sites, site, size):
    """nginx answers 413 from the declared length, before reading (or passing on) a byte."""
    headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
    path = "/_stcore/health" if site == "public" else "/_stcore/upload_file/s/f"
    method = "GET" if site == "public" else "PUT"
    host, port = sites[site].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(b"x" * 1024)
        assert connection.getresponse().status == 413
    finally:
        connection.close()


def test_plain_http_only_redirects_to_https(sites):
    status, headers = request(f"http://127.0.0.1:{sites['redirect']}", "/measure?x=1")
    assert status == 301 and headers["location"].startswith("https://")

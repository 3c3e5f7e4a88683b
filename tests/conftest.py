"""Shared fixtures: a real database per test, SQLite always and PostgreSQL when configured.

Set CARERS_TEST_POSTGRES_URL to run every database test against PostgreSQL as
well; each test gets a schema of its own there, dropped afterwards. CI sets
CARERS_REQUIRE_POSTGRES=1 so those tests can never be skipped silently.

Tests that run the dashboard (AppTest or a real server), build the demo or
start processes of their own are marked ``slow`` here, by module, so that
`make test-fast` can leave them out; `make test` runs everything.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import settings

from carers_impact import db

POSTGRES_URL = os.environ.get("CARERS_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("CARERS_REQUIRE_POSTGRES") == "1"

SLOW_MODULES = frozenset(
    {
        "test_browser_dashboard",
        "test_browser_public",
        "test_browser_sign_in",
        "test_browser_sso",
        "test_browser_text",
        "test_browser_upload",
        "test_dashboard_complete",
        "test_dashboard_access",
        "test_dashboard_actions",
        "test_dashboard_admin",
        "test_dashboard_measure",
        "test_dashboard_quality",
        "test_dashboard_scorecard",
        "test_dashboard_text",
        "test_dashboard_upload",
        "test_demo",
        "test_attack_demo",
        "test_proxy",
        "test_public_app",
        "test_scheduler",
        "test_static_edition",
        "test_sign_in_throttle",
    }
)
"""Modules whose every test is ``slow``: AppTest, Chromium, the demo build, subprocesses."""

settings.register_profile("default", deadline=None)
settings.register_profile("fast", deadline=None, max_examples=15)
settings.load_profile("default")
"""No per-example deadline: time is measured by the benchmarks, not by tests on a busy
machine. `make test-fast` runs property tests with fewer examples."""


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError("CARERS_REQUIRE_POSTGRES=1 but CARERS_TEST_POSTGRES_URL is not set")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _inbox_settles_quickly(monkeypatch):
    """Inbox files written by a test are taken after a twentieth of a second, not five."""
    monkeypatch.setenv("CARERS_INBOX_SETTLE_SECONDS", "0.05")


def _backends() -> list:
    return ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


def postgres_url_in_new_schema() -> tuple[str, object]:
    """A PostgreSQL URL whose search_path is a fresh schema; returns (url, cleanup)."""
    if not POSTGRES_URL:
        pytest.skip("CARERS_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"

    def cleanup() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url, cleanup


def postgres_engine_in_new_schema():
    """A PostgreSQL engine whose search_path is a fresh schema; returns (engine, cleanup)."""
    url, drop_schema = postgres_url_in_new_schema()
    engine = sa.create_engine(url, pool_pre_ping=True)

    def cleanup() -> None:
        engine.dispose()
        drop_schema()

    return engine, cleanup


@pytest.fixture(params=_backends())
def database_url(request, tmp_path):
    """A migrated database's URL, for tests that start processes of their own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        db.upgrade(db.make_engine(url))
        yield url
        return
    url, cleanup = postgres_url_in_new_schema()
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        cleanup()


@pytest.fixture(params=_backends())
def engine(request, tmp_path):
    """A migrated database: SQLite, and PostgreSQL when CARERS_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        db.upgrade(engine)
        yield engine
        engine.dispose()
        return
    engine, cleanup = postgres_engine_in_new_schema()
    db.upgrade(engine)
    try:
        yield engine
    finally:
        cleanup()


BROWSER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}; `make test` installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A new browser context and tab for one test: no cookies or storage from another."""
    from playwright.sync_api import expect

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()

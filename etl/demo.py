"""Build the demo database: generate the demo extracts and run them through the pipeline."""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.accounts import DuplicateUser, create_user
from carers_impact.periods import Quarter
from etl import publication
from etl.demo_data import write_demo_extracts
from etl.inbox import process_inbox
from measures.domain.area_files import load_areas
from measures.storage.quarters import quarters_with_figures

DEMO_INBOX = Path("data") / "demo" / "inbox"

DEMO_ACCOUNTS = (
    ("demo-admin", "admin", ()),
    ("demo-viewer", "viewer", ()),
    ("demo-uploader", "uploader", ("ROT-ASC", "ROT-CC")),
)
DEMO_PASSWORD = "carers-demo-only"
"""Shared by the demo accounts: the demo database is for trying the product, never for data."""


def demo_is_built(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(sa.select(sa.func.count()).select_from(db.submissions)).scalar())


def build_demo(
    engine: Engine,
    *,
    inbox: Path = DEMO_INBOX,
    rebuild: bool = False,
    areas: list[str] | None = None,
    first: str = "2019-20 Q1",
    last: str = "2025-26 Q2",
) -> str:
    """Generate the demo extracts into an inbox and submit each through the real pipeline.

    Files go in the generator's order, so a correction follows the file it
    corrects. Measures are computed once at the end rather than after each file.
    """
    if demo_is_built(engine) and not rebuild:
        return "The database already holds submissions; use --rebuild to load the demo again."
    started = time.perf_counter()
    if inbox.exists():
        shutil.rmtree(inbox)
    files = write_demo_extracts(inbox, areas=areas, first=first, last=last)
    run = process_inbox(engine, inbox, submitted_by="demo", files=files)
    computed = len(run.recomputed)
    published = publish_all_but_latest(engine)
    add_demo_accounts(engine)
    seconds = time.perf_counter() - started
    logins = ", ".join(name for name, _, _ in DEMO_ACCOUNTS)
    return (
        f"Demo built in {seconds:.0f} s: {len(files)} files ({run.summary()}), "
        f"measures computed for {computed} areas, {published} quarters published.\n"
        f"Sign in as {logins} with the password '{DEMO_PASSWORD}'."
    )


def publish_all_but_latest(engine: Engine) -> int:
    """Publish every quarter with figures except each area's latest, which stays provisional."""
    count = 0
    for area in load_areas().values():
        quarters = [Quarter.parse(p) for p in quarters_with_figures(engine, area=area.id)]
        for quarter in sorted(quarters)[:-1]:
            with contextlib.suppress(publication.AlreadyPublished):
                publication.publish(engine, area=area.id, period=quarter.label, by="demo")
                count += 1
    return count


def add_demo_accounts(engine: Engine) -> None:
    for name, role, organisations in DEMO_ACCOUNTS:
        with contextlib.suppress(DuplicateUser):
            create_user(
                engine, name, password=DEMO_PASSWORD, role=role, organisations=organisations
            )

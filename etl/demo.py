"""Build the demo database: generate the demo extracts and run them through the pipeline."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from etl.demo_data import write_demo_extracts
from etl.inbox import process_inbox
from measures.store import recompute_all

DEMO_INBOX = Path("data") / "demo" / "inbox"


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
    areas = recompute_all(engine)
    seconds = time.perf_counter() - started
    return (
        f"Demo built in {seconds:.0f} s: {len(files)} files ({run.summary()}), "
        f"measures computed for {areas} areas."
    )

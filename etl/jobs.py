"""The scheduled jobs' bodies, each recorded in `job_runs` with start, end and outcome.

A run's outcome is `running` until it ends (`success` or `failed`); one left
running by a scheduler that died becomes `interrupted` when the next scheduler
takes the lease (`etl.lease.acquire`).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings
from etl import quality
from etl.lease import runner_id
from etl.load import now

log = logging.getLogger(__name__)
EXPORT_TIMEOUT_S = 600


def record_run(engine: Engine, job_id: str, body: Callable[[], str]) -> str:
    """Run a job body, keeping its start, end, outcome and a one-line detail."""
    with engine.begin() as conn:
        run_id = conn.execute(
            sa.insert(db.job_runs).values(
                job_id=job_id,
                started_at=now(),
                outcome="running",
                detail="",
                runner=runner_id(),
            )
        ).inserted_primary_key[0]
    outcome, detail = "success", ""
    try:
        detail = body()
    except Exception as exc:  # a failed run is recorded, and the scheduler carries on
        outcome = "failed"
        detail = f"{type(exc).__name__}: {exc}"
        log.error("job %s failed\n%s", job_id, traceback.format_exc())
    with engine.begin() as conn:
        conn.execute(
            sa.update(db.job_runs)
            .where(db.job_runs.c.id == run_id)
            .values(finished_at=now(), outcome=outcome, detail=detail[:2000])
        )
    return outcome


def late_submissions(engine: Engine, *, today: date | None = None) -> pd.DataFrame:
    """Extracts due but not loaded, by organisation and quarter: missing or only rejected.

    The data-quality matrix's rule (``etl.quality.overdue``): each area's
    configuration says which extracts each organisation supplies and from
    when; a quarter's extracts are due CARERS_SUBMISSION_DUE_DAYS after it ends.
    """
    from measures.domain.area_files import load_areas

    return quality.overdue(
        quality.read_submissions(engine),
        areas=load_areas().values(),
        due_days=settings.get_int("CARERS_SUBMISSION_DUE_DAYS"),
        today=today or date.today(),
    )


def late_summary(engine: Engine, *, today: date | None = None) -> str:
    """The late-submission check's one line: how many are late, and which."""
    late = late_submissions(engine, today=today)
    if late.empty:
        return "no late submissions"
    listed = "; ".join(
        f"{r.organisation} {r.extract} {r.period}"
        + (" (only rejected files)" if r.state == "rejected" else "")
        for r in late.head(20).itertuples()
    )
    return f"{len(late)} late: {listed}" + (" ..." if len(late) > 20 else "")


def publish_summary(engine: Engine) -> str:
    """Publish the quarters whose scheduled time has come; one line on what happened.

    With CARERS_PUBLIC_EDITION_DIR set, the static public edition is then written
    again if any publication, revision or withdrawal (by this job, the dashboard or
    the command line) is newer than the one it holds.
    """
    from etl.publication import publish_due

    summary = "; ".join(publish_due(engine)) or "nothing due"
    refreshed = refresh_public_edition(engine)
    return f"{summary}; {refreshed}" if refreshed else summary


def latest_publication(engine: Engine) -> str:
    """The moment of the latest publication, revision or withdrawal (ISO), or blank."""
    table = db.public_periods
    with engine.connect() as conn:
        moments = [
            conn.execute(sa.select(sa.func.max(table.c[column]))).scalar()
            for column in ("published_at", "revised_at", "withdrawn_at")
        ]
    found = [pd.Timestamp(m) for m in moments if m is not None]
    found = [m.tz_localize("UTC") if m.tzinfo is None else m for m in found]
    return max(found).isoformat() if found else ""


def _edition_holds(folder: Path) -> str:
    try:
        return json.loads((folder / "edition.json").read_text(encoding="utf-8"))[
            "latest_publication"
        ]
    except (OSError, ValueError, KeyError):
        return ""


def refresh_public_edition(engine: Engine) -> str:
    """Write the static edition again if it is older than the latest publication.

    It runs as `carers-impact export-public` in a process of its own, so the chart
    renderer never loads into the scheduler and the layers stay apart.
    """
    folder = settings.get("CARERS_PUBLIC_EDITION_DIR")
    if not folder:
        return ""
    latest = latest_publication(engine)
    held = _edition_holds(Path(folder))
    if not latest or (held and pd.Timestamp(held) >= pd.Timestamp(latest)):
        return ""
    done = subprocess.run(
        [sys.executable, "-m", "carers_impact.cli", "export-public", folder],
        capture_output=True,
        text=True,
        timeout=EXPORT_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the static public edition was not written: {done.stderr.strip()}")
    return f"static edition written to {folder}"

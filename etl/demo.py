"""Build the demo database: generate the demo extracts and run them through the pipeline."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings
from carers_impact.accounts import DuplicateUser, create_user
from carers_impact.periods import Quarter
from etl import jobs, publication, scheduler
from etl.demo_activity import add_demo_activity
from etl.demo_data import RESUBMISSIONS, plan_demo, write_demo_extracts
from etl.inbox import process_inbox
from etl.naming import parse_file_name
from measures.domain.area_files import area_for_organisation, load_areas
from measures.storage import quarters
from measures.storage.quarters import quarters_with_figures

DEMO_INBOX = Path("data") / "demo" / "inbox"
UK = ZoneInfo("Europe/London")

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


NEVER_ARRIVED = frozenset({"outcomes_ROT-CC_2025-26_Q2.csv"})
"""A return that never came: Rotherham's latest quarter stays incomplete (and unpublished)."""
LATE_SHARE = 0.08
"""About this share of files arrive after their due date."""
PUBLISHED_AFTER_DAYS = 60
"""A quarter is published this long after it ends, once its returns are in."""
EMBARGO_DAYS = 14
"""The latest complete quarters are scheduled for publication this far ahead of the build."""


def build_demo(
    engine: Engine,
    *,
    inbox: Path = DEMO_INBOX,
    rebuild: bool = False,
    areas: list[str] | None = None,
    first: str = "2019-20 Q1",
    last: str = "2025-26 Q2",
) -> str:
    """Generate the demo extracts and submit them through the real pipeline, as returns arrive.

    Each file is dated as it would arrive (most within the due days after its
    quarter, some late; corrections days after the file they correct; one
    never) and the files go in order of arrival through the scheduler's own
    inbox job. Quarters are published some weeks after they end, so a
    correction arriving after that is published again as a revision; the
    latest complete quarters are scheduled for publication, and the other
    scheduled jobs run once, so every page has a true history to show.
    """
    if demo_is_built(engine) and not rebuild:
        return "The database already holds submissions; use --rebuild to load the demo again."
    started = time.perf_counter()
    if inbox.exists():
        shutil.rmtree(inbox)
    files = write_demo_extracts(inbox, areas=areas, first=first, last=last)
    for path in [f for f in files if f.name in NEVER_ARRIVED]:
        path.unlink()
    files = [f for f in files if f.exists()]
    corrected_late = {f.name for f in plan_demo(areas, first=first, last=last) if f.cut_off}
    arrivals = _arrivals(files)
    late = {f for f in files if f.name in corrected_late and f.parent.name == RESUBMISSIONS}
    published_at = _publication_times(arrivals, late=late)
    for path in late:  # found at the year-end audit, after the area's last publication
        area = _key(path)[0]
        arrivals[path] = max(t for k, t in published_at.items() if k[0] == area) + timedelta(10)
        os.utime(path, (arrivals[path].timestamp(),) * 2)
    after = sorted(late, key=arrivals.get)
    runs = [_inbox_job(engine, inbox, sorted(set(files) - late, key=arrivals.get))]
    published = publish_all_but_latest(engine, at=published_at)
    runs.append(_inbox_job(engine, inbox, after))
    revised = _revise_changed(engine, late={f: arrivals[f] for f in after})
    scheduled = _schedule_latest(engine)
    for job_id, body in (
        (scheduler.LATE_CHECK, jobs.late_summary),
        (scheduler.PUBLISH, jobs.publish_summary),
    ):
        jobs.record_run(engine, job_id, lambda body=body: body(engine))
    add_demo_accounts(engine)
    add_demo_activity(engine)
    seconds = time.perf_counter() - started
    logins = ", ".join(name for name, _, _ in DEMO_ACCOUNTS)
    statuses = Counter(result.status for run in runs for _, result in run.results)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    return (
        f"Demo built in {seconds:.0f} s: {len(files)} files ({summary}), measures computed for "
        f"{len(set().union(*(r.recomputed for r in runs)))} areas, {published} quarters "
        f"published, {revised} revised, {scheduled} scheduled.\n"
        f"Sign in as {logins} with the password '{DEMO_PASSWORD}'."
    )


def _quarter(path: Path) -> str:
    return parse_file_name(path.name).quarter.label


def _key(path: Path) -> tuple[str, str]:
    """(area, quarter) of a demo file."""
    named = parse_file_name(path.name)
    return area_for_organisation(named.organisation).id, named.quarter.label


def _arrivals(files: list[Path]) -> dict[Path, datetime]:
    """When each file arrives: a deterministic, realistic spread after its quarter ends."""
    due_days = settings.get_int("CARERS_SUBMISSION_DUE_DAYS")
    arrivals: dict[Path, datetime] = {}
    for path in files:
        quarter = parse_file_name(path.name).quarter
        draw = int(hashlib.sha256(path.name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        if draw < LATE_SHARE:
            days = due_days + 3 + int(draw / LATE_SHARE * 25)  # a few days to a month late
        else:
            days = 8 + int((draw - LATE_SHARE) / (1 - LATE_SHARE) * (due_days - 12))
        when = datetime.combine(quarter.end, dtime(10), tzinfo=UK) + timedelta(days=days)
        if path.parent.name == RESUBMISSIONS:
            first = next(p for p in arrivals if p.name == path.name)
            when = max(arrivals[first], when) + timedelta(days=6)
        arrivals[path] = when
        stamp = when.timestamp()
        os.utime(path, (stamp, stamp))
    return arrivals


def _publication_times(
    arrivals: dict[Path, datetime], *, late: set[Path]
) -> dict[tuple[str, str], datetime]:
    """When each area publishes each quarter: some weeks after it ends, once its returns
    (but for the `late` corrections) are in."""
    times: dict[tuple[str, str], datetime] = {}
    for path, arrived in arrivals.items():
        key = _key(path)
        planned = datetime.combine(Quarter.parse(key[1]).end, dtime(9, 30), tzinfo=UK) + timedelta(
            days=PUBLISHED_AFTER_DAYS
        )
        if path not in late:
            planned = max(planned, arrived + timedelta(days=3))
        times[key] = max(times.get(key, planned), planned)
    return times


def _inbox_job(engine: Engine, inbox: Path, files: list[Path]):
    """One pass of the scheduler's inbox job over these files, recorded in the job history."""
    passes = []

    def body() -> str:
        passes.append(process_inbox(engine, inbox, submitted_by="inbox", files=files))
        return passes[-1].summary()

    jobs.record_run(engine, scheduler.POLL_INBOX, body)
    return passes[0]


def publish_all_but_latest(
    engine: Engine, *, at: dict[tuple[str, str], datetime] | None = None
) -> int:
    """Publish every quarter with figures except each area's latest, which stays provisional."""
    count = 0
    for area in load_areas().values():
        quarters = [Quarter.parse(p) for p in quarters_with_figures(engine, area=area.id)]
        for quarter in sorted(quarters)[:-1]:
            with contextlib.suppress(publication.AlreadyPublished):
                publication.publish(
                    engine,
                    area=area.id,
                    period=quarter.label,
                    by="demo-admin",
                    at=(at or {}).get((area.id, quarter.label)),
                )
                count += 1
    return count


def _revise_changed(engine: Engine, *, late: dict[Path, datetime]) -> int:
    """Publish again, with the reason, each published quarter the late corrections changed
    (the corrected quarter itself, and later ones whose 12-month figures include it)."""
    count = 0
    for area in load_areas().values():
        mine = {p: at for p, at in late.items() if _key(p)[0] == area.id}
        if not mine:
            continue
        status = quarters.publication_status(engine, area=area.id)
        changed = status[
            (status["state"] == "published") & (status["changed_since_publication"] > 0)
        ]
        for label in sorted(changed["period"], key=Quarter.parse):
            named = [parse_file_name(p.name) for p in mine]
            own = [n for n in named if n.quarter.label == label]
            if own:
                reason = (
                    f"{own[0].organisation} sent a corrected {own[0].extract} file after "
                    "publication: the first one left out the end of the quarter"
                )
            else:
                reason = (
                    f"A correction to {named[0].quarter.label} arrived after publication and "
                    "changed this quarter's figures for the 12 months before it"
                )
            publication.publish(
                engine,
                area=area.id,
                period=label,
                by="demo-admin",
                reason=reason,
                at=max(mine.values()) + timedelta(days=7),
            )
            count += 1
    return count


def _schedule_latest(engine: Engine) -> int:
    """Schedule each area's latest quarter for publication, if it is complete."""
    count = 0
    when = datetime.now(UTC).replace(hour=9, minute=30, second=0, microsecond=0)
    for area in load_areas().values():
        labels = quarters_with_figures(engine, area=area.id)
        if not labels:
            continue
        try:
            publication.schedule(
                engine,
                area=area.id,
                period=labels[0],
                by="demo-admin",
                publish_at=when + timedelta(days=EMBARGO_DAYS),
                reason="the quarterly release",
            )
        except publication.QuarterIncomplete:
            continue  # waits for its missing return
        count += 1
    return count


def add_demo_accounts(engine: Engine) -> None:
    for name, role, organisations in DEMO_ACCOUNTS:
        with contextlib.suppress(DuplicateUser):
            create_user(
                engine, name, password=DEMO_PASSWORD, role=role, organisations=organisations
            )

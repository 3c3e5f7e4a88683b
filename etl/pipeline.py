"""The flow of one extract, described once: read -> validate -> load -> compute -> publish.

1. **Identify**: the file name (or the uploader's choice) says which extract,
   organisation and quarter it is; the organisation must belong to a
   configured area and the quarter must have ended.
2. **Recognise**: bytes identical to what is already current for that
   extract, organisation and quarter are recorded as a duplicate and not
   loaded again; identical to an earlier accepted submission, that one is
   made current again. A unique index holds this in the database too, so two
   processes submitting the same bytes at once load them once (the second
   becomes the duplicate).
3. **Read**: CSV or XLSX into a table of strings with file row numbers.
4. **Guard**: a file holding direct identifiers is rejected before any of its
   content is stored (only its hash, name and report are kept).
5. **Validate**: the extract's Great Expectations suite; any failed
   expectation rejects the whole file, which is kept with its report.
6. **Load**: an accepted file goes in one transaction, supersedes the
   previous current submission and marks the area's measures out of date;
   nothing is ever deleted.
7. **Compute**: the area's measures are recomputed from the current rows,
   the rows just loaded handed over as they are rather than read back; the
   recompute clears the out-of-date mark. An inbox pass (`Recompute`) does
   this once per area at the end of the pass. A process killed before it
   leaves the mark, and the next pass, scheduler start or page view
   recomputes the area.
8. **Publish**: the public figures change only when an admin publishes a
   quarter (see `etl.publication`): never as a side effect of 1-7.

`submit`, `revert` and `withdraw` each complete the flow themselves (steps 1
to 7); they are the entry points of the inbox job, the CLI and the
dashboard's upload and administration pages.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.extracts import Extract, get_extract
from carers_impact.periods import InvalidPeriod, Quarter
from etl import load
from etl.load import CannotRevert, CannotWithdraw, SubmissionNotFound, Withdrawal
from etl.naming import BadFileName, parse_file_name
from etl.report import ExtractRejected, Report
from measures.domain.area_files import load_areas
from measures.domain.areas import Area
from measures.domain.catalogue import load_catalogue
from measures.storage.values import LoadedRows, recompute_area, recompute_stale

__all__ = [
    "BadFileName",
    "CannotRevert",
    "CannotWithdraw",
    "Change",
    "Recompute",
    "SubmissionNotFound",
    "SubmissionResult",
    "Withdrawal",
    "check_file",
    "identify",
    "parse_file_name",
    "read_and_guard",
    "recompute_stale",
    "record_unread",
    "revert",
    "submission_report",
    "submit",
    "withdraw",
]

log = logging.getLogger(__name__)

CONTENT_NOT_KEPT = {"personal_data", "file_too_large"}
"""Rejections whose file content is not stored: only its hash, name and report."""


@dataclass
class Recompute:
    """The recomputes an inbox pass owes: one per changed area, run at the end of the pass."""

    loaded: dict[str, dict[int, pd.DataFrame]] = field(default_factory=dict)

    def add(self, area: str, rows: LoadedRows | None = None) -> None:
        self.loaded.setdefault(area, {}).update(rows or {})

    def run(self, engine: Engine, *, areas: dict[str, Area]) -> list[str]:
        """Recompute each changed area once, with the rows loaded for it; returns the areas."""
        done = list(self.loaded)
        for area_id in done:
            recompute_area(engine, area_id, area=areas[area_id], loaded=self.loaded.pop(area_id))
        return done


@dataclass(frozen=True)
class Change:
    """What an accepted file changed: the submission it replaced and its headline measure."""

    replaced_id: int | None
    replaced_rows: int | None
    rows: int
    measure_title: str
    unit: str
    before: float | None
    after: float | None

    @property
    def text(self) -> str:
        """`replaces submission 450, 226 rows, with 230 rows; known carers 1,903 → 1,910`."""
        if self.replaced_id is None:
            head = f"the first file for this quarter: {self.rows:,} rows"
        else:
            head = (
                f"replaces submission {self.replaced_id}, {self.replaced_rows:,} rows, "
                f"with {self.rows:,} rows"
            )
        before, after = _number(self.before, self.unit), _number(self.after, self.unit)
        return f"{head}; {self.measure_title.lower()} {before} → {after}"


def _number(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "none"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}{'%' if unit == 'percent' else ''}"


@dataclass(frozen=True)
class SubmissionResult:
    """What became of one file."""

    status: str  # accepted, rejected, duplicate, reinstated
    report: Report
    submission_id: int | None
    superseded_id: int | None = None
    area: str | None = None  # set when the file changed an area's current rows
    change: Change | None = None  # what it changed, when its area was recomputed at once

    @property
    def accepted(self) -> bool:
        return self.status != "rejected"


def _identify(
    filename: str,
    *,
    extract: str | None,
    organisation: str | None,
    period: str | None,
    areas: dict[str, Area],
    today: date,
    report: Report,
) -> load.SubmissionKey:
    """Work out (extract, organisation, quarter, area), or raise ExtractRejected."""
    try:
        if extract and organisation and period:
            extract_name = get_extract(extract).name
            org = organisation.strip().upper()
            quarter = Quarter.parse(period)
        else:
            identity = parse_file_name(filename)
            extract_name = get_extract(extract).name if extract else identity.extract
            org = organisation.strip().upper() if organisation else identity.organisation
            quarter = Quarter.parse(period) if period else identity.quarter
    except (BadFileName, InvalidPeriod, ValueError) as exc:
        report.error("file_name", str(exc))
        raise ExtractRejected(report) from None
    report.extract, report.organisation, report.period = extract_name, org, quarter.label
    area = next((a for a in areas.values() if org in a.organisation_codes), None)
    if area is None:
        known = ", ".join(sorted(c for a in areas.values() for c in a.organisation_codes))
        report.error(
            "unknown_organisation",
            f"'{org}' is not an organisation of any configured area; use one of: {known}",
        )
        raise ExtractRejected(report)
    if quarter.end >= today:
        report.error(
            "future_quarter",
            f"{quarter.label} has not ended yet (it ends {quarter.end:%d/%m/%Y}); "
            "submit a quarter's extract after the quarter has ended",
        )
        raise ExtractRejected(report)
    return load.SubmissionKey(extract_name, org, quarter.label, area.id)


def identify(
    filename: str,
    *,
    extract: str | None = None,
    organisation: str | None = None,
    period: str | None = None,
    areas: dict[str, Area] | None = None,
    today: date | None = None,
) -> tuple[Report, load.SubmissionKey]:
    """The report to fill and the key of a file; raises ExtractRejected if it has none."""
    areas = areas if areas is not None else load_areas()
    report = Report(filename=filename)
    key = _identify(
        filename,
        extract=extract,
        organisation=organisation,
        period=period,
        areas=areas,
        today=today or date.today(),
        report=report,
    )
    return report, key


def read_and_guard(
    content: bytes,
    *,
    filename: str,
    extract: Extract,
    report: Report,
    as_of: date | None = None,
    max_bytes: int | None = None,
) -> pd.DataFrame:
    """Steps 3 and 4: the file's rows as text, its extract's columns only, once the
    guard has seen every column; raises ExtractRejected with the report."""
    from etl.guard import check_personal_data
    from etl.read import read_table, select_extract_columns

    raw = read_table(
        content, filename=filename, extract=extract, report=report, max_bytes=max_bytes
    )
    check_personal_data(raw, report=report, extract=extract, as_of=as_of)
    if not report.ok:
        raise ExtractRejected(report)
    return select_extract_columns(raw, extract=extract, report=report)


def check_file(
    content: bytes, *, key: load.SubmissionKey, report: Report, areas: dict[str, Area] | None = None
) -> pd.DataFrame:
    """Read, guard and validate a file without storing anything.

    Returns the typed rows, ready to load; raises ExtractRejected with the
    report when the file cannot be loaded.
    """
    from etl.validate import to_typed, validate_frame

    areas = areas if areas is not None else load_areas()
    spec = get_extract(key.extract)
    quarter = Quarter.parse(key.period)
    frame = read_and_guard(
        content, filename=report.filename, extract=spec, report=report, as_of=quarter.end
    )
    report.row_count = len(frame)
    frame = validate_frame(
        frame,
        extract=spec,
        quarter=quarter,
        report=report,
        localities=areas[key.area].localities or None,
    )
    if not report.ok:
        raise ExtractRejected(report)
    return to_typed(frame, extract=spec)


def submit(
    engine: Engine,
    content: bytes,
    *,
    filename: str,
    submitted_by: str,
    source: str = "upload",
    extract: str | None = None,
    organisation: str | None = None,
    period: str | None = None,
    areas: dict[str, Area] | None = None,
    today: date | None = None,
    recompute: Recompute | None = None,
    submitted_at: datetime | None = None,
) -> SubmissionResult:
    """Check one file and, if it passes, load it as the current submission and recompute.

    With `recompute` (an inbox pass) the area's recompute waits for the end of
    the pass; otherwise it runs now and the result says what changed.
    `submitted_at` is when the file arrived (default now): the inbox gives the
    time it was put there, so a pass that runs late does not make a file late.
    """
    areas = areas if areas is not None else load_areas()
    key = None

    def resubmitted(submission_id: int) -> SubmissionResult:
        """The same bytes as an earlier accepted submission of the key."""
        return _resubmitted(
            engine,
            submission_id,
            key=key,
            content=content,
            filename=filename,
            submitted_by=submitted_by,
            source=source,
            areas=areas,
            recompute=recompute,
            submitted_at=submitted_at,
        )

    try:
        report, key = identify(
            filename,
            extract=extract,
            organisation=organisation,
            period=period,
            areas=areas,
            today=today,
        )
        digest = load.sha256(content)
        same = load.find_by_hash(engine, key, digest)
        if same is not None:
            return resubmitted(same["id"])
        rows = check_file(content, key=key, report=report, areas=areas)
    except ExtractRejected as rejected:
        report = rejected.report
        keep = not any(f.rule in CONTENT_NOT_KEPT for f in report.errors)
        sid = load.record_unloaded(
            engine,
            key=key,
            filename=filename,
            content=content,
            keep_content=keep,
            status="rejected",
            report=report,
            submitted_by=submitted_by,
            source=source,
            submitted_at=submitted_at,
        )
        log.info("rejected %s as submission %s", filename, sid)
        return SubmissionResult("rejected", report, sid)
    before = None if recompute else _headline(engine, key)
    try:
        sid, previous = load.load_accepted(
            engine,
            key=key,
            frame=rows,
            filename=filename,
            content=content,
            report=report,
            submitted_by=submitted_by,
            source=source,
            submitted_at=submitted_at,
        )
    except sa.exc.IntegrityError:
        # the same bytes accepted by another process since they were looked for: the
        # database's unique index let only one in, and this one is a resubmission
        same = load.find_by_hash(engine, key, digest)
        if same is None:
            raise
        return resubmitted(same["id"])
    log.info("loaded %s as submission %s (%s rows)", filename, sid, report.row_count)
    loaded = {sid: rows}
    if recompute is not None:
        recompute.add(key.area, loaded)
        return SubmissionResult("accepted", report, sid, previous, key.area)
    recompute_area(engine, key.area, area=areas[key.area], loaded=loaded)
    change = _change(engine, key, before=before, previous=previous, rows=report.row_count)
    return SubmissionResult("accepted", report, sid, previous, key.area, change)


def record_unread(
    engine: Engine,
    report: Report,
    *,
    filename: str,
    size: int,
    submitted_by: str,
    source: str = "inbox",
    areas: dict[str, Area] | None = None,
    submitted_at: datetime | None = None,
) -> SubmissionResult:
    """Keep a file rejected before it could be read (too large) as a rejected submission.

    Its name, size and report are recorded, under the extract, organisation and
    quarter its name gives if it gives them; none of its content, and no hash.
    """
    key = None
    try:
        named, key = identify(filename, areas=areas)
        report.extract, report.organisation, report.period = (
            named.extract,
            named.organisation,
            named.period,
        )
    except ExtractRejected as bad_name:
        report.findings += bad_name.report.errors
    sid = load.record_unloaded(
        engine,
        key=key,
        filename=filename,
        content=b"",
        keep_content=False,
        status="rejected",
        report=report,
        submitted_by=submitted_by,
        source=source,
        submitted_at=submitted_at,
        size=size,
    )
    log.info("rejected %s unread as submission %s", filename, sid)
    return SubmissionResult("rejected", report, sid)


def _headline(engine: Engine, key: load.SubmissionKey) -> tuple[str, str, str, float | None]:
    """The first catalogue measure drawn from the key's extract, and its area value now."""
    measure = next(m for m in load_catalogue().values() if key.extract in m.sources)
    mv = db.measure_values
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(mv.c.value).where(
                mv.c.area == key.area,
                mv.c.measure_id == measure.id,
                mv.c.period == key.period,
                mv.c.breakdown == "all",
            )
        ).scalar()
    return measure.id, measure.title, measure.unit, value


def _change(
    engine: Engine,
    key: load.SubmissionKey,
    *,
    before: tuple[str, str, str, float | None],
    previous: int | None,
    rows: int,
) -> Change:
    replaced_rows = load.get_submission(engine, previous)["row_count"] if previous else None
    _, title, unit, after = _headline(engine, key)
    return Change(previous, replaced_rows, rows, title, unit, before[3], after)


def _resubmitted(
    engine: Engine,
    earlier_id: int,
    *,
    key: load.SubmissionKey,
    content: bytes,
    filename: str,
    submitted_by: str,
    source: str,
    areas: dict[str, Area],
    recompute: Recompute | None,
    submitted_at: datetime | None,
) -> SubmissionResult:
    """The same bytes again: a no-op if current, else the earlier submission comes back."""
    earlier = load.get_submission(engine, earlier_id)
    report = Report.from_dict(json.loads(earlier["report"]))
    report.filename = filename
    current = load.current_for(engine, key)
    if current is not None and current["id"] == earlier_id:
        report.warn(
            "duplicate",
            f"This file is identical to submission {earlier_id}, which "
            "is already loaded and current; nothing was changed",
        )
        sid = load.record_unloaded(
            engine,
            key=key,
            filename=filename,
            content=content,
            keep_content=False,
            status="duplicate",
            report=report,
            submitted_by=submitted_by,
            source=source,
            submitted_at=submitted_at,
        )
        return SubmissionResult("duplicate", report, sid)
    before = None if recompute else _headline(engine, key)
    previous = load.revert(engine, earlier_id, actor=submitted_by)
    report.warn(
        "reinstated",
        f"This file is identical to earlier submission {earlier_id}; "
        "that submission is current again and nothing was loaded twice",
    )
    if recompute is not None:
        recompute.add(key.area)
        return SubmissionResult("reinstated", report, earlier_id, previous, key.area)
    recompute_area(engine, key.area, area=areas[key.area])
    change = _change(engine, key, before=before, previous=previous, rows=report.row_count)
    return SubmissionResult("reinstated", report, earlier_id, previous, key.area, change)


def revert(engine: Engine, submission_id: int, *, actor: str) -> int | None:
    """Make an earlier accepted submission current again and recompute its area.

    Returns the id of the submission it replaced (None if the key had none).
    """
    previous = load.revert(engine, submission_id, actor=actor)
    recompute_area(engine, load.get_submission(engine, submission_id)["area"])
    return previous


def withdraw(
    engine: Engine, submission_id: int, *, actor: str, reason: str, restore_previous: bool = False
) -> Withdrawal:
    """Withdraw a submission that should never have been loaded, then recompute its area.

    The key is left with no current submission, or with the latest earlier
    accepted one (`restore_previous`); the raw file stays in the history.
    """
    withdrawal = load.withdraw(
        engine, submission_id, actor=actor, reason=reason, restore_previous=restore_previous
    )
    recompute_area(engine, withdrawal.key.area)
    return withdrawal


def submission_report(engine: Engine, submission_id: int) -> dict:
    """One submission's validation report, as a dict; raises SubmissionNotFound."""
    return json.loads(load.get_submission(engine, submission_id)["report"])

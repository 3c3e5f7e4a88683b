"""The flow of one extract, described once: read -> validate -> load -> compute -> publish.

1. **Identify**: the file name (or the uploader's choice) says which extract,
   organisation and quarter it is; the organisation must belong to a
   configured area and the quarter must have ended.
2. **Recognise**: bytes identical to what is already current for that
   extract, organisation and quarter are recorded as a duplicate and not
   loaded again; identical to an earlier accepted submission, that one is
   made current again.
3. **Read**: CSV or XLSX into a table of strings with file row numbers.
4. **Guard**: a file holding direct identifiers is rejected before any of its
   content is stored (only its hash, name and report are kept).
5. **Validate**: the extract's Great Expectations suite; any failed
   expectation rejects the whole file, which is kept with its report.
6. **Load**: an accepted file goes in one transaction and supersedes the
   previous current submission; nothing is ever deleted.
7. **Compute**: the area's measures are recomputed from the current rows
   (the rows just loaded are handed over in memory, not read back).
8. **Publish**: an admin publishes a quarter (see `measures.storage.publishing`).

`submit` is the single entry point used by the inbox job, the CLI and the
dashboard's upload page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from carers_impact.extracts import get_extract
from carers_impact.periods import InvalidPeriod, Quarter
from etl import load
from etl.load import CannotRevert, SubmissionNotFound
from etl.naming import BadFileName, parse_file_name
from etl.report import ExtractRejected, Report
from measures.domain.area_files import load_areas
from measures.domain.areas import Area
from measures.storage.values import keep_loaded_rows

__all__ = [
    "BadFileName",
    "CannotRevert",
    "SubmissionNotFound",
    "SubmissionResult",
    "check_file",
    "identify",
    "parse_file_name",
    "revert",
    "submission_report",
    "submit",
]

log = logging.getLogger(__name__)

CONTENT_NOT_KEPT = {"personal_data", "file_too_large"}
"""Rejections whose file content is not stored: only its hash, name and report."""


@dataclass(frozen=True)
class SubmissionResult:
    """What became of one file."""

    status: str  # accepted, rejected, duplicate, reinstated
    report: Report
    submission_id: int | None
    superseded_id: int | None = None
    area: str | None = None  # set when the file changed an area's current rows

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


def check_file(
    content: bytes, *, key: load.SubmissionKey, report: Report, areas: dict[str, Area] | None = None
) -> pd.DataFrame:
    """Read, guard and validate a file without storing anything.

    Returns the typed rows, ready to load; raises ExtractRejected with the
    report when the file cannot be loaded.
    """
    from etl.guard import check_personal_data
    from etl.read import read_table, select_extract_columns
    from etl.validate import to_typed, validate_frame

    areas = areas if areas is not None else load_areas()
    spec = get_extract(key.extract)
    raw = read_table(content, filename=report.filename, extract=spec, report=report)
    check_personal_data(raw, report=report)
    if not report.ok:
        raise ExtractRejected(report)
    frame = select_extract_columns(raw, extract=spec, report=report)
    report.row_count = len(frame)
    frame = validate_frame(
        frame,
        extract=spec,
        quarter=Quarter.parse(key.period),
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
    on_loaded: Callable[[Engine, str], None] | None = None,
) -> SubmissionResult:
    """Check one file and, if it passes, load it as the current submission."""
    areas = areas if areas is not None else load_areas()
    key = None
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
            return _resubmitted(
                engine,
                same["id"],
                key=key,
                content=content,
                filename=filename,
                submitted_by=submitted_by,
                source=source,
                on_loaded=on_loaded,
            )
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
        )
        log.info("rejected %s as submission %s", filename, sid)
        return SubmissionResult("rejected", report, sid)
    sid, previous = load.load_accepted(
        engine,
        key=key,
        frame=rows,
        filename=filename,
        content=content,
        report=report,
        submitted_by=submitted_by,
        source=source,
    )
    log.info("loaded %s as submission %s (%s rows)", filename, sid, report.row_count)
    keep_loaded_rows(engine, submission_id=sid, extract=key.extract, sha256=digest, rows=rows)
    if on_loaded:
        on_loaded(engine, key.area)
    return SubmissionResult("accepted", report, sid, previous, key.area)


def _resubmitted(
    engine: Engine,
    earlier_id: int,
    *,
    key: load.SubmissionKey,
    content: bytes,
    filename: str,
    submitted_by: str,
    source: str,
    on_loaded: Callable[[Engine, str], None] | None,
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
        )
        return SubmissionResult("duplicate", report, sid)
    previous = load.revert(engine, earlier_id, actor=submitted_by)
    report.warn(
        "reinstated",
        f"This file is identical to earlier submission {earlier_id}; "
        "that submission is current again and nothing was loaded twice",
    )
    if on_loaded:
        on_loaded(engine, key.area)
    return SubmissionResult("reinstated", report, earlier_id, previous, key.area)


def revert(engine: Engine, submission_id: int, *, actor: str) -> int | None:
    """Make an earlier accepted submission current again and recompute its area.

    Returns the id of the submission it replaced (None if the key had none).
    """
    from measures.storage.values import recompute_area

    previous = load.revert(engine, submission_id, actor=actor)
    recompute_area(engine, load.get_submission(engine, submission_id)["area"])
    return previous


def submission_report(engine: Engine, submission_id: int) -> dict:
    """One submission's validation report, as a dict; raises SubmissionNotFound."""
    return json.loads(load.get_submission(engine, submission_id)["report"])

"""The inbox: every file dropped in it is submitted once, then filed away.

Accepted (and duplicate) files move to `processed/`, rejected ones to
`rejected/`, each with its report beside it as `<file>.report.txt`.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from carers_impact import settings
from etl import validate
from etl.pipeline import Recompute, SubmissionResult, recompute_stale, submit
from etl.report import Report
from measures.domain.area_files import load_areas
from measures.domain.areas import Area

log = logging.getLogger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"


@dataclass
class InboxRun:
    """What one pass over the inbox did."""

    results: list[tuple[Path, SubmissionResult]] = field(default_factory=list)
    recomputed: list[str] = field(default_factory=list)  # areas recomputed after the pass

    @property
    def failed(self) -> list[tuple[Path, SubmissionResult]]:
        return [(p, r) for p, r in self.results if r.status == "failed"]

    @property
    def rejected(self) -> list[tuple[Path, SubmissionResult]]:
        return [(p, r) for p, r in self.results if r.status == "rejected"]

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for _, result in self.results:
            counts[result.status] = counts.get(result.status, 0) + 1
        if not counts:
            return "No files in the inbox."
        return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _failed(path: Path, exc: Exception) -> SubmissionResult:
    report = Report(filename=path.name)
    report.error(
        "load_failed",
        f"the file could not be stored ({type(exc).__name__}: {exc}); "
        "nothing from it was loaded and it stays in the inbox to be tried again",
    )
    return SubmissionResult("failed", report, None)


def inbox_dir() -> Path:
    return Path(settings.get("CARERS_INBOX"))


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, oldest name first; hidden and partial files skipped."""
    if not inbox.is_dir():
        return []
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file()
        and not p.name.startswith((".", "~$"))
        and not p.name.endswith((".report.txt", ".part", ".tmp"))
    )


def _arrival(path: Path) -> datetime:
    """When a file was put in the inbox: its modification time, never later than now."""
    return min(datetime.fromtimestamp(path.stat().st_mtime, UTC), datetime.now(UTC))


def _file_away(path: Path, folder: Path, report_text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.move(str(path), target)
    target.with_name(target.name + ".report.txt").write_text(report_text + "\n", encoding="utf-8")
    return target


def process_inbox(
    engine: Engine,
    inbox: Path | None = None,
    *,
    submitted_by: str = "inbox",
    areas: dict[str, Area] | None = None,
    files: list[Path] | None = None,
) -> InboxRun:
    """Submit every file in the inbox once and file it under processed/ or rejected/.

    `files` gives an explicit order (e.g. a correction after the file it
    corrects); by default, every pending file in name order. Each area whose
    rows changed is recomputed once, after the whole pass, as is any area a
    process killed earlier left out of date.
    """
    inbox = inbox or inbox_dir()
    areas = areas if areas is not None else load_areas()  # once, not for every file
    run = InboxRun()
    paths = files if files is not None else pending_files(inbox)
    if paths:
        validate.prepare_in_background()
    recompute = Recompute()
    for path in paths:
        try:
            arrived = _arrival(path)
            result = submit(
                engine,
                path.read_bytes(),
                filename=path.name,
                submitted_by=submitted_by,
                source="inbox",
                areas=areas,
                recompute=recompute,
                submitted_at=arrived,
            )
        except Exception as exc:  # a database fault: leave the file for the next run
            log.exception("could not store %s", path.name)
            run.results.append((path, _failed(path, exc)))
            continue
        folder = inbox / (REJECTED if result.status == "rejected" else PROCESSED)
        _file_away(path, folder, result.report.to_text())
        run.results.append((path, result))
        log.info("%s: %s", path.name, result.status)
    run.recomputed = recompute.run(engine, areas=areas)
    run.recomputed += [a for a in recompute_stale(engine, areas=areas) if a not in run.recomputed]
    return run

"""The inbox: every file dropped in it is submitted once, then filed away.

Accepted (and duplicate) files move to `processed/`, rejected ones to
`rejected/`, each with its report beside it as `<file>.report.txt`.

Only regular files are taken, looked at without following links and opened
with ``O_NOFOLLOW``: a symbolic link, device, pipe or socket is filed under
`rejected/` unread. A file is taken only once its size and modification time
have stayed the same for CARERS_INBOX_SETTLE_SECONDS (a file still being
copied waits for a later pass), and each pass claims a file by renaming it
into `processing/<host>-<pid>/` first, so two passes at once never take the
same file. A claim left by a process that died is given back to the inbox by
the next pass on the same host.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import stat
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from carers_impact import settings
from etl import validate
from etl.pipeline import Recompute, SubmissionResult, recompute_stale, record_unread, submit
from etl.read import read_descriptor
from etl.report import ExtractRejected, Report
from measures.domain.area_files import load_areas
from measures.domain.areas import Area

log = logging.getLogger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"
PROCESSING = "processing"
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


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


def _waiting(name: str) -> bool:
    """A name the inbox takes: not hidden, not a report, not a partial download."""
    return not name.startswith((".", "~$")) and not name.endswith((".report.txt", ".part", ".tmp"))


def pending_files(inbox: Path) -> list[Path]:
    """Entries waiting in the inbox, by name; folders, hidden and partial files skipped.

    Links are not followed: a symbolic link is listed (to be filed away unread),
    never the file it points to.
    """
    if not inbox.is_dir():
        return []
    with os.scandir(inbox) as entries:
        return sorted(
            inbox / e.name
            for e in entries
            if not e.is_dir(follow_symlinks=False) and _waiting(e.name)
        )


def _kind(mode: int) -> str | None:
    """What a non-regular inbox entry is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a device, pipe or socket"


def _signature(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns


def _settled(
    paths: list[Path], *, settle: float
) -> tuple[dict[Path, os.stat_result], list[tuple[Path, str]]]:
    """({regular file unchanged for `settle` seconds: its status}, [(entry, kind) of others]).

    A file last changed longer ago than that is taken at once; younger ones are
    looked at again after one wait, and taken if their size and modification
    time have not moved.
    """
    regular: dict[Path, os.stat_result] = {}
    other: list[tuple[Path, str]] = []
    for path in paths:
        try:
            st = path.lstat()
        except FileNotFoundError:  # taken by another pass
            continue
        kind = _kind(st.st_mode)
        if kind:
            other.append((path, kind))
        else:
            regular[path] = st
    young = {p: st for p, st in regular.items() if time.time() - st.st_mtime < settle}
    if young:
        time.sleep(settle)
        for path, st in young.items():
            try:
                again = path.lstat()
            except FileNotFoundError:
                again = None
            if again is None or _signature(again) != _signature(st) or _kind(again.st_mode):
                log.info("%s is still changing; left for a later pass", path.name)
                del regular[path]
    return regular, other


def _claims(inbox: Path) -> Path:
    """This process's claim folder."""
    return inbox / PROCESSING / f"{socket.gethostname()}-{os.getpid()}"


def _recover_claims(inbox: Path) -> None:
    """Give back to the inbox the files claimed by processes of this host that died."""
    folder = inbox / PROCESSING
    if not folder.is_dir():
        return
    host = socket.gethostname()
    for claim in folder.iterdir():
        owner, _, pid = claim.name.rpartition("-")
        if owner != host or not pid.isdigit() or claim.is_symlink() or not claim.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # alive, another user's
        for path in claim.iterdir():
            target = inbox / path.name
            if not target.exists():
                os.rename(path, target)
                log.warning("%s given back to the inbox: its pass stopped", path.name)
        with contextlib.suppress(OSError):  # a name that clashed stays claimed
            claim.rmdir()


def _claim(path: Path, claims: Path) -> Path | None:
    """Move the file into this process's claim folder; None if another pass took it."""
    claims.mkdir(parents=True, exist_ok=True)
    target = claims / path.name
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    return target


def _arrival(st: os.stat_result) -> datetime:
    """When a file was put in the inbox: its modification time, never later than now."""
    return min(datetime.fromtimestamp(st.st_mtime, UTC), datetime.now(UTC))


def _write_report(path: Path, text: str) -> None:
    fd = os.open(path, _WRITE_FLAGS, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")


def _file_away(path: Path, folder: Path, name: str, report_text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.exists() or target.is_symlink():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        stem, dot, suffix = name.rpartition(".")
        target = folder / (f"{stem}.{stamp}.{suffix}" if dot else f"{name}.{stamp}")
    os.rename(path, target)
    _write_report(target.with_name(target.name + ".report.txt"), report_text)
    return target


def _not_regular(name: str, kind: str) -> SubmissionResult:
    report = Report(filename=name)
    report.error(
        "not_a_file",
        f"this is {kind}, not a file, so nothing was read from it; put the extract itself "
        "in the inbox",
    )
    return SubmissionResult("rejected", report, None)


TOO_LARGE = "the file is too large to {step} in the memory available; split it or save it as CSV"


def _submit_claimed(
    engine: Engine,
    claimed: Path,
    *,
    name: str,
    seen: os.stat_result,
    submitted_by: str,
    areas: dict[str, Area],
    recompute: Recompute,
) -> SubmissionResult | None:
    """Submit a claimed file from its descriptor; None if it changed since it settled."""
    try:
        fd = os.open(claimed, _OPEN_FLAGS)
    except OSError:
        if claimed.is_symlink():  # a link put in its place since it was looked at
            return _not_regular(name, "a symbolic link")
        raise  # e.g. no permission to read it: left in the inbox, reported as failed
    with os.fdopen(fd, "rb", buffering=0):
        st = os.fstat(fd)
        kind = _kind(st.st_mode)
        if kind:
            return _not_regular(name, kind)
        if _signature(st) != _signature(seen):
            return None
        arrived = _arrival(st)

        def unread(report: Report) -> SubmissionResult:
            return record_unread(
                engine,
                report,
                filename=name,
                size=st.st_size,
                submitted_by=submitted_by,
                source="inbox",
                areas=areas,
                submitted_at=arrived,
            )

        report = Report(filename=name)
        try:
            content = read_descriptor(fd, report=report)
        except (ExtractRejected, MemoryError) as rejected:
            if isinstance(rejected, MemoryError):
                report.error("file_too_large", TOO_LARGE.format(step="read"))
            return unread(report)
        if _signature(os.fstat(fd)) != _signature(st):
            return None  # written to while being read
    try:
        return submit(
            engine,
            content,
            filename=name,
            submitted_by=submitted_by,
            source="inbox",
            areas=areas,
            recompute=recompute,
            submitted_at=arrived,
        )
    except MemoryError:
        report = Report(filename=name)
        report.error("file_too_large", TOO_LARGE.format(step="check"))
        del content
        return unread(report)


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
    _recover_claims(inbox)
    paths, others = _settled(
        files if files is not None else pending_files(inbox),
        settle=settings.get_seconds("CARERS_INBOX_SETTLE_SECONDS"),
    )
    claims = _claims(inbox)
    for path, kind in others:
        if (claimed := _claim(path, claims)) is not None:
            result = _not_regular(path.name, kind)
            _file_away(claimed, inbox / REJECTED, path.name, result.report.to_text())
            run.results.append((path, result))
    if paths:
        validate.prepare_in_background()
    recompute = Recompute()
    for path, seen in paths.items():
        claimed = _claim(path, claims)
        if claimed is None:
            continue  # another pass took it
        try:
            result = _submit_claimed(
                engine,
                claimed,
                name=path.name,
                seen=seen,
                submitted_by=submitted_by,
                areas=areas,
                recompute=recompute,
            )
        except Exception as exc:  # a database fault: leave the file for the next run
            log.exception("could not store %s", path.name)
            run.results.append((path, _failed(path, exc)))
            os.rename(claimed, path)
            continue
        if result is None:
            log.info("%s changed while it was read; left for a later pass", path.name)
            os.rename(claimed, path)
            continue
        folder = inbox / (REJECTED if result.status == "rejected" else PROCESSED)
        _file_away(claimed, folder, path.name, result.report.to_text())
        run.results.append((path, result))
        log.info("%s: %s", path.name, result.status)
    run.recomputed = recompute.run(engine, areas=areas)
    run.recomputed += [a for a in recompute_stale(engine, areas=areas) if a not in run.recomputed]
    return run

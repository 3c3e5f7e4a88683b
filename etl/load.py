"""Writing submissions: accepted rows in one transaction, supersede, revert, history.

Accepted rows of every submission stay in the record tables for good; which
submission counts for an (extract, organisation, quarter) is held in
`current_submissions`, so superseding and reverting only move that pointer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from carers_impact import db
from carers_impact.errors import UserError
from carers_impact.extracts import get_extract
from etl.report import Report
from measures.storage.values import mark_stale

CHUNK_ROWS = 50_000


class SubmissionNotFound(UserError, LookupError):
    """No submission with that id."""


class CannotRevert(UserError, ValueError):
    """A revert that makes no sense: a rejected submission, or one already current."""


class CannotWithdraw(UserError, ValueError):
    """A withdrawal that makes no sense: a submission that is not the current one."""


@dataclass(frozen=True)
class SubmissionKey:
    extract: str
    organisation: str
    period: str
    area: str


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def _insert_submission(
    conn: Connection,
    *,
    key: SubmissionKey | None,
    filename: str,
    digest: str,
    size: int,
    content: bytes | None,
    status: str,
    report: Report,
    submitted_by: str,
    source: str,
    at: datetime,
) -> int:
    values = {
        "extract": key.extract if key else report.extract,
        "organisation": key.organisation if key else report.organisation,
        "area": key.area if key else None,
        "period": key.period if key else report.period,
        "filename": filename[:255],
        "sha256": digest,
        "size_bytes": size,
        "content": content,
        "status": status,
        "row_count": report.row_count,
        "submitted_by": submitted_by,
        "submitted_at": at,
        "source": source,
        "report": report.to_json(),
    }
    result = conn.execute(sa.insert(db.submissions).values(**values))
    return int(result.inserted_primary_key[0])


def _event(
    conn: Connection, submission_id: int, action: str, actor: str, at: datetime, detail: str = ""
) -> None:
    conn.execute(
        sa.insert(db.submission_events).values(
            submission_id=submission_id, action=action, actor=actor, at=at, detail=detail
        )
    )


def record_unloaded(
    engine: Engine,
    *,
    key: SubmissionKey | None,
    filename: str,
    content: bytes,
    keep_content: bool,
    status: str,
    report: Report,
    submitted_by: str,
    source: str,
    submitted_at: datetime | None = None,
    size: int | None = None,
) -> int:
    """Keep a rejected or duplicate submission in the history; loads no rows.

    `size` is given for a file rejected unread: its `content` is then empty and
    no hash is recorded (an empty `sha256`).
    """
    at = submitted_at or now()
    with engine.begin() as conn:
        sid = _insert_submission(
            conn,
            key=key,
            filename=filename,
            digest=sha256(content) if size is None else "",
            size=len(content) if size is None else size,
            content=content if keep_content and size is None else None,
            status=status,
            report=report,
            submitted_by=submitted_by,
            source=source,
            at=at,
        )
        _event(
            conn, sid, status, submitted_by, at, report.errors[0].message if report.errors else ""
        )
    return sid


def _row_tuples(frame: pd.DataFrame, columns: list[str], submission_id: int) -> list[tuple]:
    """Rows as tuples of plain Python values (None for missing); dates as ISO text."""
    values: list[list] = [[submission_id] * len(frame), frame["_row"].astype(int).tolist()]
    for name in columns:
        col = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)
        if pd.api.types.is_datetime64_any_dtype(col):
            col = col.dt.strftime("%Y-%m-%d")
        values.append(col.astype(object).where(col.notna(), None).tolist())
    return list(zip(*values, strict=True))


def load_accepted(
    engine: Engine,
    *,
    key: SubmissionKey,
    frame: pd.DataFrame,
    filename: str,
    content: bytes,
    report: Report,
    submitted_by: str,
    source: str,
    submitted_at: datetime | None = None,
) -> tuple[int, int | None]:
    """Store an accepted file and make it current, all in one transaction.

    Returns (submission id, id of the submission it superseded or None). Any
    failure rolls the whole file back: the database is left as it was.
    """
    extract = get_extract(key.extract)
    table = db.record_tables[extract.name]
    columns = list(extract.column_names)
    at = submitted_at or now()
    with engine.begin() as conn:
        sid = _insert_submission(
            conn,
            key=key,
            filename=filename,
            digest=sha256(content),
            size=len(content),
            content=content,
            status="accepted",
            report=report,
            submitted_by=submitted_by,
            source=source,
            at=at,
        )
        _event(conn, sid, "accepted", submitted_by, at, f"{report.row_count} rows loaded")
        for start in range(0, len(frame), CHUNK_ROWS):  # tuples a chunk at a time: less memory
            chunk = frame.iloc[start : start + CHUNK_ROWS]
            db.bulk_insert(conn, table, _row_tuples(chunk, columns, sid))
        previous = _set_current(conn, key=key, submission_id=sid, actor=submitted_by, at=at)
        if previous is not None:
            _event(
                conn, previous, "superseded", submitted_by, at, f"superseded by submission {sid}"
            )
        mark_stale(conn, key.area, reason=f"submission {sid} loaded")
    return sid, previous


def _set_current(
    conn: Connection, *, key: SubmissionKey, submission_id: int, actor: str, at: datetime
) -> int | None:
    """Point the key at a submission; returns the one it pointed at before.

    Two submissions for the same key at the same moment queue here (an advisory
    lock on PostgreSQL; SQLite already allows one writer), so exactly one ends
    up current and the other is recorded as superseded.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.select(
                sa.func.pg_advisory_xact_lock(
                    sa.func.hashtext(f"current:{key.extract}:{key.organisation}:{key.period}")
                )
            )
        )
    table = db.current_submissions
    where = (
        (table.c.extract == key.extract)
        & (table.c.organisation == key.organisation)
        & (table.c.period == key.period)
    )
    previous = conn.execute(sa.select(table.c.submission_id).where(where)).scalar()
    conn.execute(
        _upsert(
            conn,
            table,
            {
                "extract": key.extract,
                "organisation": key.organisation,
                "period": key.period,
                "area": key.area,
                "submission_id": submission_id,
                "updated_at": at,
                "updated_by": actor,
            },
        )
    )
    return previous


def _upsert(conn: Connection, table: sa.Table, values: dict):
    """INSERT that updates on a key clash, so two first submissions can't both insert."""
    keys = [c.name for c in table.primary_key.columns]
    return (
        db.dialect_insert(conn, table)
        .values(**values)
        .on_conflict_do_update(
            index_elements=keys, set_={k: v for k, v in values.items() if k not in keys}
        )
    )


def current_for(engine: Engine, key: SubmissionKey) -> dict | None:
    """The current submission (as a mapping) for a key, or None."""
    cs, s = db.current_submissions, db.submissions
    query = (
        sa.select(s)
        .join(cs, cs.c.submission_id == s.c.id)
        .where(
            cs.c.extract == key.extract,
            cs.c.organisation == key.organisation,
            cs.c.period == key.period,
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def find_by_hash(engine: Engine, key: SubmissionKey, digest: str) -> dict | None:
    """The latest accepted submission of the same bytes for the same key, if any."""
    s = db.submissions
    query = (
        sa.select(s.c.id, s.c.status)
        .where(
            s.c.sha256 == digest,
            s.c.extract == key.extract,
            s.c.organisation == key.organisation,
            s.c.period == key.period,
            s.c.status == "accepted",
        )
        .order_by(s.c.id.desc())
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def get_submission(engine: Engine, submission_id: int) -> dict:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(db.submissions).where(db.submissions.c.id == submission_id))
            .mappings()
            .first()
        )
    if row is None:
        raise SubmissionNotFound(f"There is no submission {submission_id}")
    return dict(row)


def revert(engine: Engine, submission_id: int, *, actor: str) -> int | None:
    """Make an earlier accepted submission current again; returns the one it replaced."""
    row = get_submission(engine, submission_id)
    if row["status"] != "accepted":
        raise CannotRevert(
            f"Submission {submission_id} was {row['status']}, so it has no rows to go back to; "
            "choose an accepted submission"
        )
    key = SubmissionKey(row["extract"], row["organisation"], row["period"], row["area"])
    at = now()
    with engine.begin() as conn:
        previous = _set_current(conn, key=key, submission_id=submission_id, actor=actor, at=at)
        if previous == submission_id:
            raise CannotRevert(f"Submission {submission_id} is already the current one")
        _event(
            conn,
            submission_id,
            "reverted",
            actor,
            at,
            f"made current again in place of submission {previous}",
        )
        if previous is not None:
            _event(
                conn,
                previous,
                "superseded",
                actor,
                at,
                f"replaced by revert to submission {submission_id}",
            )
        mark_stale(conn, key.area, reason=f"reverted to submission {submission_id}")
    return previous


@dataclass(frozen=True)
class Withdrawal:
    """What a withdrawal did: the submission withdrawn and what is current now."""

    submission_id: int
    key: SubmissionKey
    restored_id: int | None  # the earlier submission made current, or None


def withdraw(
    engine: Engine, submission_id: int, *, actor: str, reason: str, restore_previous: bool
) -> Withdrawal:
    """Withdraw the current submission of a key that should never have been loaded.

    The key then has no current submission, or (`restore_previous`) the latest
    earlier accepted one. The submission keeps its raw file and rows in the
    history, with status ``withdrawn`` and an event naming the admin and reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CannotWithdraw(
            "Say why the submission is withdrawn (for example: loaded under the wrong quarter)"
        )
    at = now()
    s, cs = db.submissions, db.current_submissions
    with engine.begin() as conn:
        db.serialise(conn, f"submission:{submission_id}")
        row = conn.execute(sa.select(s).where(s.c.id == submission_id)).mappings().first()
        if row is None:
            raise SubmissionNotFound(f"There is no submission {submission_id}")
        if row["status"] != "accepted":
            raise CannotWithdraw(
                f"Submission {submission_id} is {row['status']}; only the current accepted "
                "submission of a quarter can be withdrawn"
            )
        key = SubmissionKey(row["extract"], row["organisation"], row["period"], row["area"])
        where = (
            (cs.c.extract == key.extract)
            & (cs.c.organisation == key.organisation)
            & (cs.c.period == key.period)
        )
        current = conn.execute(sa.select(cs.c.submission_id).where(where)).scalar()
        if current != submission_id:
            now_current = f"submission {current} is" if current else "nothing is"
            raise CannotWithdraw(
                f"Submission {submission_id} is not the current one for {key.extract} "
                f"{key.organisation} {key.period} ({now_current} current); revert to it first "
                "if it is the one to withdraw"
            )
        restored = None
        if restore_previous:
            restored = conn.execute(
                sa.select(s.c.id)
                .where(
                    s.c.extract == key.extract,
                    s.c.organisation == key.organisation,
                    s.c.period == key.period,
                    s.c.status == "accepted",
                    s.c.id != submission_id,
                )
                .order_by(s.c.id.desc())
            ).scalar()
            if restored is None:
                raise CannotWithdraw(
                    f"There is no earlier accepted submission of {key.extract} "
                    f"{key.organisation} {key.period} to go back to; withdraw it without one"
                )
        conn.execute(sa.update(s).where(s.c.id == submission_id).values(status="withdrawn"))
        _event(conn, submission_id, "withdrawn", actor, at, reason)
        if restored is None:
            conn.execute(sa.delete(cs).where(where))
        else:
            _set_current(conn, key=key, submission_id=restored, actor=actor, at=at)
            _event(
                conn,
                restored,
                "reinstated",
                actor,
                at,
                f"current again after {submission_id} was withdrawn",
            )
        mark_stale(conn, key.area, reason=f"submission {submission_id} withdrawn")
    return Withdrawal(submission_id, key, restored)


def history(
    engine: Engine,
    *,
    organisation: str | None = None,
    extract: str | None = None,
    period: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Submissions, newest first, with whether each is the current one."""
    s, cs = db.submissions, db.current_submissions
    query = (
        sa.select(
            s.c.id,
            s.c.submitted_at,
            s.c.extract,
            s.c.organisation,
            s.c.area,
            s.c.period,
            s.c.filename,
            s.c.status,
            s.c.row_count,
            s.c.submitted_by,
            s.c.source,
            s.c.sha256,
            (cs.c.submission_id.is_not(None)).label("current"),
        )
        .outerjoin(cs, cs.c.submission_id == s.c.id)
        .order_by(s.c.id.desc())
        .limit(limit)
    )
    if organisation:
        query = query.where(s.c.organisation == organisation.upper())
    if extract:
        query = query.where(s.c.extract == extract)
    if period:
        query = query.where(s.c.period == period)
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(query).mappings().all(), columns=[c.name for c in query.selected_columns]
        )

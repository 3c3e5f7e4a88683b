"""The database: engine, tables and migrations.

One setting (`CARERS_DB_URL`) picks the database: a SQLite file by default,
PostgreSQL in production; nothing else changes. The schema is created and
upgraded only by the Alembic migrations in `carers_impact/migrations`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import settings
from carers_impact.extracts import EXTRACTS, Column, Extract, is_numeric

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = sa.DateTime(timezone=True)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("extract", sa.String(20), nullable=True),
    sa.Column("organisation", sa.String(20), nullable=True),
    sa.Column("area", sa.String(40), nullable=True),
    sa.Column("period", sa.String(12), nullable=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=True),  # None when it held personal data
    sa.Column("status", sa.String(12), nullable=False),  # accepted, rejected, duplicate, withdrawn
    sa.Column("row_count", sa.Integer, nullable=False, default=0),
    sa.Column("submitted_by", sa.String(100), nullable=False),
    sa.Column("submitted_at", Timestamp, nullable=False),
    sa.Column("source", sa.String(20), nullable=False),  # upload, inbox, cli
    sa.Column("report", sa.Text, nullable=False),  # the Report as JSON
    sa.Index(
        "uq_submissions_accepted_sha256",
        "extract",
        "organisation",
        "period",
        "sha256",
        unique=True,
        sqlite_where=sa.text("status = 'accepted'"),
        postgresql_where=sa.text("status = 'accepted'"),
    ),  # the same bytes are accepted once per extract, organisation and quarter
)

current_submissions = sa.Table(
    "current_submissions",
    metadata,
    sa.Column("extract", sa.String(20), primary_key=True),
    sa.Column("organisation", sa.String(20), primary_key=True),
    sa.Column("period", sa.String(12), primary_key=True),
    sa.Column("area", sa.String(40), nullable=False, index=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
)

submission_events = sa.Table(
    "submission_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True
    ),
    sa.Column("action", sa.String(20), nullable=False),
    # accepted, rejected, duplicate, superseded, reverted, reinstated, withdrawn
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

job_runs = sa.Table(
    "job_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("job_id", sa.String(50), nullable=False, index=True),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    sa.Column("outcome", sa.String(12), nullable=False),  # running, success, failed, interrupted
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("runner", sa.String(100), nullable=False, server_default=""),  # host:pid
)

scheduler_lease = sa.Table(
    "scheduler_lease",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("holder", sa.String(100), nullable=False),  # host:pid of the running scheduler
    sa.Column("expires_at", Timestamp, nullable=False),
)
"""Which scheduler process may run jobs: a second one started by mistake waits."""

published_periods = sa.Table(
    "published_periods",
    metadata,
    sa.Column("area", sa.String(40), primary_key=True),
    sa.Column("period", sa.String(12), primary_key=True),
    sa.Column("published_at", Timestamp, nullable=False),  # the latest publication
    sa.Column("published_by", sa.String(100), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="published"),
    # published, withdrawn
    sa.Column("first_published_at", Timestamp, nullable=True),
    sa.Column("revised_at", Timestamp, nullable=True),
    sa.Column("revision_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("override_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("withdrawn_at", Timestamp, nullable=True),
    sa.Column("withdrawal_notice", sa.Text, nullable=False, server_default=""),
    sa.Column("publication_id", sa.Integer, nullable=True),  # whose snapshot is public
)
"""Each quarter ever published, and its state now: what the public sees, from which snapshot."""

publications = sa.Table(
    "publications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("period", sa.String(12), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    # published, revised, withdrawn, scheduled, schedule_cancelled, schedule_failed
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("override_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("scheduled_for", Timestamp, nullable=True),
    sa.Index("ix_publications_area_period", "area", "period"),
)
"""Every publication action, for good: who, when and why."""

scheduled_publications = sa.Table(
    "scheduled_publications",
    metadata,
    sa.Column("area", sa.String(40), primary_key=True),
    sa.Column("period", sa.String(12), primary_key=True),
    sa.Column("publish_at", Timestamp, nullable=False),
    sa.Column("scheduled_by", sa.String(100), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("override_reason", sa.Text, nullable=False, server_default=""),
)
"""Publications waiting for their date and time (an embargo); the scheduler publishes them."""

stale_areas = sa.Table(
    "stale_areas",
    metadata,
    sa.Column("area", sa.String(40), primary_key=True),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("since", Timestamp, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
)
"""Areas whose current rows changed after their measures were last computed.

Written in the same transaction as the change (a load, revert or withdrawal)
and removed by the recompute that follows, so a process killed in between
leaves the mark, and whatever runs next recomputes the area.
"""


def _measure_key() -> list[sa.Column]:
    """The key of a stored figure: area, measure, period and breakdown cell."""
    return [
        sa.Column("area", sa.String(40), primary_key=True),
        sa.Column("measure_id", sa.String(60), primary_key=True),
        sa.Column("period", sa.String(12), primary_key=True),
        sa.Column("breakdown", sa.String(30), primary_key=True),
        sa.Column("breakdown_value", sa.String(100), primary_key=True),
    ]


measure_values = sa.Table(
    "measure_values",
    metadata,
    *_measure_key(),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("numerator", sa.Float, nullable=True),
    sa.Column("denominator", sa.Float, nullable=True),
    sa.Column("lower_ci", sa.Float, nullable=True),
    sa.Column("upper_ci", sa.Float, nullable=True),
    sa.Column("computed_at", Timestamp, nullable=False),
)


published_values = sa.Table(
    "published_values",
    metadata,
    sa.Column("publication_id", sa.Integer, primary_key=True),
    *_measure_key(),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("numerator", sa.Float, nullable=True),
    sa.Column("denominator", sa.Float, nullable=True),
    sa.Column("lower_ci", sa.Float, nullable=True),
    sa.Column("upper_ci", sa.Float, nullable=True),
)
"""The exact values of a quarter as they were when it was published (each publication kept).

The public table is made from these, so a late re-submission or a withdrawal
changes the internal figures at once but the public ones only when the quarter
is published again.
"""


public_measure_values = sa.Table(
    "public_measure_values",
    metadata,
    *_measure_key(),
    sa.Column("unit", sa.String(10), nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("lower_ci", sa.Float, nullable=True),
    sa.Column("upper_ci", sa.Float, nullable=True),
    sa.Column("suppressed", sa.Boolean, nullable=False),
    sa.Column("published_at", Timestamp, nullable=False),
)
"""Published quarters' public measures after disclosure control: all the public view reads."""

public_periods = sa.Table(
    "public_periods",
    metadata,
    sa.Column("area", sa.String(40), primary_key=True),
    sa.Column("period", sa.String(12), primary_key=True),
    sa.Column("status", sa.String(12), nullable=False),  # published, withdrawn
    sa.Column("first_published_at", Timestamp, nullable=False),
    sa.Column("published_at", Timestamp, nullable=False),
    sa.Column("revised_at", Timestamp, nullable=True),
    sa.Column("revision_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("withdrawn_at", Timestamp, nullable=True),
    sa.Column("withdrawal_notice", sa.Text, nullable=False, server_default=""),
)
"""What the public may know of each publication: dates, revisions and withdrawals (no names)."""


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=True),  # None: single sign-on only
    sa.Column("role", sa.String(12), nullable=False),  # viewer, uploader, admin
    sa.Column("organisations", sa.Text, nullable=False, default=""),  # comma-separated codes
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_login_at", Timestamp, nullable=True),
)

sign_in_throttle = sa.Table(
    "sign_in_throttle",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),  # name:<username> or device:<id>
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("pending", sa.Integer, nullable=False),  # attempts being checked now
    sa.Column("pending_since", Timestamp, nullable=True),
    sa.Column("locked_until", Timestamp, nullable=True),
    sa.Column("updated_at", Timestamp, nullable=False, index=True),
)
"""Failed sign-ins per name typed (known or not) and per trusted browser (throttle.py)."""

sign_in_sessions = sa.Table(
    "sign_in_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("ticket_expires_at", Timestamp, nullable=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # password, sso
    sa.Column("device_id", sa.String(64), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_seen_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Column("ended_at", Timestamp, nullable=True),
    sa.Column("ended_reason", sa.String(20), nullable=True),
)
"""Dashboard sign-ins, shared by every replica: carers_impact/sessions.py. Tokens as hashes only."""

signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)
"""The cookie-signing key when CARERS_SESSION_SECRET is not set: carers_impact/signing.py."""

commentary = sa.Table(
    "commentary",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("measure_id", sa.String(60), nullable=False),
    sa.Column("period", sa.String(12), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("written_at", Timestamp, nullable=False),
    sa.Index("ix_commentary_area_measure", "area", "measure_id"),
)

curve_stories = sa.Table(
    "curve_stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("measure_id", sa.String(60), nullable=False),
    sa.Column("period", sa.String(12), nullable=False),
    sa.Column("story", sa.Text, nullable=False),
    sa.Column("partners", sa.Text, nullable=False),  # JSON: [{"partner": ..., "role": ...}]
    sa.Column("what_works", sa.Text, nullable=False),
    sa.Column("actions", sa.Text, nullable=False),  # JSON: the area's action ids
    sa.Column("event", sa.Text, nullable=True),
    sa.Column("event_date", sa.Date, nullable=True),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("written_at", Timestamp, nullable=False),
    sa.Index("ix_curve_stories_area_measure", "area", "measure_id"),
)
"""The Results-Based Accountability turn-the-curve record of a measure's quarter."""

action_updates = sa.Table(
    "action_updates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("action_id", sa.String(60), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("written_at", Timestamp, nullable=False),
    sa.Index("ix_action_updates_area_action", "area", "action_id"),
)


def _column_type(column: Column) -> sa.types.TypeEngine:
    if column.kind == "date":
        return sa.Date()
    if is_numeric(column):
        return sa.Integer()
    return sa.String(100)


def _record_table(extract: Extract) -> sa.Table:
    """One table per extract type: the rows of every accepted submission, never changed.

    ``submission_id`` has no foreign key: rows are only ever written in the same
    transaction as their submission (``etl.load.load_accepted``) and neither is
    ever deleted, while PostgreSQL's per-row key check took 5.7 s of an 8.2 s
    COPY of a million rows (docs/benchmarks.md).
    """
    return sa.Table(
        f"{extract.name}_rows",
        metadata,
        sa.Column("submission_id", sa.Integer, primary_key=True),
        sa.Column("row_number", sa.Integer, primary_key=True),
        *(sa.Column(c.name, _column_type(c), nullable=True) for c in extract.columns),
    )


record_tables: dict[str, sa.Table] = {name: _record_table(e) for name, e in EXTRACTS.items()}

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def dialect_insert(conn: sa.Connection, table: sa.Table):
    """An INSERT with the database's ON CONFLICT clauses (PostgreSQL and SQLite alike)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def serialise(conn: sa.Connection, name: str) -> None:
    """Make the rest of this transaction wait for any other one that serialised on `name`.

    PostgreSQL: a transaction-level advisory lock on the name. SQLite allows one
    writer at a time, and a write statement (here one that changes nothing)
    takes that right at once, before the transaction reads anything.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(name))))
    else:
        conn.execute(
            sa.update(scheduler_lease)
            .where(scheduler_lease.c.name == "")
            .values(name=scheduler_lease.c.name)
        )


def read_frame(conn: sa.Connection, query: sa.Executable) -> pd.DataFrame:
    """A query's rows as a DataFrame of object columns holding the driver's values.

    The caller types the columns. Rows come straight from the driver's cursor
    a chunk at a time and are turned into columns chunk by chunk: SQLAlchemy's
    row objects and pandas' row-wise constructors (which infer a type cell by
    cell) each cost several times the query itself at a million rows. The
    selected columns must need no conversion by SQLAlchemy (text, numbers,
    dates cast to text), which holds for every query made here.
    """
    result = conn.execute(query)
    names = list(result.keys())
    parts: list[list[np.ndarray]] = [[] for _ in names]
    while rows := result.cursor.fetchmany(READ_CHUNK_ROWS):
        for part, values in zip(parts, zip(*rows, strict=True), strict=True):
            part.append(np.array(values, dtype=object))
    result.close()
    return pd.DataFrame(
        {
            name: pd.Series(np.concatenate(part) if part else [], dtype=object)
            for name, part in zip(names, parts, strict=True)
        },
        copy=False,
    )


READ_CHUNK_ROWS = 50_000


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: list[tuple]) -> None:
    """Insert many rows inside the connection's transaction, the fastest way each database has.

    Rows are tuples in the table's column order; datetimes for SQLite must
    already be text in SQLAlchemy's format (see `stored_timestamp`).

    PostgreSQL: COPY. SQLite: the driver's executemany with plain tuples. Both
    skip per-value processing in SQLAlchemy, which dominates at a million rows.
    """
    if not rows:
        return
    names = ", ".join(c.name for c in table.columns)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in table.columns)
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def stored_timestamp(conn: sa.Connection, moment: datetime) -> datetime | str:
    """A UTC time as `bulk_insert` must pass it: text on SQLite, as SQLAlchemy stores it."""
    if conn.dialect.name == "sqlite":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def make_engine(url: str | None = None) -> Engine:
    """An engine for the configured database (or `url`)."""
    url = url or settings.database_url()
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to the latest migration."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The newest migration shipped with this release."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

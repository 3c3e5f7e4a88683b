"""How many passwords may be tried for a name: slots taken before a password is checked.

Every attempt takes a slot in one atomic UPDATE *before* its password is
checked, and only while fewer than ``CARERS_LOGIN_ATTEMPTS`` failures and
attempts in progress are counted; so however many attempts arrive at once, no
more wrong passwords are checked than the limit. The failure that reaches the
limit pauses the key for ``CARERS_LOCKOUT_MINUTES``.

A key is a name typed at sign-in, whether or not an account has it (so a
pause says nothing about which names exist), or a browser that has signed in
to an account before (so strangers guessing at a name cannot shut out its
owner's browser: see ``accounts.authenticate``).

A right password clears the count, unless other attempts are still being
checked or the key is paused: those stand. A slot whose attempt never
finished (its process died) lapses after ``PENDING_LAPSE_SECONDS``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings

PENDING_LAPSE_SECONDS = 60
FORGET_AFTER = timedelta(days=2)
"""Rows of keys neither paused nor in use for this long are deleted."""


class Paused(Exception):
    """No slot: the key is paused until `until` (UTC)."""

    def __init__(self, until: datetime):
        self.until = until
        super().__init__(f"paused until {until.isoformat()}")


def account_key(username: str) -> str:
    return f"name:{username}"


def device_key(device_id: str) -> str:
    return f"device:{device_id}"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def reserve(engine: Engine, key: str, *, at: datetime) -> None:
    """Take a slot for one attempt, or raise Paused. Writes first, so SQLite locks at once."""
    table = db.sign_in_throttle
    limit = settings.get_int("CARERS_LOGIN_ATTEMPTS")
    row = table.c.key == key
    with engine.begin() as conn:
        conn.execute(
            db.dialect_insert(conn, table)
            .values(key=key, failures=0, pending=0, updated_at=at)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        conn.execute(
            sa.update(table)
            .where(row, table.c.locked_until <= at)
            .values(failures=0, locked_until=None)
        )
        conn.execute(
            sa.update(table)
            .where(
                row,
                table.c.pending > 0,
                table.c.pending_since < at - timedelta(seconds=PENDING_LAPSE_SECONDS),
            )
            .values(pending=0, pending_since=None)
        )
        taken = conn.execute(
            sa.update(table)
            .where(row, table.c.locked_until.is_(None), table.c.failures + table.c.pending < limit)
            .values(pending=table.c.pending + 1, pending_since=at, updated_at=at)
        ).rowcount
        if taken:
            return
        locked_until, pending_since = conn.execute(
            sa.select(table.c.locked_until, table.c.pending_since).where(row)
        ).one()
    # Paused, or every slot is taken by attempts being checked right now.
    until = _utc(locked_until) or (_utc(pending_since) or at) + timedelta(
        seconds=PENDING_LAPSE_SECONDS
    )
    raise Paused(until)


def fail(engine: Engine, key: str, *, at: datetime) -> datetime | None:
    """The attempt's password was wrong; returns the pause it started, if it reached the limit."""
    table = db.sign_in_throttle
    limit = settings.get_int("CARERS_LOGIN_ATTEMPTS")
    until = at + timedelta(minutes=settings.get_int("CARERS_LOCKOUT_MINUTES"))
    with engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.key == key)
            .values(
                failures=table.c.failures + 1,
                pending=sa.case((table.c.pending > 0, table.c.pending - 1), else_=0),
                locked_until=sa.case(
                    (table.c.failures + 1 >= limit, sa.func.coalesce(table.c.locked_until, until)),
                    else_=table.c.locked_until,
                ),
                updated_at=at,
            )
        )
        locked_until = conn.execute(
            sa.select(table.c.locked_until).where(table.c.key == key)
        ).scalar()
    return _utc(locked_until)


def succeed(engine: Engine, key: str, *, at: datetime) -> None:
    """The password was right: free the slot and, if nothing else is under way, clear the count."""
    table = db.sign_in_throttle
    alone = sa.and_(table.c.pending <= 1, table.c.locked_until.is_(None))
    with engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.key == key)
            .values(
                failures=sa.case((alone, 0), else_=table.c.failures),
                pending=sa.case((table.c.pending > 0, table.c.pending - 1), else_=0),
                updated_at=at,
            )
        )
        conn.execute(
            sa.delete(table).where(
                table.c.updated_at < at - FORGET_AFTER,
                table.c.pending == 0,
                sa.or_(table.c.locked_until.is_(None), table.c.locked_until < at),
            )
        )


def release(engine: Engine, key: str, *, at: datetime) -> None:
    """Free the attempt's slot without counting it (it ended before a password was judged)."""
    table = db.sign_in_throttle
    with engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.key == key)
            .values(
                pending=sa.case((table.c.pending > 0, table.c.pending - 1), else_=0), updated_at=at
            )
        )


def clear(conn: sa.Connection, key: str) -> None:
    """Forget a key's failures and pause (an administrator reset its password)."""
    conn.execute(sa.delete(db.sign_in_throttle).where(db.sign_in_throttle.c.key == key))


def state(conn: sa.Connection, key: str) -> tuple[int, datetime | None]:
    """(failures, paused until) for a key."""
    row = conn.execute(
        sa.select(db.sign_in_throttle.c.failures, db.sign_in_throttle.c.locked_until).where(
            db.sign_in_throttle.c.key == key
        )
    ).first()
    return (0, None) if row is None else (row.failures, _utc(row.locked_until))

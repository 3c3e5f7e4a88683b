"""Dashboard sign-ins kept in the database, so every replica and every browser tab shares them.

A session is a row of `sign_in_sessions`: whose it is, how it began (password
or single sign-on), when it was last used and when it must end. The browser
holds only a random token, in a signed cookie; the database keeps the token's
SHA-256, never the token. Each page view calls `resume`, which ends a session
idle for ``CARERS_SESSION_IDLE_MINUTES`` or older than
``CARERS_SESSION_MAX_HOURS``; signing out, deactivating the account or
resetting its password ends it at once (`end`, `end_all`).

A password session's cookie is set by the dashboard's own HTTP route in
exchange for a one-time ticket (`redeem`), never by JavaScript, so it can be
HttpOnly: see dashboard/README.md. The token is derived from the ticket with
the signing key, so the ticket is all the route needs and it is useless once
redeemed or a minute old.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings, signing

PASSWORD = "password"
SSO = "sso"

SIGNED_OUT = "signed out"
IDLE = "idle"
TIMED_OUT = "timed out"
DEACTIVATED = "deactivated"
PASSWORD_RESET = "password reset"
REASONS = (SIGNED_OUT, IDLE, TIMED_OUT, DEACTIVATED, PASSWORD_RESET)

TICKET_SECONDS = 60
TOUCH_SECONDS = 30
"""A session's last use is written at most this often (every page view would be every click)."""


class SessionEnded(Exception):
    """The session is over; `reason` is one of REASONS, or "unknown" for a token never issued."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class AlreadyStarted(Exception):
    """A session with that token exists already (two tabs began the same sign-on at once)."""


class TicketRefused(Exception):
    """A ticket that was never issued, is used up, or has expired."""


@dataclass(frozen=True)
class Session:
    id: int
    user_id: int
    kind: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    device_id: str | None


@dataclass(frozen=True)
class Started:
    token: str
    ticket: str | None  # exchanged for the cookie (password sessions only)
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.get_int("CARERS_SESSION_IDLE_MINUTES"))


def absolute_limit() -> timedelta:
    return timedelta(hours=settings.get_int("CARERS_SESSION_MAX_HOURS"))


def _token_for(engine: Engine, ticket: str) -> str:
    return signing.sign(engine, "session", ticket)


def start(
    engine: Engine,
    user_id: int,
    *,
    kind: str,
    token: str | None = None,
    device_id: str | None = None,
    at: datetime | None = None,
) -> Started:
    """Begin a session. A password session gets a ticket for its cookie; a single
    sign-on session is keyed by `token`, the identity provider sign-in's own cookie.
    """
    if kind not in (PASSWORD, SSO):
        raise ValueError(f"a session is begun by {PASSWORD!r} or {SSO!r}, not {kind!r}")
    at = at or _now()
    ticket = None
    if token is None:
        ticket = secrets.token_urlsafe(32)
        token = _token_for(engine, ticket)
    expires_at = at + absolute_limit()
    try:
        _insert(
            engine,
            token_hash=signing.digest(token),
            ticket_hash=signing.digest(ticket) if ticket else None,
            ticket_expires_at=at + timedelta(seconds=TICKET_SECONDS) if ticket else None,
            user_id=user_id,
            kind=kind,
            device_id=device_id,
            created_at=at,
            last_seen_at=at,
            expires_at=expires_at,
        )
    except sa.exc.IntegrityError:
        raise AlreadyStarted("a session with this token exists") from None
    return Started(token=token, ticket=ticket, expires_at=expires_at)


def _insert(engine: Engine, **values) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(db.sign_in_sessions).values(**values))


def _session(row) -> Session:
    return Session(
        id=row.id,
        user_id=row.user_id,
        kind=row.kind,
        created_at=_utc(row.created_at),
        last_seen_at=_utc(row.last_seen_at),
        expires_at=_utc(row.expires_at),
        device_id=row.device_id,
    )


def resume(engine: Engine, token: str, *, at: datetime | None = None) -> Session:
    """The live session for `token`, its use recorded; raises SessionEnded (ending it if due)."""
    at = at or _now()
    table = db.sign_in_sessions
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(table).where(table.c.token_hash == signing.digest(token))
        ).first()
    if row is None:
        raise SessionEnded("unknown")
    if row.ended_at is not None:
        raise SessionEnded(row.ended_reason)
    session = _session(row)
    if at >= session.expires_at:
        _end_row(engine, row.id, reason=TIMED_OUT, at=at)
    elif at - session.last_seen_at > idle_limit():
        _end_row(engine, row.id, reason=IDLE, at=at)
    elif at - session.last_seen_at >= timedelta(seconds=TOUCH_SECONDS):
        with engine.begin() as conn:
            conn.execute(
                sa.update(table)
                .where(table.c.id == row.id, table.c.ended_at.is_(None))
                .values(last_seen_at=at)
            )
        return session
    else:
        return session
    with engine.connect() as conn:
        reason = conn.execute(
            sa.select(table.c.ended_reason).where(table.c.id == row.id)
        ).scalar_one()
    raise SessionEnded(reason)


def _end_row(engine: Engine, session_id: int, *, reason: str, at: datetime) -> None:
    table = db.sign_in_sessions
    with engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.id == session_id, table.c.ended_at.is_(None))
            .values(ended_at=at, ended_reason=reason, ticket_hash=None, ticket_expires_at=None)
        )


def end(
    engine: Engine, token: str, *, reason: str = SIGNED_OUT, at: datetime | None = None
) -> None:
    """End the session for `token` (signing out); every tab using it is signed out."""
    table = db.sign_in_sessions
    with engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.token_hash == signing.digest(token), table.c.ended_at.is_(None))
            .values(
                ended_at=at or _now(), ended_reason=reason, ticket_hash=None, ticket_expires_at=None
            )
        )


def end_all(conn: sa.Connection, user_id: int, *, reason: str, at: datetime | None = None) -> int:
    """End every live session of an account, inside the caller's transaction."""
    table = db.sign_in_sessions
    return conn.execute(
        sa.update(table)
        .where(table.c.user_id == user_id, table.c.ended_at.is_(None))
        .values(
            ended_at=at or _now(), ended_reason=reason, ticket_hash=None, ticket_expires_at=None
        )
    ).rowcount


@dataclass(frozen=True)
class Redeemed:
    token: str
    user_id: int
    kind: str
    device_id: str | None
    expires_at: datetime


def redeem(engine: Engine, ticket: str, *, at: datetime | None = None) -> Redeemed:
    """Exchange a ticket, once, for its session's token; raises TicketRefused."""
    at = at or _now()
    table = db.sign_in_sessions
    ticket_hash = signing.digest(str(ticket))
    with engine.begin() as conn:
        row = conn.execute(sa.select(table).where(table.c.ticket_hash == ticket_hash)).first()
        if row is None:
            raise TicketRefused("no such ticket, or already used")
        won = conn.execute(
            sa.update(table)
            .where(
                table.c.id == row.id,
                table.c.ticket_hash == ticket_hash,
                table.c.ticket_expires_at > at,
                table.c.ended_at.is_(None),
            )
            .values(ticket_hash=None, ticket_expires_at=None)
        ).rowcount
    if not won:
        raise TicketRefused("the ticket has expired or its session has ended")
    return Redeemed(
        token=_token_for(engine, ticket),
        user_id=row.user_id,
        kind=row.kind,
        device_id=row.device_id,
        expires_at=_utc(row.expires_at),
    )


def cookie_value(engine: Engine, token: str) -> str:
    """The signed cookie text for a token."""
    return f"{token}.{signing.sign(engine, 'cookie', token)}"


def token_from_cookie(engine: Engine, value: str | None) -> str | None:
    """The token in a signed cookie, or None if it is missing or its signature is wrong."""
    if not value:
        return None
    token, _, signature = str(value).rpartition(".")
    if token and signing.verify(engine, "cookie", token, signature):
        return token
    return None

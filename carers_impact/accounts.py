"""Accounts of the internal dashboard: roles, argon2-hashed passwords and lock-out.

Three roles, each able to do everything the one before it can (SPEC section 1):

* ``viewer``: the strategic group; reads every measure, writes commentary and
  action updates;
* ``uploader``: a performance team, tied to one or more organisations, whose
  extracts it may submit;
* ``admin``: manages accounts, publishes quarters, reverts submissions and
  may submit for any organisation.

Signing in with a password is ``carers_impact/sign_in.py``. An administrator's
password reset lifts a pause on the name, ends the account's sessions and voids
its device cookies; deactivating an account ends its sessions. An account
without a password hash signs in only through single sign-on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Connection, Engine

from carers_impact import db, sessions, throttle
from carers_impact.errors import UserError

ROLES = ("viewer", "uploader", "admin")
"""In increasing order of what the role may do."""
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
_ORGANISATION_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
hasher = PasswordHasher()
"""argon2id with the library's recommended parameters."""


class AccountError(UserError, ValueError):
    """Something about an account that stops the request; the message says what."""


class UnknownUser(AccountError, LookupError):
    """No account with that username."""


class DuplicateUser(AccountError):
    """An account with that username already exists."""


class InvalidRole(AccountError):
    """A role that is not one of ROLES."""


class InvalidUsername(AccountError):
    """A username that is empty, too long or holds characters other than a-z 0-9 . _ @ + -."""


class InvalidOrganisations(AccountError):
    """Organisation codes that are malformed, or an uploader without any."""


class WeakPassword(AccountError):
    """A password shorter than MIN_PASSWORD_LENGTH (or absurdly long)."""


class LastAdmin(AccountError):
    """A change that would leave no active administrator."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    organisations: tuple[str, ...]
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None
    has_password: bool

    def has_role(self, role: str) -> bool:
        """Whether this account may do what `role` may (roles are cumulative)."""
        return ROLES.index(self.role) >= ROLES.index(check_role(role))

    def may_submit_for(self, organisation: str) -> bool:
        """Admins submit for anyone; uploaders for their own organisations only."""
        if self.role == "admin":
            return True
        return self.role == "uploader" and organisation.strip().upper() in self.organisations

    def locked(self, at: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (at or _now())


# -- checks -----------------------------------------------------------------------------


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRole(f"{role!r} is not a role; use one of: {', '.join(ROLES)}")
    return role


def normalise_username(username: str) -> str:
    """Usernames are matched ignoring case and surrounding spaces (an email address works)."""
    name = str(username).strip().lower()
    if not _USERNAME_RE.match(name):
        raise InvalidUsername(
            f"{username!r} is not a usable username: 1 to 100 characters, letters, digits "
            "and . _ @ + - only, starting with a letter or digit"
        )
    return name


def normalise_organisations(organisations: Iterable[str], *, role: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(str(o).strip().upper() for o in organisations if str(o).strip()))
    bad = [c for c in codes if not _ORGANISATION_RE.match(c)]
    if bad:
        raise InvalidOrganisations(
            f"{', '.join(bad)}: organisation codes look like ROT-ASC (letters, digits, hyphens)"
        )
    if role == "uploader" and not codes:
        raise InvalidOrganisations(
            "an uploader submits for one or more organisations; name at least one"
        )
    return codes


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters; "
            "three random words make a good one"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password can have at most {MAX_PASSWORD_LENGTH} characters")
    return password


# -- reading ----------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """Timestamps as aware UTC (SQLite hands them back without a time zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_user(row) -> User:
    """An account from a row of `_accounts_query`."""
    locked_until = _utc(row["locked_until"])
    paused = locked_until is not None and locked_until > _now()
    return User(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        organisations=tuple(o for o in (row["organisations"] or "").split(",") if o),
        active=bool(row["active"]),
        failed_logins=row["failures"] or 0,
        locked_until=locked_until if paused else None,
        created_at=_utc(row["created_at"]),
        last_login_at=_utc(row["last_login_at"]),
        has_password=row["password_hash"] is not None,
    )


def _accounts_query() -> sa.Select:
    """Accounts with the sign-in count of their name."""
    users, counts = db.users, db.sign_in_throttle
    key = sa.literal("name:") + users.c.username
    return sa.select(users, counts.c.failures, counts.c.locked_until).select_from(
        users.outerjoin(counts, counts.c.key == key)
    )


def account_row(conn: Connection, username: str):
    """The account row (with its sign-in count) for a username, or None."""
    users = db.users
    query = _accounts_query().where(users.c.username == normalise_username(username))
    return conn.execute(query).mappings().first()


def get_user(engine: Engine, username: str) -> User:
    """The account with that username; raises UnknownUser."""
    with engine.connect() as conn:
        row = account_row(conn, username)
    if row is None:
        raise UnknownUser(f"There is no account {username!r}")
    return to_user(row)


def list_users(engine: Engine) -> list[User]:
    """Every account, by username."""
    with engine.connect() as conn:
        rows = conn.execute(_accounts_query().order_by(db.users.c.username)).mappings().all()
    return [to_user(r) for r in rows]


# -- writing ----------------------------------------------------------------------------


def create_user(
    engine: Engine,
    username: str,
    *,
    password: str | None,
    role: str,
    organisations: Iterable[str] = (),
) -> User:
    """Add an account. `password=None` makes an account that signs in by single sign-on only."""
    name = normalise_username(username)
    check_role(role)
    codes = normalise_organisations(organisations, role=role)
    password_hash = hasher.hash(check_password(password)) if password is not None else None
    with engine.begin() as conn:
        if account_row(conn, name) is not None:
            raise DuplicateUser(f"There is already an account {name!r}")
        conn.execute(
            sa.insert(db.users).values(
                username=name,
                password_hash=password_hash,
                role=role,
                organisations=",".join(codes),
                active=True,
                created_at=_now(),
                last_login_at=None,
            )
        )
    return get_user(engine, name)


def record_sign_in(
    engine: Engine, user_id: int, *, at: datetime, new_password: str | None = None
) -> None:
    """Note a good sign-in; `new_password` re-hashes it (after argon2's parameters changed)."""
    values: dict = {"last_login_at": at}
    if new_password is not None:
        values["password_hash"] = hasher.hash(new_password)
    with engine.begin() as conn:
        conn.execute(sa.update(db.users).where(db.users.c.id == user_id).values(**values))


def _active_admins(conn: Connection) -> set[str]:
    users = db.users
    return set(
        conn.execute(
            sa.select(users.c.username).where(users.c.role == "admin", users.c.active.is_(True))
        ).scalars()
    )


def _update(
    engine: Engine,
    username: str,
    *,
    keep_an_admin: bool = False,
    end_sessions: str | None = None,
    clear_pause: bool = False,
    **values,
) -> User:
    """Change an account in one transaction; optionally end its sessions (with the reason)."""
    name = normalise_username(username)
    with engine.begin() as conn:
        row = account_row(conn, name)
        if row is None:
            raise UnknownUser(f"There is no account {username!r}")
        if keep_an_admin and _active_admins(conn) == {name}:
            raise LastAdmin(
                f"{name!r} is the only active administrator; make another account "
                "an administrator first"
            )
        conn.execute(sa.update(db.users).where(db.users.c.username == name).values(**values))
        if end_sessions is not None:
            sessions.end_all(conn, row["id"], reason=end_sessions)
        if clear_pause:
            throttle.clear(conn, throttle.account_key(name))
    return get_user(engine, name)


def set_role(
    engine: Engine, username: str, role: str, *, organisations: Iterable[str] | None = None
) -> User:
    """Change an account's role (and, if given, its organisations)."""
    check_role(role)
    if organisations is None:
        organisations = get_user(engine, username).organisations
    codes = normalise_organisations(organisations, role=role)
    return _update(
        engine,
        username,
        keep_an_admin=role != "admin",
        role=role,
        organisations=",".join(codes),
    )


def deactivate(engine: Engine, username: str) -> User:
    """Stop an account signing in (it stays, with its history) and end its sessions.

    Not the last admin.
    """
    return _update(
        engine, username, keep_an_admin=True, end_sessions=sessions.DEACTIVATED, active=False
    )


def reactivate(engine: Engine, username: str) -> User:
    return _update(engine, username, clear_pause=True, active=True)


def reset_password(engine: Engine, username: str, password: str) -> User:
    """Set a new password: lifts any pause, ends the account's sessions, voids device cookies."""
    password_hash = hasher.hash(check_password(password))
    return _update(
        engine,
        username,
        end_sessions=sessions.PASSWORD_RESET,
        clear_pause=True,
        password_hash=password_hash,
    )


def get_user_by_id(engine: Engine, user_id: int) -> User:
    """The account with that id (a session's); raises UnknownUser."""
    with engine.connect() as conn:
        row = conn.execute(_accounts_query().where(db.users.c.id == user_id)).mappings().first()
    if row is None:
        raise UnknownUser(f"There is no account number {user_id}")
    return to_user(row)

"""Accounts of the internal dashboard: roles, argon2-hashed passwords and lock-out.

Three roles, each able to do everything the one before it can (SPEC section 1):

* ``viewer``: the strategic group; reads every measure, writes commentary and
  action updates;
* ``uploader``: a performance team, tied to one or more organisations, whose
  extracts it may submit;
* ``admin``: manages accounts, publishes quarters, reverts submissions and
  may submit for any organisation.

After ``CARERS_LOGIN_ATTEMPTS`` failed sign-ins in a row an account is locked
for ``CARERS_LOCKOUT_MINUTES``; an administrator's password reset unlocks it.
An account without a password hash signs in only through single sign-on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from carers_impact import db, settings
from carers_impact.errors import UserError

ROLES = ("viewer", "uploader", "admin")
"""In increasing order of what the role may do."""
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
_ORGANISATION_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password nobody has, to make unknown names take as long")


class AccountError(UserError, ValueError):
    """Something about an account that stops the request; the message says what."""


class BadCredentials(AccountError):
    """The username or password is not right (which of them is not said)."""


class AccountLocked(AccountError):
    """Too many failed sign-ins: the account is locked until ``until`` (UTC)."""

    def __init__(self, username: str, until: datetime):
        self.username = username
        self.until = until
        super().__init__(
            f"The account {username!r} is locked after too many failed sign-ins; "
            f"try again after {until:%H:%M} UTC on {until:%d/%m/%Y}, "
            "or ask an administrator to reset the password"
        )


class AccountDeactivated(AccountError):
    """The account exists but an administrator has deactivated it."""


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


def _user(row) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        organisations=tuple(o for o in (row["organisations"] or "").split(",") if o),
        active=bool(row["active"]),
        failed_logins=row["failed_logins"] or 0,
        locked_until=_utc(row["locked_until"]),
        created_at=_utc(row["created_at"]),
        last_login_at=_utc(row["last_login_at"]),
        has_password=row["password_hash"] is not None,
    )


def _row(conn: Connection, username: str):
    users = db.users
    return (
        conn.execute(sa.select(users).where(users.c.username == normalise_username(username)))
        .mappings()
        .first()
    )


def get_user(engine: Engine, username: str) -> User:
    """The account with that username; raises UnknownUser."""
    with engine.connect() as conn:
        row = _row(conn, username)
    if row is None:
        raise UnknownUser(f"There is no account {username!r}")
    return _user(row)


def list_users(engine: Engine) -> list[User]:
    """Every account, by username."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(db.users).order_by(db.users.c.username)).mappings().all()
    return [_user(r) for r in rows]


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
    password_hash = _hasher.hash(check_password(password)) if password is not None else None
    with engine.begin() as conn:
        if _row(conn, name) is not None:
            raise DuplicateUser(f"There is already an account {name!r}")
        conn.execute(
            sa.insert(db.users).values(
                username=name,
                password_hash=password_hash,
                role=role,
                organisations=",".join(codes),
                failed_logins=0,
                locked_until=None,
                active=True,
                created_at=_now(),
                last_login_at=None,
            )
        )
    return get_user(engine, name)


def authenticate(
    engine: Engine, username: str, password: str, *, at: datetime | None = None
) -> User:
    """The account, if the password is right; raises BadCredentials, AccountLocked, ...

    A failed attempt counts towards the lock-out; a good one clears the count.
    A locked account is refused without looking at the password.
    """
    at = at or _now()
    try:
        name = normalise_username(username)
    except InvalidUsername:
        _verify(_DUMMY_HASH, password)
        raise BadCredentials("The username or password is not right") from None
    with engine.connect() as conn:
        row = _row(conn, name)
    if row is None or row["password_hash"] is None:
        _verify(_DUMMY_HASH, password)
        raise BadCredentials("The username or password is not right")
    user = _user(row)
    if user.locked(at):
        raise AccountLocked(user.username, user.locked_until)
    if not _verify(row["password_hash"], password):
        _count_failure(engine, user, at=at)
        raise BadCredentials("The username or password is not right")
    if not user.active:
        raise AccountDeactivated(
            f"The account {user.username!r} has been deactivated; ask an administrator"
        )
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": at}
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    with engine.begin() as conn:
        conn.execute(sa.update(db.users).where(db.users.c.id == user.id).values(**values))
    return get_user(engine, user.username)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, str(password))
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(engine: Engine, user: User, *, at: datetime) -> None:
    """One more failed sign-in; at the limit the account locks and the count restarts."""
    users = db.users
    limit = settings.get_int("CARERS_LOGIN_ATTEMPTS")
    with engine.begin() as conn:
        conn.execute(
            sa.update(users)
            .where(users.c.id == user.id)
            .values(failed_logins=users.c.failed_logins + 1)
        )
        failures = conn.execute(
            sa.select(users.c.failed_logins).where(users.c.id == user.id)
        ).scalar_one()
        if failures < limit:
            return
        until = at + timedelta(minutes=settings.get_int("CARERS_LOCKOUT_MINUTES"))
        conn.execute(
            sa.update(users)
            .where(users.c.id == user.id)
            .values(failed_logins=0, locked_until=until)
        )
    raise AccountLocked(user.username, until)


def _active_admins(conn: Connection) -> set[str]:
    users = db.users
    return set(
        conn.execute(
            sa.select(users.c.username).where(users.c.role == "admin", users.c.active.is_(True))
        ).scalars()
    )


def _update(engine: Engine, username: str, *, keep_an_admin: bool = False, **values) -> User:
    name = normalise_username(username)
    with engine.begin() as conn:
        if _row(conn, name) is None:
            raise UnknownUser(f"There is no account {username!r}")
        if keep_an_admin and _active_admins(conn) == {name}:
            raise LastAdmin(
                f"{name!r} is the only active administrator; make another account "
                "an administrator first"
            )
        conn.execute(sa.update(db.users).where(db.users.c.username == name).values(**values))
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
    """Stop an account signing in (it stays, with its history); not the last admin."""
    return _update(engine, username, keep_an_admin=True, active=False)


def reactivate(engine: Engine, username: str) -> User:
    return _update(engine, username, active=True, failed_logins=0, locked_until=None)


def reset_password(engine: Engine, username: str, password: str) -> User:
    """Set a new password; also clears any lock-out."""
    password_hash = _hasher.hash(check_password(password))
    return _update(
        engine, username, password_hash=password_hash, failed_logins=0, locked_until=None
    )

"""Signing in with a password: throttled, the same for every name, safe from lock-out by strangers.

After ``CARERS_LOGIN_ATTEMPTS`` wrong passwords in a row for a name typed,
known or not, signing in with that name pauses for ``CARERS_LOCKOUT_MINUTES``,
with one message for every name (``carers_impact/throttle.py`` takes each
attempt's slot atomically before its password is checked). A browser that has
signed in to the account before carries a signed device cookie
(``device_cookie``) and has a count of its own, so strangers guessing at a
name cannot shut its owner out: see dashboard/README.md.
"""

from __future__ import annotations

from datetime import UTC, datetime

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from carers_impact import accounts, signing, throttle
from carers_impact.accounts import AccountError, InvalidUsername, UnknownUser, User

_DUMMY_HASH = accounts.hasher.hash("a password nobody has, to make unknown names take as long")


class BadCredentials(AccountError):
    """The username or password is not right (which of them is not said)."""


class AccountLocked(AccountError):
    """Too many failed sign-ins with a name: paused until ``until`` (UTC).

    The message is the same for every name, whether an account has it or not.
    """

    def __init__(self, until: datetime):
        self.until = until
        super().__init__(
            "Too many failed sign-ins with this username: signing in with it is paused "
            f"until {until:%H:%M} UTC on {until:%d/%m/%Y}. On a browser you have signed in "
            "from before you can sign in now; otherwise wait, or ask an administrator to "
            "reset your password"
        )


class AccountDeactivated(AccountError):
    """The account exists but an administrator has deactivated it."""


def _now() -> datetime:
    return datetime.now(UTC)


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    *,
    device: str | None = None,
    at: datetime | None = None,
) -> User:
    """The account, if the password is right; raises BadCredentials, AccountLocked, ...

    `device` is the browser's device cookie, if it has one: an attempt from a
    browser that has signed in to this account before counts against that
    browser, not against the name. Each attempt takes its slot before its
    password is checked (see carers_impact/throttle.py), so however many come at
    once no more wrong passwords are checked than the limit. Unknown and
    malformed names go through the same steps and take as long.
    """
    at = at or _now()
    try:
        name = accounts.normalise_username(username)
    except InvalidUsername:
        name = None
    row = None
    if name is not None:
        with engine.connect() as conn:
            row = accounts.account_row(conn, name)
    device_id = _verified_device(engine, row, device) if row is not None and device else None
    if device_id is not None:
        key = throttle.device_key(device_id)
    else:
        key = throttle.account_key(name or signing.digest(str(username).strip().lower()))
    try:
        throttle.reserve(engine, key, at=at)
    except throttle.Paused as paused:
        raise AccountLocked(paused.until) from None
    try:
        known = row is not None and row["password_hash"] is not None
        right = _verify(row["password_hash"] if known else _DUMMY_HASH, password) and known
    except BaseException:
        throttle.release(engine, key, at=at)
        raise
    if not right:
        until = throttle.fail(engine, key, at=at)
        if until is not None:
            raise AccountLocked(until)
        raise BadCredentials("The username or password is not right")
    throttle.succeed(engine, key, at=at)
    user = accounts.to_user(row)
    if not user.active:
        raise AccountDeactivated(
            f"The account {user.username!r} has been deactivated; ask an administrator"
        )
    rehash = accounts.hasher.check_needs_rehash(row["password_hash"])
    accounts.record_sign_in(engine, user.id, at=at, new_password=password if rehash else None)
    return accounts.get_user(engine, user.username)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return accounts.hasher.verify(password_hash, str(password))
    except (VerificationError, InvalidHashError):
        return False


def _device_value(row, device_id: str) -> str:
    """What a device cookie signs: the browser, the account and its password (a reset voids it)."""
    return f"{device_id}\x00{row['username']}\x00{row['password_hash'] or ''}"


def device_cookie(engine: Engine, username: str, *, device_id: str) -> str:
    """The signed device cookie for a browser that has just signed in to `username`."""
    with engine.connect() as conn:
        row = accounts.account_row(conn, username)
    if row is None:
        raise UnknownUser(f"There is no account {username!r}")
    return f"{device_id}.{signing.sign(engine, 'device', _device_value(row, device_id))}"


def _verified_device(engine: Engine, row, cookie: str) -> str | None:
    device_id, _, signature = str(cookie).partition(".")
    if not device_id or not signature or len(device_id) > 64:
        return None
    if signing.verify(engine, "device", _device_value(row, device_id), signature):
        return device_id
    return None


def verified_device(engine: Engine, username: str, cookie: str | None) -> str | None:
    """The browser's id if `cookie` is a valid device cookie for `username`, else None."""
    if not cookie:
        return None
    try:
        with engine.connect() as conn:
            row = accounts.account_row(conn, username)
    except InvalidUsername:
        return None
    return None if row is None else _verified_device(engine, row, cookie)

"""The key that signs the dashboard's cookies, shared by every replica.

`CARERS_SESSION_SECRET` when set; otherwise a random key made on first use and
kept in the database (table `signing_keys`), so every dashboard process that
reads the same database signs and checks with the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings

KEY_NAME = "cookies"
_cache: dict[str, bytes] = {}


def _stored_key(engine: Engine) -> bytes:
    """The database's key, made by whichever process asks first."""
    cache_key = engine.url.render_as_string(hide_password=False)
    if cache_key in _cache:
        return _cache[cache_key]
    keys = db.signing_keys
    with engine.begin() as conn:
        conn.execute(
            db.dialect_insert(conn, keys)
            .values(name=KEY_NAME, secret=secrets.token_hex(32), created_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        secret = conn.execute(sa.select(keys.c.secret).where(keys.c.name == KEY_NAME)).scalar_one()
    _cache[cache_key] = secret.encode()
    return _cache[cache_key]


def key(engine: Engine) -> bytes:
    configured = settings.get("CARERS_SESSION_SECRET")
    if configured:
        return configured.encode()
    return _stored_key(engine)


def sign(engine: Engine, purpose: str, value: str) -> str:
    """An HMAC-SHA256 of `value` for one purpose (a value signed for one is no good for another)."""
    return hmac.new(key(engine), f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def verify(engine: Engine, purpose: str, value: str, signature: str) -> bool:
    return hmac.compare_digest(sign(engine, purpose, value), str(signature))


def digest(value: str) -> str:
    """What the database keeps of a secret token: its SHA-256, never the token."""
    return hashlib.sha256(value.encode()).hexdigest()

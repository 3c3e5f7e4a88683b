"""Sessions in the database: one-time tickets, signed cookies, idle and absolute limits, ending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from carers_impact import accounts, db, sessions, signing

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def user(engine):
    accounts.create_user(engine, "root", password="a long test password", role="admin")
    return accounts.create_user(engine, "vera", password="a long test password", role="viewer")


def test_a_ticket_gives_the_sessions_token_once(engine, user):
    started = sessions.start(engine, user.id, kind=sessions.PASSWORD, device_id="d1", at=START)
    redeemed = sessions.redeem(engine, started.ticket, at=START + timedelta(seconds=5))
    assert redeemed.token == started.token and redeemed.device_id == "d1"
    with pytest.raises(sessions.TicketRefused):
        sessions.redeem(engine, started.ticket, at=START + timedelta(seconds=6))


def test_a_ticket_lasts_a_minute(engine, user):
    started = sessions.start(engine, user.id, kind=sessions.PASSWORD, at=START)
    late = START + timedelta(seconds=sessions.TICKET_SECONDS + 1)
    with pytest.raises(sessions.TicketRefused):
        sessions.redeem(engine, started.ticket, at=late)


def test_the_database_keeps_no_token_or_ticket(engine, user):
    started = sessions.start(engine, user.id, kind=sessions.PASSWORD, at=START)
    with engine.connect() as conn:
        row = conn.execute(sa.select(db.sign_in_sessions)).one()
    assert started.token not in row and started.ticket not in row
    assert row.token_hash == signing.digest(started.token)


def test_a_cookie_is_signed(engine, user):
    started = sessions.start(engine, user.id, kind=sessions.PASSWORD, at=START)
    cookie = sessions.cookie_value(engine, started.token)
    assert sessions.token_from_cookie(engine, cookie) == started.token
    assert sessions.token_from_cookie(engine, started.token) is None
    assert (
        sessions.token_from_cookie(engine, cookie[:-1] + ("0" if cookie[-1] != "0" else "1"))
        is None
    )
    assert sessions.token_from_cookie(engine, "") is None


def test_a_session_ends_when_idle_or_too_old(engine, user, monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("CARERS_SESSION_MAX_HOURS", "2")
    idle = sessions.start(engine, user.id, kind=sessions.PASSWORD, at=START).token
    busy = sessions.start(engine, user.id, kind=sessions.PASSWORD, at=START).token
    for minutes in range(20, 120, 20):
        sessions.resume(engine, busy, at=START + timedelta(minutes=minutes))
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(engine, idle, at=START + timedelta(minutes=31))
    assert ended.value.reason == sessions.IDLE
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(engine, busy, at=START + timedelta(hours=2))
    assert ended.value.reason == sessions.TIMED_OUT


def test_deactivating_an_account_ends_every_session_it_has(engine, user):
    tokens = [sessions.start(engine, user.id, kind=sessions.PASSWORD).token for _ in range(2)]
    accounts.deactivate(engine, "vera")
    for token in tokens:
        with pytest.raises(sessions.SessionEnded) as ended:
            sessions.resume(engine, token)
        assert ended.value.reason == sessions.DEACTIVATED


def test_a_single_sign_on_is_one_session_however_many_tabs_begin_it(engine, user):
    sessions.start(engine, user.id, kind=sessions.SSO, token="identity cookie")
    with pytest.raises(sessions.AlreadyStarted):
        sessions.start(engine, user.id, kind=sessions.SSO, token="identity cookie")
    sessions.end(engine, "identity cookie")
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(engine, "identity cookie")
    assert ended.value.reason == sessions.SIGNED_OUT


def test_every_replica_signs_with_the_same_key(engine, monkeypatch):
    monkeypatch.setattr(signing, "_cache", {})
    first = signing.sign(engine, "cookie", "x")
    monkeypatch.setattr(signing, "_cache", {})  # another process, same database
    assert signing.sign(engine, "cookie", "x") == first
    monkeypatch.setenv("CARERS_SESSION_SECRET", "a configured secret")
    assert signing.sign(engine, "cookie", "x") != first

"""Dashboard accounts: roles, hashed passwords, lock-out, and the `users add` command."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from carers_impact import accounts, cli, db, sign_in
from carers_impact.accounts import (
    DuplicateUser,
    InvalidOrganisations,
    InvalidRole,
    LastAdmin,
    UnknownUser,
    WeakPassword,
)
from carers_impact.sign_in import AccountDeactivated, AccountLocked, BadCredentials

PASSWORD = "correct horse battery"


def stored_hash(engine, username: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(db.users.c.password_hash).where(db.users.c.username == username)
        ).scalar_one()


def test_a_created_account_signs_in_with_its_password_and_keeps_only_an_argon2_hash(engine):
    accounts.create_user(engine, "Ana", password=PASSWORD, role="viewer")
    user = sign_in.authenticate(engine, "ana ", PASSWORD)
    assert (user.username, user.role, user.organisations) == ("ana", "viewer", ())
    assert user.last_login_at is not None
    digest = stored_hash(engine, "ana")
    assert digest.startswith("$argon2id$") and PASSWORD not in digest


def test_a_wrong_password_or_unknown_name_gives_the_same_error(engine):
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    with pytest.raises(BadCredentials) as wrong:
        sign_in.authenticate(engine, "ana", "not the password")
    with pytest.raises(BadCredentials) as unknown:
        sign_in.authenticate(engine, "bob", PASSWORD)
    assert str(wrong.value) == str(unknown.value)


def test_five_failures_lock_the_account_for_fifteen_minutes_even_with_the_right_password(engine):
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    for attempt in range(4):
        with pytest.raises(BadCredentials):
            sign_in.authenticate(engine, "ana", f"wrong {attempt}", at=start)
    with pytest.raises(AccountLocked) as locked:
        sign_in.authenticate(engine, "ana", "wrong again", at=start)
    assert locked.value.until == start + timedelta(minutes=15)
    assert "09:15 UTC" in str(locked.value)
    with pytest.raises(AccountLocked):
        sign_in.authenticate(engine, "ana", PASSWORD, at=start + timedelta(minutes=14))
    user = sign_in.authenticate(engine, "ana", PASSWORD, at=start + timedelta(minutes=16))
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_good_sign_in_clears_the_count_of_failures(engine):
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    for _ in range(4):
        with pytest.raises(BadCredentials):
            sign_in.authenticate(engine, "ana", "wrong password")
    sign_in.authenticate(engine, "ana", PASSWORD)
    for _ in range(4):
        with pytest.raises(BadCredentials):
            sign_in.authenticate(engine, "ana", "wrong password")
    assert accounts.get_user(engine, "ana").failed_logins == 4


def test_lock_out_follows_the_settings(engine, monkeypatch):
    monkeypatch.setenv("CARERS_LOGIN_ATTEMPTS", "2")
    monkeypatch.setenv("CARERS_LOCKOUT_MINUTES", "60")
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    at = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    with pytest.raises(BadCredentials):
        sign_in.authenticate(engine, "ana", "wrong password", at=at)
    with pytest.raises(AccountLocked) as locked:
        sign_in.authenticate(engine, "ana", "wrong password", at=at)
    assert locked.value.until == at + timedelta(hours=1)


def test_a_password_reset_unlocks_and_replaces_the_password(engine):
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    for _ in range(5):
        with pytest.raises((BadCredentials, AccountLocked)):
            sign_in.authenticate(engine, "ana", "wrong password")
    accounts.reset_password(engine, "ana", "a brand new passphrase")
    assert sign_in.authenticate(engine, "ana", "a brand new passphrase").username == "ana"
    with pytest.raises(BadCredentials):
        sign_in.authenticate(engine, "ana", PASSWORD)


def test_a_deactivated_account_cannot_sign_in(engine):
    accounts.create_user(engine, "root", password=PASSWORD, role="admin")
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    accounts.deactivate(engine, "ana")
    with pytest.raises(AccountDeactivated):
        sign_in.authenticate(engine, "ana", PASSWORD)
    accounts.reactivate(engine, "ana")
    assert sign_in.authenticate(engine, "ana", PASSWORD).active


def test_roles_are_cumulative_and_uploaders_submit_for_their_organisations_only(engine):
    viewer = accounts.create_user(engine, "v", password=PASSWORD, role="viewer")
    uploader = accounts.create_user(
        engine, "u", password=PASSWORD, role="uploader", organisations=["rot-asc", "ROT-CC"]
    )
    admin = accounts.create_user(engine, "a", password=PASSWORD, role="admin")
    assert uploader.organisations == ("ROT-ASC", "ROT-CC")
    assert [viewer.has_role(r) for r in accounts.ROLES] == [True, False, False]
    assert [uploader.has_role(r) for r in accounts.ROLES] == [True, True, False]
    assert [admin.has_role(r) for r in accounts.ROLES] == [True, True, True]
    assert uploader.may_submit_for("rot-asc") and not uploader.may_submit_for("SOT-ASC")
    assert admin.may_submit_for("SOT-ASC") and not viewer.may_submit_for("ROT-ASC")


def test_bad_accounts_are_refused_with_a_reason(engine):
    with pytest.raises(InvalidRole):
        accounts.create_user(engine, "ana", password=PASSWORD, role="superuser")
    with pytest.raises(InvalidOrganisations):
        accounts.create_user(engine, "ana", password=PASSWORD, role="uploader")
    with pytest.raises(WeakPassword):
        accounts.create_user(engine, "ana", password="short", role="viewer")
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    with pytest.raises(DuplicateUser):
        accounts.create_user(engine, "ANA", password=PASSWORD, role="viewer")
    with pytest.raises(UnknownUser):
        accounts.set_role(engine, "nobody", "admin")


def test_set_role_and_list_users(engine):
    accounts.create_user(engine, "root", password=PASSWORD, role="admin")
    accounts.create_user(engine, "ana", password=PASSWORD, role="viewer")
    changed = accounts.set_role(engine, "ana", "uploader", organisations=["SOT-CC"])
    assert (changed.role, changed.organisations) == ("uploader", ("SOT-CC",))
    assert [(u.username, u.role) for u in accounts.list_users(engine)] == [
        ("ana", "uploader"),
        ("root", "admin"),
    ]


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(engine):
    accounts.create_user(engine, "root", password=PASSWORD, role="admin")
    with pytest.raises(LastAdmin):
        accounts.set_role(engine, "root", "viewer")
    with pytest.raises(LastAdmin):
        accounts.deactivate(engine, "root")
    accounts.create_user(engine, "second", password=PASSWORD, role="admin")
    assert accounts.set_role(engine, "root", "viewer").role == "viewer"


def test_a_single_sign_on_account_has_no_password_to_guess(engine):
    accounts.create_user(engine, "ana@example.org", password=None, role="viewer")
    assert not accounts.get_user(engine, "Ana@Example.org").has_password
    with pytest.raises(BadCredentials):
        sign_in.authenticate(engine, "ana@example.org", "")


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARERS_DB_URL", url)
    return url


def test_users_add_reads_the_password_from_stdin_and_ties_uploaders_to_organisations(
    cli_db, monkeypatch, capsys
):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ["users", "add", "pat", "--role", "uploader"]
    code = cli.main([*args, "--organisation", "rot-asc", "--organisation", "ROT-CC"])
    assert code == 0, capsys.readouterr().err
    assert "Added pat (uploader for ROT-ASC, ROT-CC)" in capsys.readouterr().out
    user = sign_in.authenticate(db.make_engine(cli_db), "pat", PASSWORD)
    assert user.organisations == ("ROT-ASC", "ROT-CC")


def test_users_add_refuses_an_unknown_organisation_or_a_short_password(cli_db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["users", "add", "pat", "--role", "uploader", "--organisation", "XYZ"]) == 1
    assert "XYZ" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["users", "add", "pat", "--role", "viewer"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err

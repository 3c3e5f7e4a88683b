"""Sign-in that holds: concurrent guesses, one pause message for every name, no lock-out."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from carers_impact import accounts, sign_in
from carers_impact.sign_in import AccountLocked, BadCredentials

PASSWORD = "correct horse battery"
ATTEMPTS = 25
RIGHT_AT = 11  # the twelfth attempt has the right password


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting the wrong passwords it was asked to check."""

    def __init__(self):
        super().__init__()
        self.wrong = 0
        self._lock = threading.Lock()

    def verify(self, hash, password):
        try:
            return super().verify(hash, password)
        except VerificationError:
            with self._lock:
                self.wrong += 1
            raise


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "hasher", counting)
    return counting


def _burst(engine, username: str, *, device: str | None = None) -> list[str]:
    """ATTEMPTS sign-ins released at once, the right password at position RIGHT_AT + 1."""
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str | None] = [None] * ATTEMPTS

    def attempt(i: int) -> None:
        password = PASSWORD if i == RIGHT_AT else f"wrong password {i}"
        barrier.wait(timeout=30)
        try:
            sign_in.authenticate(engine, username, password, device=device)
            outcomes[i] = "signed in"
        except AccountLocked:
            outcomes[i] = "refused"
        except BadCredentials:
            outcomes[i] = "wrong"

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(outcome is not None for outcome in outcomes), outcomes
    return outcomes


def test_simultaneous_attempts_check_no_more_wrong_passwords_than_the_limit(engine, hasher):
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    outcomes = _burst(engine, "ada")
    if "signed in" not in outcomes:
        assert hasher.wrong <= 5, outcomes
        # The right password came too late: the name is paused for everyone.
        with pytest.raises(AccountLocked):
            sign_in.authenticate(engine, "ada", PASSWORD)
    else:
        # As if one after another: fewer than five wrong before it, five at most after.
        assert hasher.wrong <= 9, outcomes
    assert outcomes.count("refused") >= ATTEMPTS - 10


def test_the_limit_follows_the_setting_under_concurrency(engine, hasher, monkeypatch):
    monkeypatch.setenv("CARERS_LOGIN_ATTEMPTS", "2")
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    _burst(engine, "ada")
    assert hasher.wrong <= 2


def test_the_lock_message_is_the_same_for_every_name_known_or_not(engine):
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    at = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    messages = {}
    for name in ("ada", "nobody", "Not A Valid Name!"):
        for attempt in range(4):
            with pytest.raises(BadCredentials):
                sign_in.authenticate(engine, name, f"wrong {attempt}", at=at)
        with pytest.raises(AccountLocked) as locked:
            sign_in.authenticate(engine, name, "wrong again", at=at)
        with pytest.raises(AccountLocked) as again:
            sign_in.authenticate(engine, name, PASSWORD, at=at + timedelta(minutes=1))
        assert str(again.value) == str(locked.value)
        messages[name] = str(locked.value)
    assert len(set(messages.values())) == 1, messages
    message = messages["ada"]
    assert "ada" not in message and "09:15 UTC" in message


def test_a_stranger_cannot_lock_out_an_account_on_a_browser_it_signed_in_from(engine):
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    laptop = sign_in.device_cookie(engine, "ada", device_id="laptop")
    for attempt in range(5):
        with pytest.raises((BadCredentials, AccountLocked)):
            sign_in.authenticate(engine, "ada", f"stranger's guess {attempt}")
    with pytest.raises(AccountLocked):
        sign_in.authenticate(engine, "ada", PASSWORD)  # a browser never signed in from
    assert sign_in.authenticate(engine, "ada", PASSWORD, device=laptop).username == "ada"


def test_a_known_browser_has_a_limit_of_its_own(engine, hasher):
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    laptop = sign_in.device_cookie(engine, "ada", device_id="laptop")
    _burst(engine, "ada", device=laptop)
    assert hasher.wrong <= 5
    # ...and spending it does not lock the account for other browsers.
    assert sign_in.authenticate(engine, "ada", PASSWORD).username == "ada"


@pytest.mark.parametrize(
    "cookie",
    ["", "laptop", "laptop.0000", "laptop.deadbeef" + "0" * 56, "laptop." + "0" * 64],
)
def test_a_forged_device_cookie_is_not_trusted(engine, cookie):
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    for attempt in range(5):
        with pytest.raises((BadCredentials, AccountLocked)):
            sign_in.authenticate(engine, "ada", f"guess {attempt}")
    with pytest.raises(AccountLocked):
        sign_in.authenticate(engine, "ada", PASSWORD, device=cookie)


def test_a_device_cookie_is_trusted_for_its_own_account_only(engine):
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    accounts.create_user(engine, "bea", password=PASSWORD, role="viewer")
    beas_laptop = sign_in.device_cookie(engine, "bea", device_id="laptop")
    for attempt in range(5):
        with pytest.raises((BadCredentials, AccountLocked)):
            sign_in.authenticate(engine, "ada", f"guess {attempt}")
    with pytest.raises(AccountLocked):
        sign_in.authenticate(engine, "ada", PASSWORD, device=beas_laptop)


def test_a_password_reset_withdraws_trust_from_every_browser(engine):
    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    laptop = sign_in.device_cookie(engine, "ada", device_id="laptop")
    assert sign_in.verified_device(engine, "ada", laptop) == "laptop"
    accounts.reset_password(engine, "ada", "a brand new passphrase")
    assert sign_in.verified_device(engine, "ada", laptop) is None


def test_an_attempt_cut_off_half_way_does_not_hold_the_account_forever(engine):
    """A process killed while checking a password leaves its slot; it lapses."""
    from carers_impact import throttle

    accounts.create_user(engine, "ada", password=PASSWORD, role="admin")
    at = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    for _ in range(5):
        throttle.reserve(engine, throttle.account_key("ada"), at=at)  # never finished
    with pytest.raises(AccountLocked):
        sign_in.authenticate(engine, "ada", PASSWORD, at=at)
    later = at + timedelta(seconds=throttle.PENDING_LAPSE_SECONDS + 1)
    assert sign_in.authenticate(engine, "ada", PASSWORD, at=later).username == "ada"

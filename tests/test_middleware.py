"""Streamlit's sign-on cookies made Secure and as short-lived as a session."""

from __future__ import annotations

from dashboard.middleware import harden


def test_a_sign_on_cookie_gets_secure_and_the_session_lifetime(monkeypatch):
    monkeypatch.setenv("CARERS_SESSION_MAX_HOURS", "8")
    header = b"_streamlit_user=abc; HttpOnly; Max-Age=2592000; Path=/; SameSite=lax"
    hardened = harden(header).decode()
    assert "Max-Age=28800" in hardened and "Max-Age=2592000" not in hardened
    assert hardened.endswith("Secure") and "HttpOnly" in hardened
    assert hardened.startswith("_streamlit_user=abc;")


def test_its_chunks_and_tokens_cookie_too():
    for name in ("_streamlit_user_1", "_streamlit_user_tokens"):
        assert "Secure" in harden(f"{name}=x; Max-Age=10; Path=/".encode()).decode()


def test_a_deletion_stays_a_deletion_but_secure():
    header = b'_streamlit_user=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'
    hardened = harden(header).decode()
    assert "Max-Age=0" in hardened and "Secure" in hardened


def test_other_cookies_are_left_alone():
    header = b"_streamlit_xsrf=2|ab; Path=/; SameSite=Lax"
    assert harden(header) == header

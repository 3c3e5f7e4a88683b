"""Who is signed in, and the one guard every page calls first: `require_role`.

A password sign-in lives in `st.session_state` with the time of the last
page view; after CARERS_SESSION_IDLE_MINUTES without one the session ends.
Each page view re-reads the account, so a deactivated account or a changed
role takes effect at once.

Single sign-on: when `.streamlit/secrets.toml` has an `[auth]` section,
Streamlit's OpenID Connect sign-in (`st.login`) is offered too, and the
person's email address is matched to an account with that username (accounts
for single sign-on are made without a password: see dashboard/README.md).
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from carers_impact import accounts, settings
from dashboard import data

SESSION_KEY = "_signed_in"
NOTICE_KEY = "_sign_in_notice"
WHO = {
    "viewer": "signed-in members of the partnership",
    "uploader": "performance teams (the uploader role) and administrators",
    "admin": "administrators",
}


def sso_configured() -> bool:
    """Whether Streamlit's OpenID Connect sign-in is set up (an `[auth]` secrets section)."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def _sso_email() -> str | None:
    if not sso_configured() or not st.user.get("is_logged_in", False):
        return None
    email = st.user.get("email")
    return str(email) if email else None


def _start(username: str, *, sso: bool) -> None:
    st.session_state[SESSION_KEY] = {"username": username, "sso": sso, "last_seen": time.time()}


def sign_out(*, notice: str | None = None) -> None:
    """End the session (and the single sign-on, if that is how the person came in)."""
    state = st.session_state.pop(SESSION_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if state and state.get("sso"):
        st.logout()


def current_user() -> accounts.User | None:
    """The signed-in account, or None; ends sessions that are idle, deactivated or gone."""
    state = st.session_state.get(SESSION_KEY)
    if state is None:
        email = _sso_email()
        if email is None:
            return None
        try:
            user = accounts.get_user(data.engine(), email)
        except accounts.AccountError:
            st.session_state[NOTICE_KEY] = (
                f"You signed in as {email}, but there is no dashboard account for that "
                "address. Ask an administrator to add one."
            )
            return None
        if not user.active:
            st.session_state[NOTICE_KEY] = f"The account {email} has been deactivated."
            return None
        _start(user.username, sso=True)
        return user
    idle_minutes = settings.get_int("CARERS_SESSION_IDLE_MINUTES")
    if time.time() - state["last_seen"] > idle_minutes * 60:
        sign_out(
            notice=f"Your session ended after {idle_minutes} minutes without activity. "
            "Sign in again to carry on."
        )
        return None
    try:
        user = accounts.get_user(data.engine(), state["username"])
    except accounts.UnknownUser:
        sign_out(notice="Your account no longer exists.")
        return None
    if not user.active:
        sign_out(notice="Your account has been deactivated; ask an administrator.")
        return None
    state["last_seen"] = time.time()
    return user


def require_role(role: str) -> accounts.User:
    """The signed-in account if it has `role`; otherwise stop the page and say why."""
    accounts.check_role(role)
    user = current_user()
    if user is None:
        sign_in_form()
        st.stop()
    if not user.has_role(role):
        st.error(
            f"This page is for {WHO[role]}. You are signed in as {user.username}, "
            f"with the {user.role} role. Ask an administrator if you need access.",
            icon=":material/block:",
        )
        st.stop()
    return user


def sign_in_form() -> None:
    """The sign-in form; on success the page runs again, signed in."""
    st.title("Sign in")
    st.write("Sign in to the carers impact measures dashboard to see this page.")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice)
    with st.form("sign_in", enter_to_submit=True):
        username = st.text_input("Username", key="sign_in_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", key="sign_in_submit")
    if submitted:
        try:
            user = accounts.authenticate(data.engine(), username, password)
        except accounts.AccountLocked as locked:
            st.error(str(locked))
        except accounts.AccountDeactivated as exc:
            st.error(str(exc))
        except accounts.BadCredentials:
            st.error(
                "The username or password is not right. After "
                f"{settings.get_int('CARERS_LOGIN_ATTEMPTS')} failed attempts in a row the "
                "account is locked for a while."
            )
        else:
            _start(user.username, sso=False)
            st.rerun()
    if sso_configured():
        st.divider()
        if _sso_email():
            if st.button("Sign out of single sign-on", key="sign_out_sso"):
                st.logout()
        elif st.button("Sign in with single sign-on", key="sign_in_sso"):
            st.login()

"""Who is signed in, and the one guard every page calls first: `require_role`.

A sign-in is a session in the database (`carers_impact.sessions`), so it is
the same on every replica and in every tab. The tab keeps its session's token
in `st.session_state`; a new tab or a reload finds it in the signed HttpOnly
cookie that `dashboard/cookies.py` sets after a password sign-in (read here
through `st.context.cookies`). Every page view resumes the session from the
database, so signing out in one tab, an idle or timed-out session, a
deactivated account or a password reset ends it everywhere at the next click,
and re-reads the account, so a changed role applies at once.

Single sign-on: when `.streamlit/secrets.toml` has an `[auth]` section,
Streamlit's OpenID Connect sign-in (`st.login`) is offered too, and the
person's email address is matched to an account with that username. Its
session is keyed by Streamlit's own signed identity cookie, with the same
timeouts and sign-out as a password session (see dashboard/README.md).
"""

from __future__ import annotations

import secrets
import time

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from carers_impact import accounts, sessions, settings, sign_in
from dashboard import cookies, data
from dashboard.middleware import SIGN_ON_COOKIE_PREFIX
from dashboard.text import html as escape
from dashboard.text import plain

SESSION_KEY = "_signed_in"
NOTICE_KEY = "_sign_in_notice"
SSO_TAB_KEY = "_sign_on_without_cookie"
WHO = {
    "viewer": "signed-in members of the partnership",
    "uploader": "performance teams (the uploader role) and administrators",
    "admin": "administrators",
}


def _ended_notice(reason: str) -> str | None:
    """What to tell someone whose session ended, by the reason it ended."""
    if reason == sessions.IDLE:
        idle = settings.get_int("CARERS_SESSION_IDLE_MINUTES")
        return (
            f"Your session ended after {idle} minutes without activity. Sign in again to carry on."
        )
    if reason == sessions.TIMED_OUT:
        hours = settings.get_int("CARERS_SESSION_MAX_HOURS")
        return f"Your session ended {hours} hours after you signed in. Sign in again to carry on."
    return {
        sessions.SIGNED_OUT: "You have signed out.",
        sessions.DEACTIVATED: "Your account has been deactivated; ask an administrator.",
        sessions.PASSWORD_RESET: "Your password has been reset; sign in with the new one.",
    }.get(reason)


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


def _sso_identity() -> str:
    """What names this sign-on: Streamlit's signed identity cookie (and its chunks).

    Without one (a test harness has no cookies) the tab's own random token
    stands in, kept for the life of the tab so an ended session stays ended.
    """
    jar = st.context.cookies
    names = sorted(n for n in jar if n.startswith(SIGN_ON_COOKIE_PREFIX))
    names = [n for n in names if not n.startswith(f"{SIGN_ON_COOKIE_PREFIX}_tokens")]
    if names:
        return "|".join(f"{n}={jar[n]}" for n in names)
    return st.session_state.setdefault(SSO_TAB_KEY, secrets.token_urlsafe(32))


def _keep(token: str, *, kind: str, ticket: str | None = None) -> None:
    st.session_state[SESSION_KEY] = {
        "token": token,
        "kind": kind,
        "ticket": ticket,
        "ticket_until": time.time() + sessions.TICKET_SECONDS if ticket else 0,
    }


def _resume(token: str) -> accounts.User:
    """The account of a live session; raises SessionEnded."""
    engine = data.engine()
    session = sessions.resume(engine, token)
    try:
        user = accounts.get_user_by_id(engine, session.user_id)
    except accounts.UnknownUser:
        raise sessions.SessionEnded("unknown") from None
    if not user.active:
        sessions.end(engine, token, reason=sessions.DEACTIVATED)
        raise sessions.SessionEnded(sessions.DEACTIVATED)
    return user


def _password_session() -> accounts.User | None:
    """The tab's session, else the cookie's; notes why an ended one ended."""
    state = st.session_state.get(SESSION_KEY)
    cookie = sessions.token_from_cookie(
        data.engine(), st.context.cookies.get(cookies.SESSION_COOKIE)
    )
    candidates = [(state["token"], state["kind"])] if state else []
    if cookie and not (state and state["token"] == cookie):
        candidates.append((cookie, sessions.PASSWORD))
    for token, kind in candidates:
        try:
            user = _resume(token)
        except sessions.SessionEnded as ended:
            if state and token == state["token"]:
                st.session_state.pop(SESSION_KEY, None)
            notice = _ended_notice(ended.reason)
            if notice:
                st.session_state.setdefault(NOTICE_KEY, notice)
            continue
        if not (state and state["token"] == token):
            _keep(token, kind=kind)
        return user
    return None


def _sso_session(email: str) -> accounts.User | None:
    """The single sign-on's session, begun at its first page view."""
    engine = data.engine()
    try:
        user = accounts.get_user(engine, email)
    except accounts.AccountError:
        st.session_state[NOTICE_KEY] = (
            f"You signed in as {email}, but there is no dashboard account for that "
            "address. Ask an administrator to add one."
        )
        return None
    if not user.active:
        st.session_state[NOTICE_KEY] = f"The account {email} has been deactivated."
        return None
    identity = _sso_identity()
    try:
        user = _resume(identity)
    except sessions.SessionEnded as ended:
        if ended.reason != "unknown":  # ended: only a new sign-on begins a new session
            notice = _ended_notice(ended.reason)
            if notice:
                st.session_state.setdefault(NOTICE_KEY, notice)
            return None
        try:
            sessions.start(engine, user.id, kind=sessions.SSO, token=identity)
        except sessions.AlreadyStarted:  # another tab began it a moment ago
            user = _resume(identity)
    _keep(identity, kind=sessions.SSO)
    return user


def current_user() -> accounts.User | None:
    """The signed-in account, or None (with a notice saying why a session ended)."""
    user = _password_session()
    if user is not None:
        return user
    email = _sso_email()
    return None if email is None else _sso_session(email)


def sign_out(*, notice: str | None = None) -> None:
    """End the session everywhere (and the single sign-on, if that is how the person came in)."""
    state = st.session_state.pop(SESSION_KEY, None)
    if state:
        sessions.end(data.engine(), state["token"], reason=sessions.SIGNED_OUT)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if state and state["kind"] == sessions.SSO:
        st.logout()


def hand_over_cookie() -> None:
    """Have the browser fetch the session cookie, for a minute after a password sign-in.

    An image request to the dashboard's own route: the answer's Set-Cookie is
    HttpOnly, which a cookie written by JavaScript could never be.
    """
    state = st.session_state.get(SESSION_KEY)
    if not state or not state.get("ticket") or time.time() > state["ticket_until"]:
        return
    source = f"{cookies.HAND_OVER_PATH}?ticket={escape(state['ticket'])}"
    st.html(f'<img src="{source}" alt="" width="1" height="1" class="ci-hand-over">')


def require_role(role: str) -> accounts.User:
    """The signed-in account if it has `role`; otherwise stop the page and say why."""
    accounts.check_role(role)
    user = current_user()
    if user is None:
        sign_in_form()
        st.stop()
    if not user.has_role(role):
        st.error(
            f"This page is for {WHO[role]}. You are signed in as {plain(user.username)}, "
            f"with the {user.role} role. Ask an administrator if you need access.",
            icon=":material/block:",
        )
        st.stop()
    return user


def _sign_in(username: str, password: str) -> None:
    engine = data.engine()
    device = st.context.cookies.get(cookies.DEVICE_COOKIE)
    try:
        user = sign_in.authenticate(engine, username, password, device=device)
    except (sign_in.AccountLocked, sign_in.AccountDeactivated) as refused:
        st.error(plain(refused))
        return
    except sign_in.BadCredentials:
        st.error(
            "The username or password is not right. After "
            f"{settings.get_int('CARERS_LOGIN_ATTEMPTS')} failed attempts in a row, "
            "signing in with that username pauses for a while."
        )
        return
    device_id = sign_in.verified_device(engine, user.username, device) or cookies.new_device_id()
    started = sessions.start(engine, user.id, kind=sessions.PASSWORD, device_id=device_id)
    _keep(started.token, kind=sessions.PASSWORD, ticket=started.ticket)
    st.session_state.pop(NOTICE_KEY, None)
    st.rerun()


def sign_in_form() -> None:
    """The sign-in form; on success the page runs again, signed in."""
    st.title("Sign in")
    st.write("Sign in to the carers impact measures dashboard to see this page.")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(plain(notice))
    with st.form("sign_in", enter_to_submit=True):
        username = st.text_input("Username", key="sign_in_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", key="sign_in_submit")
    if submitted:
        _sign_in(username, password)
    if sso_configured():
        st.divider()
        if st.button("Sign in with single sign-on", key="sign_in_sso"):
            st.login()

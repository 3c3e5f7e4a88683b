"""The dashboard's own HTTP route and middleware for sign-in cookies (mounted by `server.py`).

A Streamlit script cannot set a cookie, and a cookie set from JavaScript
cannot be HttpOnly. So after a password sign-in the page asks the browser to
load `/auth/session?ticket=...` (an image request to this same server), and
this route answers with the session cookie in a `Set-Cookie` header: signed,
HttpOnly, Secure, SameSite=Strict, `__Host-` prefixed. The ticket is random,
works once, for a minute; see dashboard/README.md, "Why the sign-in is sound".
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from carers_impact import accounts, sessions, sign_in

SESSION_COOKIE = "__Host-carers_session"
DEVICE_COOKIE = "__Host-carers_device"
HAND_OVER_PATH = "/auth/session"
DEVICE_COOKIE_DAYS = 400  # the longest a browser keeps a cookie


def new_device_id() -> str:
    return secrets.token_hex(16)


def _set(response: Response, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict"
    )


def hand_over(request: Request) -> Response:
    """Exchange a one-time ticket for the session (and device) cookie. No page, no body."""
    refused = Response(status_code=404, headers={"Cache-Control": "no-store"})
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return refused  # only this dashboard's own pages ask for it
    from dashboard import data  # not at start-up: its caches want Streamlit's runtime

    engine = data.engine()
    try:
        redeemed = sessions.redeem(engine, request.query_params.get("ticket", ""))
    except sessions.TicketRefused:
        return refused
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    lifetime = int((redeemed.expires_at - datetime.now(UTC)).total_seconds())
    _set(response, SESSION_COOKIE, sessions.cookie_value(engine, redeemed.token), max_age=lifetime)
    if redeemed.kind == sessions.PASSWORD and redeemed.device_id:
        user = accounts.get_user_by_id(engine, redeemed.user_id)
        device = sign_in.device_cookie(engine, user.username, device_id=redeemed.device_id)
        _set(response, DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_DAYS * 24 * 3600)
    return response


ROUTES = [Route(HAND_OVER_PATH, hand_over, methods=["GET"])]

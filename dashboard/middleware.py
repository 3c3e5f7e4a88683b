"""ASGI middleware of the two servers (`server.py`, `public_server.py`).

`HardenSignOnCookies` gives Streamlit's own single sign-on cookies the care the
dashboard's session cookie gets: Secure, and a lifetime of
CARERS_SESSION_MAX_HOURS instead of Streamlit's 30 days. `RefuseUploads` shuts
Streamlit's upload route on the public view.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carers_impact import sessions

SIGN_ON_COOKIE_PREFIX = "_streamlit_user"
UPLOAD_PATH = "/_stcore/upload_file"


class HardenSignOnCookies:
    """ASGI middleware: Streamlit's sign-on cookies made Secure and as short-lived as a session."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, harden(value) if name.lower() == b"set-cookie" else value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_hardened)


def harden(header: bytes) -> bytes:
    """One Set-Cookie header: a sign-on cookie gets Secure and, unless deleted, a session's life.

    Deletions get Secure too: a browser lets only a Secure cookie replace a Secure one.
    """
    text = header.decode("latin-1")
    name = text.split("=", 1)[0].strip()
    if not name.startswith(SIGN_ON_COOKIE_PREFIX):
        return header
    parts = [p.strip() for p in text.split(";")]
    attributes = {p.split("=", 1)[0].lower() for p in parts[1:]}
    max_age = next((p for p in parts[1:] if p.lower().startswith("max-age=")), None)
    deleting = max_age is not None and max_age.split("=", 1)[1].strip() in ("0", "-1")
    if not deleting:
        lifetime = int(sessions.absolute_limit().total_seconds())
        parts = [p for p in parts if not p.lower().startswith(("max-age=", "expires="))]
        parts.append(f"Max-Age={lifetime}")
    if "secure" not in attributes:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


class RefuseUploads:
    """ASGI middleware for the public view: Streamlit's upload route answers 403, unread."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(UPLOAD_PATH):
            await Response("Uploads are not accepted here.", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)

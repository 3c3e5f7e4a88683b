"""The internal dashboard's server: Streamlit's ASGI app with the sign-in cookie route.

`carers-impact serve` runs `streamlit run dashboard/server.py`; Streamlit finds
`app` and serves `app.py` with the route of `dashboard/cookies.py`
and the middleware of `dashboard/middleware.py`.
"""

import streamlit as st
from starlette.middleware import Middleware

from dashboard import cookies
from dashboard.middleware import HardenSignOnCookies

app = st.App(
    "app.py",
    routes=cookies.ROUTES,
    middleware=[Middleware(HardenSignOnCookies)],
)

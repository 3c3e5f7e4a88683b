"""The internal dashboard's script: page set-up, the menu for the person's role, sign-out.

Served by `dashboard/server.py`, which adds the sign-in cookie route.

Every page is a file under `dashboard/views/` and calls `auth.require_role`
first, so a page reached by its URL is guarded as much as one reached from
the menu. Pages a role may not open are left out of the menu.
"""

from pathlib import Path

import streamlit as st

from dashboard import auth, components
from dashboard.navigation import PAGES, in_menu
from dashboard.text import plain

st.set_page_config(
    page_title="Carers impact measures",
    page_icon=str(Path(__file__).with_name("icon.svg")),  # served by the dashboard itself
    layout="wide",
)
components.use_house_style()

user = auth.current_user()
pages = [
    st.Page(
        spec.path,
        title=spec.title,
        icon=spec.icon,
        default=i == 0,
        visibility="visible" if in_menu(spec, user) else "hidden",
    )
    for i, spec in enumerate(PAGES)
]
page = st.navigation(pages, position="sidebar" if user is not None else "hidden")

if user is not None:
    with st.sidebar:
        st.caption("Carers impact measures")
        organisations = f" for {', '.join(user.organisations)}" if user.organisations else ""
        st.write(f"Signed in as **{plain(user.username)}** ({plain(user.role + organisations)})")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            auth.sign_out(notice="You have signed out.")
            st.rerun()
        auth.hand_over_cookie()

page.run()

"""The public outcome view's entry point (`carers-impact serve --public`).

Read-only and without login: no upload, commentary, publishing or
administration. Its page set is exactly the page files listed below, all in
`dashboard/public/`, so an internal page's address (`/upload`, `/scorecard`)
is not a page of this server and falls back to the outcomes page.

Nothing may sit in a `pages/` folder beside this file: Streamlit runs such
scripts as pages of any entry point in the folder, and on a fresh server it
does so before this file's page list has been read.
"""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "public"

st.set_page_config(
    page_title="Carers' outcomes: published figures",
    layout="centered",
    initial_sidebar_state="collapsed",
    menu_items={"Get help": None, "Report a bug": None, "About": None},
)

page = st.navigation(
    [
        st.Page(PAGES / "outcomes.py", title="Outcomes", default=True),
        st.Page(PAGES / "open_data.py", title="Open data", url_path="open-data"),
        st.Page(PAGES / "about.py", title="About these figures", url_path="about"),
        st.Page(PAGES / "accessibility.py", title="Accessibility", url_path="accessibility"),
    ],
    position="top",
)
page.run()

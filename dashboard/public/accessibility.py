"""The accessibility statement, in the GOV.UK model for public-sector websites."""

from __future__ import annotations

import streamlit as st

from dashboard.public import common, content

common.apply_style()
st.set_page_config(page_title=common.page_title(content.ACCESSIBILITY_TITLE))
st.title(content.ACCESSIBILITY_TITLE, anchor=False)
common.render(content.accessibility(common.areas().values()))
common.footer()

"""About these figures: where they come from, how they are worked out and protected."""

from __future__ import annotations

import streamlit as st

from dashboard.public import common, content

common.apply_style()
st.set_page_config(page_title=common.page_title(content.METHODS_TITLE))
st.title(content.METHODS_TITLE, anchor=False)
common.render(content.methods())
common.footer()

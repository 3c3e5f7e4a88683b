"""Outcomes: each public measure of an area, grouped by its strategy's themes."""

from __future__ import annotations

import streamlit as st

from dashboard.public import common
from measures import public

common.apply_style()
st.set_page_config(page_title=common.page_title("Outcomes"))
heading = st.empty()
area = common.choose_area()
if area is None:
    heading.title("Carers' outcomes", anchor=False)
    st.stop()

heading.title(f"Carers' outcomes in {area.name}", anchor=False)
st.set_page_config(page_title=common.page_title(f"Outcomes in {area.name}"))
figures = common.area_figures(area)
quarters = public.published_quarters(figures)
if not quarters:
    st.info(f"No quarter has been published for {area.name} yet.")
    st.stop()

quarter = st.selectbox("Quarter", list(reversed(quarters)), key="quarter", bind="query-params")
common.render(common.outcome_blocks(area, quarter, figures, common.publications(area)))
common.footer()

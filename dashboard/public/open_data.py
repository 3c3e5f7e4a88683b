"""Open data: the published figures as CSV, with a data dictionary and a data package."""

from __future__ import annotations

import json

import streamlit as st

from dashboard.public import common, content
from measures import public

common.apply_style()
st.set_page_config(page_title=common.page_title(content.OPEN_DATA_TITLE))
st.title(content.OPEN_DATA_TITLE, anchor=False)
area = common.choose_area()
if area is None:
    st.stop()

catalogue = common.catalogue()
figures = common.area_figures(area)
table = public.open_data(figures, area=area, catalogue=catalogue)
common.render([content.open_data_summary(area, table, public.published_quarters(figures))])
st.download_button(
    content.download_label(area),
    public.open_data_csv(figures, area=area, catalogue=catalogue),
    file_name=public.figures_file(area.id),
    mime="text/csv",
    on_click="ignore",
    key="download_figures",
)

common.render(content.dictionary_intro())
st.download_button(
    content.DICTIONARY_LABEL,
    public.data_dictionary_csv(catalogue),
    file_name=public.DICTIONARY_FILE,
    mime="text/csv",
    on_click="ignore",
    key="download_dictionary",
)
st.download_button(
    content.PACKAGE_LABEL,
    json.dumps(public.data_package(catalogue, common.areas().values()), indent=2),
    file_name="datapackage.json",
    mime="application/json",
    on_click="ignore",
    key="download_package",
)
common.render([content.Text(content.PACKAGE_NOTE), *content.dictionary_tables(catalogue)])
common.footer()

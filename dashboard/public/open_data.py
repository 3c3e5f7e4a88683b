"""Open data: the published figures as CSV, with a data dictionary."""

from __future__ import annotations

import json

import streamlit as st

from dashboard.public import common
from measures import public

common.apply_style()
st.set_page_config(page_title=common.page_title("Open data"))
st.title("Open data", anchor=False)
area = common.choose_area()
if area is None:
    st.stop()

catalogue = common.catalogue()
figures = common.area_figures(area)
table = public.open_data(figures, area=area, catalogue=catalogue)
quarters = public.published_quarters(figures)

st.markdown(
    f"Every published figure for {area.name}: {len(table):,} rows covering "
    f"{len(quarters)} published {'quarter' if len(quarters) == 1 else 'quarters'}"
    + (f" ({quarters[0]} to {quarters[-1]})" if quarters else "")
    + ", for the whole area and broken down by group. Figures are free to reuse. "
    "Suppressed figures are blank with `suppressed` set to true: hidden, never zero."
)
st.download_button(
    f"Download the published figures for {area.name} (CSV)",
    public.open_data_csv(figures, area=area, catalogue=catalogue),
    file_name=public.figures_file(area.id),
    mime="text/csv",
    on_click="ignore",
    key="download_figures",
)

st.header("Data dictionary")
st.markdown("What each column of the file holds, and what each measure means.")
st.download_button(
    "Download the data dictionary (CSV)",
    public.data_dictionary_csv(catalogue),
    file_name=public.DICTIONARY_FILE,
    mime="text/csv",
    on_click="ignore",
    key="download_dictionary",
)

st.download_button(
    "Download the data package description (datapackage.json)",
    json.dumps(public.data_package(catalogue, common.areas().values()), indent=2),
    file_name="datapackage.json",
    mime="application/json",
    on_click="ignore",
    key="download_package",
)
st.markdown(
    "The data package describes every file as a "
    "[Frictionless](https://specs.frictionlessdata.io/) table schema, so the files can be "
    "checked and loaded by standard tools. Areas are identified by their council's GSS code."
)

st.subheader("Columns")
columns = public.column_dictionary().rename(
    columns={"column": "Column", "title": "Title", "meaning": "Meaning"}
)
st.html(common.html_table(columns, caption="Columns of the published figures", row_header="Column"))

st.subheader("Measures")
measures = public.measure_dictionary(catalogue)
measures["polarity"] = measures["polarity"] + ": " + measures.pop("polarity_meaning")
measures = measures.drop(columns=["description"]).rename(
    columns={
        "id": "Measure id",
        "title": "Title",
        "definition": "Definition",
        "unit": "Unit",
        "polarity": "Polarity",
    }
)
st.html(
    common.html_table(
        measures, caption="Measures in the published figures", row_header="Measure id"
    )
)
common.footer()

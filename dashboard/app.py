"""The internal dashboard's entry point."""

import streamlit as st

st.set_page_config(page_title="Carers impact measures", layout="wide")
st.title("Carers impact measures")
st.write(
    "The demo database is built. Use `carers-impact submissions` and "
    "`carers-impact measures` for the loaded extracts and computed measures."
)

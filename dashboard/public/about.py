"""About these figures: where they come from, how privacy is protected, accessibility."""

from __future__ import annotations

import streamlit as st

from dashboard.public import common
from measures import public

common.apply_style()
st.set_page_config(page_title=common.page_title("About these figures"))
st.title("About these figures")

st.header("Where the figures come from")
st.markdown(
    "Each local partnership of the council, the NHS and the voluntary sector sends "
    "pseudonymised records every quarter: carers known to services, carers' assessments, "
    "breaks from caring, and carers' answers to an outcome survey. The measures are "
    "worked out from those records. A quarter appears here only once the partnership "
    "has checked and published it; until then it is provisional and not shown."
)

st.header("How privacy is protected")
st.markdown("\n".join(f"- {rule}" for rule in public.PRIVACY_RULES))

st.header("How to read the headlines")
st.markdown(
    "Each headline compares the chosen quarter with the same quarter a year earlier, so "
    "seasonal patterns do not mislead. Percentages and averages come from samples, so "
    "each has a 95% confidence interval: a change is reported only when the earlier "
    "figure lies outside that interval, otherwise the headline says *about the same*. "
    "Percentages and rates are worked out from numbers rounded to the nearest 5 and their "
    "intervals allow for the rounding, so a small group's interval is wide. Counts are whole "
    "registers, rounded to the nearest 5, and a change is reported when the rounded figures "
    "differ."
)

st.header("Accessibility")
st.markdown(
    "This site aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at "
    "level AA. Every chart has a written summary and a table of its figures; progress "
    "is always given in words, never by colour alone; and every control can be used "
    "with a keyboard. The figures can also be downloaded as a CSV file from the "
    "Open data page."
)
common.footer()

"""About these figures: where they come from, how privacy is protected, accessibility."""

from __future__ import annotations

import streamlit as st

from dashboard.public import common
from measures.public import MIN_DENOMINATOR, ROUNDING_BASE, SMALL_COUNT_MAX

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
st.markdown(
    f"- Counts are rounded to the nearest {ROUNDING_BASE}.\n"
    f"- A count of 1 to {SMALL_COUNT_MAX} is shown as `*` and hidden.\n"
    f"- A percentage, rate or average based on fewer than {MIN_DENOMINATOR} carers is "
    "shown as `*` and hidden.\n"
    "- Where one group of a breakdown is hidden, the next smallest is hidden too, so "
    "the hidden figure cannot be worked out from the total.\n"
    "- Hidden figures are missing, never zero. Headlines say *about the same* when a "
    "figure needed for the comparison is hidden."
)

st.header("How to read the headlines")
st.markdown(
    "Each headline compares the chosen quarter with the same quarter a year earlier, so "
    "seasonal patterns do not mislead. Percentages and averages come from samples, so "
    "each has a 95% confidence interval: a change is reported only when the earlier "
    "figure lies outside that interval, otherwise the headline says *about the same*. "
    "Counts are whole registers, rounded to the nearest 5, and a change is reported "
    "when the rounded figures differ."
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

"""Scorecard: every measure of the area's strategy, grouped under its own themes."""

import streamlit as st

from dashboard import auth, components, data, markup
from dashboard import format as fmt
from dashboard.navigation import MEASURE_PAGE

user = auth.require_role("viewer")

st.title("Scorecard")
left, right = st.columns(2)
with left:
    area = components.area_picker(default=components.default_area(user))
quarters = data.quarters(area.id)
if not quarters:
    st.info(
        f"There are no figures for {area.name} yet. They appear once its organisations' "
        "extracts are loaded."
    )
    st.stop()
with right:
    period = components.period_picker(quarters, label="As at quarter", area=area.id)

strategy = area.strategy
st.markdown(
    f"**{strategy.title}** ({strategy.period}): {strategy.framework}."
    + (f" [Read the strategy]({strategy.source})." if strategy.source else "")
)
card = data.scorecard(area.id, period)
provisional = period not in set(
    data.publication_status(area.id).query("published")["period"].tolist()
)
st.caption(
    f"Figures as at {period}"
    + (" (provisional: not yet published)" if provisional else " (published)")
    + ". Status compares the latest value with the straight-line trajectory from the "
    "baseline to the 2025 and 2027 targets; variation is from the measure's SPC chart."
)

measures = card.drop_duplicates("measure_id")
counts = measures["status"].value_counts()
columns = st.columns(5)
for column, status in zip(columns, fmt.STATUS_WORDS, strict=True):
    column.metric(fmt.STATUS_WORDS[status], int(counts.get(status, 0)))

with st.container(border=True):
    titles = dict(zip(measures["measure_id"], measures["title"], strict=True))
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        measure_id = st.selectbox(
            "Open a measure's page",
            list(titles),
            format_func=titles.get,
            key="scorecard_open_measure",
        )
    with go:
        st.page_link(
            MEASURE_PAGE,
            label="Open measure page",
            icon=":material/arrow_forward:",
            query_params={"area": area.id, "measure": measure_id}
            | ({"period": period} if "period" in st.query_params else {}),
        )

for theme in area.themes:
    rows = card[card["theme_id"] == theme.id]
    if rows.empty:
        continue
    st.header(theme.title)
    described = f"{theme.kind.capitalize()}" + (f", {theme.period}" if theme.period else "")
    st.caption(f"{described}: {theme.description}")
    st.html(markup.scorecard_table(rows, caption=f"{theme.title}: measures as at {period}"))

components.download_csv(
    card,
    filename=f"scorecard_{area.id}_{period.replace(' ', '_')}.csv",
    label="Download the scorecard as CSV",
)

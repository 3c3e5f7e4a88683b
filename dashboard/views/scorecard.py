"""Scorecard: one row per measure of the area's strategy, its themes as tags and a filter."""

import streamlit as st

from dashboard import auth, components, data, markup
from dashboard import format as fmt

user = auth.require_role("viewer")

st.title("Scorecard")
left, right, theme_column = st.columns(3)
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
card = data.scorecard(area.id, period)
provisional = period not in set(
    data.publication_status(area.id).query("published")["period"].tolist()
)
st.markdown(
    f"**{strategy.title}** ({strategy.period}): {strategy.framework}."
    + (f" [Read the strategy]({strategy.source})." if strategy.source else "")
    + f" Figures as at {period}"
    + (" (provisional: not yet published)" if provisional else " (published)")
    + "; open a measure by its name."
)

STATUSES = ["all", *fmt.STATUS_WORDS]
counts = card["status"].value_counts()
filters = st.columns([3, 1], vertical_alignment="bottom")
with filters[0]:
    shown_status = st.radio(
        "Show measures",
        STATUSES,
        horizontal=True,
        key="scorecard_status",
        format_func=lambda s: (
            f"All ({len(card)})"
            if s == "all"
            else f"{fmt.STATUS_WORDS[s]} ({int(counts.get(s, 0))})"
        ),
        help="The count of measures with each status; choose one to show only those.",
    )
with filters[1]:
    themes = {t.id: t.title for t in area.themes if any(m in t.measures for m in card.measure_id)}
    shown_theme = st.selectbox(
        "Theme",
        ["all", *themes],
        key="scorecard_theme",
        format_func=lambda t: "Every theme" if t == "all" else themes[t],
    )
rows = card
if shown_status != "all":
    rows = rows[rows["status"] == shown_status]
if shown_theme != "all":
    rows = rows[rows["themes"].map(lambda ids: shown_theme in ids)]
chosen = period if "period" in st.query_params else None
described = (
    f"{len(rows)} of {len(card)} measures"
    + ("" if shown_status == "all" else f", {fmt.STATUS_WORDS[shown_status].lower()}")
    + ("" if shown_theme == "all" else f", theme {themes[shown_theme]}")
    + f", as at {period}"
)

VIEWS = ["Summary", "Changes, forecasts and what they mean"]
summary, details = st.tabs(VIEWS, key="view", bind="query-params")
if rows.empty:
    st.info("No measure matches the filters chosen.")
elif summary.open:
    with summary:
        st.html(
            markup.summary_table(
                rows, caption=described, area=area.id, period=chosen, period_shown=period
            )
        )
        st.caption(
            "Variation (Making Data Count): grey dots common cause; H or L a special cause, "
            "high or low, blue improvement, orange concern, purple neither. Assurance against "
            "the trajectory for the coming four quarters: P consistently passes, F consistently "
            "fails, ? hit and miss. A dashed circle: no icon yet (its text says why)."
        )
elif details.open:
    with details:
        records = data.stories(area.id)
        latest_story = {}
        for record in records.to_dict("records"):  # newest quarter first
            if fmt.quarter_index(record["period"]) <= fmt.quarter_index(period):
                latest_story.setdefault(record["measure_id"], record)
        st.html(
            markup.detail_table(
                rows, caption=described, area=area.id, period=chosen, stories=latest_story
            )
        )
        st.caption(
            "A change is better or worse only when it is statistically significant (5% level): "
            "counts by an exact Poisson test, percentages by a two-proportion test, means by "
            "their intervals; otherwise it is no significant change. The forecast carries the "
            "straight-line trend since the latest process change to the next target's quarter, "
            "with a 95% prediction interval."
        )

components.download_csv(
    fmt.scorecard_download(card),
    filename=f"scorecard_{area.id}_{period.replace(' ', '_')}.csv",
    label="Download the scorecard as CSV",
)

"""Outcomes: each public measure of an area, grouped by its strategy's themes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from carers_impact.periods import Quarter
from dashboard.public import common
from dashboard.public.charts import trend_chart
from dashboard.text import plain
from measures import public
from measures.public import NO_TARGET, Figure, Measure, ThemeGroup, figure_for

common.apply_style()
st.set_page_config(page_title=common.page_title("Outcomes"))
heading = st.empty()
area = common.choose_area()
if area is None:
    heading.title("Carers' outcomes")
    st.stop()

heading.title(f"Carers' outcomes in {area.name}")
st.set_page_config(page_title=common.page_title(f"Outcomes in {area.name}"))
figures = common.area_figures(area)
quarters = public.published_quarters(figures)
if not quarters:
    st.info(f"No quarter has been published for {area.name} yet.")
    st.stop()

quarter = st.selectbox("Quarter", list(reversed(quarters)), key="quarter", bind="query-params")
strategy = area.strategy
st.markdown(
    f"How carers in {area.name} are doing, measure by measure, against the partnership's "
    f"strategy *{strategy.title}* ({strategy.period}). Showing **{quarter}** "
    f"({public.describe_quarter(quarter)}), compared with the same quarter a year earlier. "
    "Only published figures are shown, and small numbers are hidden to protect privacy."
)

publications = common.publications(area)
notes = publications.set_index("period", drop=False)
if quarter in notes.index:
    st.markdown(plain(public.publication_note(notes.loc[quarter].to_dict())))
for row in publications[publications["status"] == "withdrawn"].to_dict("records"):
    st.warning(plain(public.publication_note(row)))

groups = public.theme_groups(area, common.catalogue(), with_figures=set(figures["measure_id"]))


def _theme_anchor(group: ThemeGroup) -> str:
    return f"theme-{group.theme.id}" if group.theme else "theme-other"


def _theme_title(group: ThemeGroup) -> str:
    return group.theme.title if group.theme else "Other measures"


st.markdown(
    "**Themes of the strategy:**\n\n"
    + "\n".join(f"- [{_theme_title(g)}](#{_theme_anchor(g)})" for g in groups)
)


def _value_line(series: list[Figure], measure: Measure) -> str:
    latest = figure_for(series, quarter)
    if latest is None:
        return f"No figure has been published for {quarter}."
    text = f"**{quarter}: {plain(latest.text)}**"
    if latest.suppressed:
        text += f" ({public.suppressed_note(measure.unit)})"
    elif latest.interval_text:
        text += f" ({latest.interval_text})"
    earlier_period = Quarter.parse(quarter).shift(-4).label
    earlier = figure_for(series, earlier_period)
    if earlier is not None:
        text += f". A year earlier, {earlier_period}: {plain(earlier.text)}"
        if earlier.suppressed:
            text += f" ({public.suppressed_note(measure.unit)})"
    return text + "."


def _table(series: list[Figure], measure: Measure) -> str:
    rows = []
    for f in series:
        row = {"Quarter": f.period, "Value": f.text}
        if measure.unit != "count":
            row["95% confidence interval"] = (
                "" if f.suppressed else f.interval_text.removeprefix("95% confidence interval ")
            )
        row["Note"] = public.figure_note(measure.unit, suppressed=f.suppressed)
        rows.append(row)
    return common.html_table(
        pd.DataFrame(rows),
        caption=f"{measure.title}, {area.name}: each published quarter",
        row_header="Quarter",
        numeric=("Value",),
    )


def _measure_in_full(measure: Measure, series: list[Figure], *, anchor: str) -> None:
    st.subheader(measure.title, anchor=anchor)
    news = public.headline(measure, series, period=quarter)
    st.markdown(f"**{news.text}** {news.judgement_text}")
    st.markdown(_value_line(series, measure))
    st.markdown(f"**What this measures.** {measure.description}")
    target = public.target_summary(measure, area, figures, period=quarter)
    if target.status == NO_TARGET:
        st.markdown(f"**Target.** {target.status_text}.")
    else:
        lines = " ".join(line for line in (target.baseline, *target.targets) if line)
        st.markdown(f"**Target.** {lines} **Progress: {target.status_text}.**")
    summary = public.trend_summary(measure, series)
    if not any(f.value is not None and not f.suppressed for f in series):
        st.markdown(f"**No chart:** there is no figure that can be shown. {plain(summary)}")
        return
    chart = trend_chart(measure, series, area_name=area.name, description=summary)
    st.altair_chart(chart, width="stretch", theme=None)
    st.markdown(f"**Chart summary.** {plain(summary)}")
    with st.expander(f"Table of the figures: {measure.title}"):
        st.html(_table(series, measure))


def _measure_again(measure: Measure, series: list[Figure], *, anchor: str, first: str) -> None:
    st.subheader(measure.title, anchor=anchor)
    news = public.headline(measure, series, period=quarter)
    st.markdown(f"**{news.text}** {news.judgement_text}")
    st.markdown(_value_line(series, measure))
    st.markdown(f"[Chart, target and table for {measure.title}](#{first})")


def _show(groups: list[ThemeGroup]) -> None:
    """Each theme with its measures; a measure under several themes is shown in full once."""
    shown: dict[str, str] = {}
    for group in groups:
        st.header(_theme_title(group), anchor=_theme_anchor(group))
        if group.theme:
            kind = group.theme.kind.capitalize()
            if group.theme.period:
                kind += f" for {group.theme.period}"
            st.markdown(f"*{kind}.* {group.theme.description}")
        for measure in group.measures:
            series = public.quarterly_series(figures, measure.id)
            anchor = f"{_theme_anchor(group)}-{measure.id}"
            if measure.id in shown:
                _measure_again(measure, series, anchor=anchor, first=shown[measure.id])
            else:
                shown[measure.id] = anchor
                _measure_in_full(measure, series, anchor=anchor)


_show(groups)
common.footer()

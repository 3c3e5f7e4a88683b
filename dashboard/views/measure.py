"""Measure page: the series against its targets, SPC, who is missed, comparisons, the story."""

import pandas as pd
import streamlit as st

from dashboard import auth, charts, components, data, markup
from dashboard import format as fmt
from dashboard.text import plain
from measures import api

BREAKDOWN_NAMES = {
    "age_band": "Age",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "locality": "Locality",
    "hours_band": "Hours of care a week",
    "organisation": "Organisation",
    "break_type": "Type of break",
}

user = auth.require_role("viewer")
components.flash()

heading = st.empty()  # the title goes first on the page, once the measure is known
area = components.area_picker(default=components.default_area(user))
catalogue = api.catalogue()
measure_ids = [m for m in area.measure_ids if m in catalogue]
left, right = st.columns(2)
with left:
    measure_id = components.picker(
        "Measure",
        measure_ids,
        param="measure",
        format_func=lambda m: catalogue[m].title,
    )
quarters = data.quarters(area.id)
if not quarters:
    heading.title(catalogue[measure_id].title)
    st.info(f"There are no figures for {area.name} yet.")
    st.stop()
with right:
    period = components.period_picker(quarters, label="As at quarter", area=area.id)

detail = data.measure_detail(area.id, measure_id, period)
measure, unit = detail.measure, detail.measure.unit
assessment = detail.assessment
slug = f"{area.id}_{measure_id}_{period.replace(' ', '_')}"

heading.title(measure.title)
st.write(measure.description)
st.caption(
    f"{area.name} · {fmt.POLARITY_WORDS[measure.polarity]} · {measure.rba_question} · "
    f"Themes: {', '.join(t.title for t in area.themes_for(measure_id)) or 'none'}"
)

series = detail.series.dropna(subset=["value"])
latest = series["value"].iloc[-1] if len(series) else None
outlook, changes = detail.outlook, detail.changes
records = data.stories(area.id, measure_id)
events = [(c.period, f"Process change: {c.reason}") for c in outlook.applied_changes] + [
    (fmt.quarter_of(r["event_date"]), f"{r['event']} ({r['event_date']:%d/%m/%Y})")
    for r in records.to_dict("records")
    if isinstance(r["event"], str) and r["event"]
]
one, two, three, four = st.columns(4)
one.metric(
    f"Latest ({detail.period or 'no data'})",
    fmt.number(latest, unit),
    delta=fmt.signed_change(
        changes["change_on_previous"], unit, verdict=changes["previous_verdict"]
    ),
    delta_color=fmt.delta_colour(changes["previous_verdict"], measure.polarity),
    help="The change on the previous quarter; coloured only when statistically significant.",
)
two.metric(
    f"Baseline ({assessment.baseline_period})" if assessment.baseline_period else "Baseline",
    fmt.number(assessment.baseline_value, unit),
    delta=fmt.signed_change(
        changes["change_on_baseline"], unit, verdict=changes["baseline_verdict"]
    ),
    delta_color=fmt.delta_colour(changes["baseline_verdict"], measure.polarity),
    help="The latest value's change since the baseline; coloured only when significant.",
)
three.metric("Expected on the trajectory", fmt.number(assessment.expected, unit))
with four:
    st.markdown("**Status, variation and assurance**")
    chart_reason = (
        "too few quarters for control limits" if detail.spc_kind == "run" else detail.spc_reason
    )
    st.html(
        markup.status_tag(assessment.status)
        + " "
        + markup.variation_icon(
            outlook.variation, direction=outlook.variation_direction, reason=chart_reason
        )
        + " "
        + markup.assurance_icon(outlook.assurance, reason=outlook.assurance_reason)
    )
st.markdown(f"**{outlook.story}**")
year = fmt.change(changes["change_on_year"], unit, verdict=changes["year_verdict"])
if year != "–":
    st.write(f"On a year ago ({changes['year_ago_period']}): {year}.")
forecast = fmt.forecast_sentence(
    {
        "forecast_value": getattr(outlook.forecast, "value", None),
        "forecast_lower": getattr(outlook.forecast, "lower", None),
        "forecast_upper": getattr(outlook.forecast, "upper", None),
        "forecast_period": getattr(outlook.forecast, "period", None),
        "forecast_outlook": getattr(outlook.forecast, "outlook", None),
        "forecast_reason": outlook.forecast_reason,
        "next_target": outlook.next_target[2] if outlook.next_target else None,
        "next_target_label": outlook.next_target[0] if outlook.next_target else None,
    },
    unit=unit,
)
if forecast:
    st.write(forecast)
if outlook.suggested_change:
    st.info(
        f"The values have stayed on one side of the mean since {outlook.suggested_change}: a "
        "sustained shift, with no process change configured there. If the cause is known "
        f"(a new service, a new source of data), add a change at {outlook.suggested_change} to "
        "this measure in the area's configuration so the control limits are recalculated "
        "from it.",
        icon=":material/info:",
    )


def show_trend() -> None:
    """The series with its 95% band, baseline, targets and the trajectory to them."""
    if series.empty:
        st.info("No values yet for this measure.")
    else:
        st.altair_chart(
            charts.measure_chart(
                detail.series,
                unit=unit,
                title=f"{measure.title}, {area.name}",
                trajectory=detail.trajectory,
                targets=detail.targets,
                baseline=detail.baseline,
                events=events,
            ),
            width="stretch",
        )
        if len(detail.baseline):
            st.caption(f"Baseline source: {detail.baseline['source'].iloc[0]}.")
        table = fmt.tidy(detail.series.merge(detail.trajectory, on="period", how="left"), unit=unit)
        with st.expander("The figures behind the chart"):
            st.dataframe(table, hide_index=True)
        components.download_csv(table, filename=f"series_{slug}.csv")
        if len(detail.targets):
            components.download_csv(
                fmt.tidy(
                    pd.concat([detail.baseline, detail.targets], ignore_index=True), unit=unit
                ),
                filename=f"targets_{slug}.csv",
                label="Download baseline and targets as CSV",
            )


def show_control_chart() -> None:
    """The SPC chart, or the run chart and why."""
    st.write(detail.spc_reason)
    if detail.spc is not None:
        attrs = detail.spc.attrs
        st.markdown(f"**{fmt.variation(attrs.get('variation'), chart=detail.spc_kind)}**")
        if attrs.get("assurance"):
            against = (
                "the trajectory's values for the coming four quarters"
                if outlook.assurance_against == "trajectory"
                else "the next target"
            )
            st.write(
                fmt.assurance(attrs["assurance"], against=outlook.assurance_against)
                + f" (judged against {against})."
            )
        st.altair_chart(
            charts.spc_chart(
                detail.spc,
                kind=detail.spc_kind,
                unit=unit,
                title=f"{measure.title}: {'XmR' if detail.spc_kind == 'xmr' else 'run'} chart",
                targets=outlook.assurance_targets if detail.spc_kind == "xmr" else (),
                events=events,
            ),
            width="stretch",
        )
        flagged = detail.spc[detail.spc["rule"] != ""]
        if len(flagged):
            st.write(
                "Special cause points: "
                + "; ".join(
                    f"{p} ({fmt.SPECIAL_CAUSE_RULES.get(r, r)}, {c or 'neither better nor worse'})"
                    for p, r, c in zip(
                        flagged["period"], flagged["rule"], flagged["special_cause"], strict=True
                    )
                )
                + "."
            )
        components.download_csv(fmt.tidy(detail.spc, unit=unit), filename=f"spc_{slug}.csv")


def show_who_is_missed() -> None:
    """The latest quarter by each breakdown: which carers are reached."""
    if detail.breakdowns.empty:
        st.info("This measure has no breakdowns for the quarter shown.")
    else:
        st.write(
            f"How the {detail.period} figure splits by the carers' characteristics, to show "
            "which groups of carers are reached and which may be missed."
            + (
                " Shares are of the whole-area figure; a carer known to two organisations "
                "counts in both."
                if unit == "count"
                else ""
            )
        )
        present = [b for b in api.BREAKDOWNS if b in set(detail.breakdowns["breakdown"])]
        for breakdown in present:
            cells = detail.breakdowns[detail.breakdowns["breakdown"] == breakdown]
            name = BREAKDOWN_NAMES.get(breakdown, breakdown)
            st.altair_chart(
                charts.breakdown_chart(
                    cells, unit=unit, title=f"{measure.title} by {name.lower()}, {detail.period}"
                ),
                width="stretch",
            )
        components.download_csv(
            fmt.tidy(detail.breakdowns, unit=unit), filename=f"breakdowns_{slug}.csv"
        )


def show_comparisons() -> None:
    """The other areas of the deployment and published national figures."""
    if detail.period:
        others = data.compare_areas(measure_id, detail.period)
        st.header(f"The areas of this deployment, {detail.period}")
        by_rate = unit == "count" and others["per_1000"].notna().any()
        st.caption(
            f"The comparator is the {len(others)} areas held in this dashboard"
            + (" (the five demo areas)" if len(others) == 5 else "")
            + ", not every council in England."
            + (
                " A count grows with the size of the area, so areas are compared per 1,000 "
                "people providing unpaid care (Census 2021)."
                if by_rate
                else ""
            )
        )
        if len(others):
            shown = others
            chart_unit, chart_title = unit, f"{measure.title}, {detail.period}"
            if by_rate:
                shown = others.assign(value=others["per_1000"], lower_ci=None, upper_ci=None)
                chart_unit = "rate"
                chart_title = (
                    f"{measure.title} per 1,000 people providing unpaid care, {detail.period}"
                )
            st.altair_chart(
                charts.comparison_chart(
                    shown, unit=chart_unit, title=chart_title, highlight=area.id
                ),
                width="stretch",
            )
            components.download_csv(
                fmt.tidy(others, unit=unit),
                filename=f"areas_{measure_id}_{detail.period.replace(' ', '_')}.csv",
            )
    national = data.national_benchmarks(area.id, measure_id)
    st.header("Published national figures (ASCOF)")
    if national.empty:
        st.info(
            "NHS England does not publish this measure in the Adult Social Care Outcomes "
            "Framework, so there is no national comparison."
        )
    else:
        code = national["ascof_code"].iloc[0]
        councils = sorted(set(national["comparator_councils"]))
        note = (
            "The median is over only the five demo areas' published figures"
            if max(councils) <= 5
            else "The median is over every council published that year "
            f"({', '.join(str(c) for c in councils)} councils)"
        )
        st.caption(
            f"ASCOF {code}, from the Survey of Adult Carers in England (NHS England). {note}. "
            "This dashboard's own figure for a financial year is shown beside it where there "
            "is one, with its 95% interval: Better, Similar or Worse than the median council "
            "as the interval lies above, around or below it (the published data give no "
            "England figure, so the median council stands in for it)."
        )
        judged = national[national["compared"] != ""]
        for row in judged.to_dict("records"):
            st.write(
                f"In {row['period']}, {area.name}'s own figure "
                f"({fmt.number(row['our_value'], unit)}, 95% interval "
                f"{fmt.number(row['our_lower_ci'], unit)} to "
                f"{fmt.number(row['our_upper_ci'], unit)}) is **{row['compared'].lower()}** "
                f"than the median council's published {fmt.number(row['comparator_median'], unit)}"
                f" ({row['comparator_councils']} councils)."
            )
        st.altair_chart(
            charts.benchmark_chart(
                national, unit=unit, title=f"ASCOF {code}: {measure.title}", area_name=area.name
            ),
            width="stretch",
        )
        published = fmt.tidy(national, unit=unit).rename(columns={"Quarter": "Year"})
        st.table(published, hide_index=True)
        components.download_csv(published, filename=f"ascof_{area.id}_{measure_id}.csv")
        show_spine()


def spine_verdict(spine: api.Spine) -> str:
    """The area's figure for the spine's year against England (or the median council), in words."""
    against = (
        f"England ({fmt.number(spine.comparator, unit)})"
        if spine.comparator_name == "England"
        else f"the median council ({fmt.number(spine.comparator, unit)}; the published data "
        "give no England value)"
    )
    if spine.value is None:
        return f"{area.name} has no figure for {spine.period}, so it is not compared."
    if not spine.compared:
        return (
            f"{area.name}'s {spine.period} figure is its published value "
            f"({fmt.number(spine.value, unit)}), which has no 95% interval, so it is not "
            f"judged Better, Similar or Worse than {against}."
        )
    return (
        f"{area.name}'s own {spine.period} figure ({fmt.number(spine.value, unit)}, 95% "
        f"interval {fmt.number(spine.lower_ci, unit)} to {fmt.number(spine.upper_ci, unit)}) "
        f"is **{spine.compared}** than {against}"
        + (
            ": the interval holds it."
            if spine.compared == "Similar"
            else ": the whole interval lies "
            f"{'above' if spine.lower_ci > spine.comparator else 'below'} it."
        )
    )


def show_spine() -> None:
    """The area among every council of England in the latest year published for them all."""
    spine = data.national_spine(area.id, measure_id)
    if spine is None:
        st.caption(
            "No year of this ASCOF measure is published for every council of England, so "
            "there is no spine chart."
        )
        return
    title = (
        f"ASCOF {spine.ascof_code}, {spine.period}: {area.name} among the "
        f"{spine.councils} councils of England"
    )
    st.subheader(f"{area.name} among all councils of England, {spine.period}")
    st.write(spine_verdict(spine))
    st.altair_chart(
        charts.spine_chart(spine, unit=unit, title=title, area_name=area.name), width="stretch"
    )
    st.caption(
        "The grey line runs from the lowest to the highest council and the blue band is the "
        "middle half of councils (25th to 75th percentile). "
        + charts.spine_description(spine, unit=unit, title=title, area_name=area.name)
    )
    figures = charts.spine_rows(spine, area_name=area.name).rename(
        columns={
            "what": "Figure",
            "value": "Value",
            "lower_ci": "Lower 95% CI",
            "upper_ci": "Upper 95% CI",
        }
    )
    for column in ("Value", "Lower 95% CI", "Upper 95% CI"):
        figures[column] = figures[column].map(lambda v: fmt.number(v, unit))
    st.table(figures, hide_index=True)


def parse_partners(text: str) -> list[tuple[str, str]]:
    """One partner a line, "partner: role"; a line without a role keeps an empty role."""
    pairs = []
    for line in (text or "").splitlines():
        if line.strip():
            name, _, role = line.partition(":")
            pairs.append((name.strip(), role.strip()))
    return pairs


def show_story() -> None:
    """The turn-the-curve records by quarter, a form to add one, and the older free notes."""
    st.write(
        "The story behind the curve, as a Results-Based Accountability turn-the-curve "
        "record for each quarter: why the line looks as it does, the partners with a role "
        "to play, what works, and the action plan from the strategy's actions. A dated event "
        "is drawn on the charts."
    )
    titles = {a.id: a.title for a in area.actions}
    with st.form("add_story", clear_on_submit=True):
        quarter = st.selectbox(
            "Quarter the story is about",
            quarters,
            index=quarters.index(period),
            key="story_quarter",
        )
        story = st.text_area("The story behind the curve", max_chars=5000, key="story_text")
        partners = st.text_area(
            "Partners with a role to play (one a line: partner: role)",
            key="story_partners",
            max_chars=5000,
        )
        works = st.text_area("What works", max_chars=5000, key="story_works")
        plan = st.multiselect(
            "Action plan: the strategy actions that will turn the curve",
            list(titles),
            format_func=titles.get,
            key="story_actions",
        )
        event = st.text_input("A dated event to show on the charts (optional)", key="story_event")
        event_date = st.date_input(
            "Date of the event", value=None, format="DD/MM/YYYY", key="story_event_date"
        )
        if st.form_submit_button("Save the story", key="story_save"):
            try:
                data.add_story(
                    area=area.id,
                    measure_id=measure_id,
                    period=quarter,
                    story=story,
                    partners=parse_partners(partners),
                    what_works=works,
                    actions=plan,
                    event=event,
                    event_date=event_date,
                    author=user.username,
                )
            except api.InvalidStory as exc:
                st.error(plain(exc))
            else:
                components.flash(f"The story behind the curve for {quarter} is saved.")
                st.rerun()
    if records.empty:
        st.info("No story behind the curve yet for this measure.")
    else:
        for record in records.to_dict("records"):
            st.html(markup.curve_story(record, action_titles=titles))
        components.download_csv(
            fmt.story_download(records, action_titles=titles),
            filename=f"stories_{area.id}_{measure_id}.csv",
            label="Download the stories as CSV",
        )
    notes = data.comments(area.id, measure_id)
    if not notes.empty:
        st.subheader("Earlier notes")
        for note in notes.to_dict("records"):
            st.html(
                markup.comment(
                    note["text"],
                    author=note["author"],
                    written_at=note["written_at"],
                    period=note["period"],
                )
            )
        components.download_csv(
            fmt.tidy(notes, unit=unit), filename=f"commentary_{area.id}_{measure_id}.csv"
        )


def show_definition() -> None:
    """What the measure counts and how, with its baseline and targets."""
    st.markdown(f"**What it counts.** {measure.description}")
    st.markdown(f"**How it is computed.** {measure.definition}")
    facts = pd.DataFrame(
        [
            ("Unit", measure.unit),
            ("Better direction", fmt.POLARITY_WORDS[measure.polarity]),
            ("Question it answers", measure.rba_question),
            ("Source extracts", ", ".join(measure.sources)),
            (
                "Breakdowns",
                ", ".join(BREAKDOWN_NAMES.get(b, b) for b in measure.breakdowns) or "none",
            ),
            ("On the public view", "yes" if measure.public else "no"),
            ("ASCOF measure", measure.ascof_code or "none"),
            (
                "Baseline",
                f"{fmt.number(assessment.baseline_value, unit)} ({assessment.baseline_period})"
                if assessment.baseline_period
                else "none",
            ),
            (
                "Targets",
                "; ".join(
                    f"{label}: {fmt.number(v, unit)} by {p}"
                    for label, p, v in detail.targets.itertuples(index=False)
                )
                or "none",
            ),
        ],
        columns=["Item", "Detail"],
    )
    st.table(facts, hide_index=True)


TABS = {
    "Trend and targets": show_trend,
    "Control chart (SPC)": show_control_chart,
    "Who is missed": show_who_is_missed,
    "Other areas and national": show_comparisons,
    "Story behind the curve": show_story,
    "Definition": show_definition,
}
# The open tab is kept in the URL (?view=...), so it survives a rerun and can be
# shared; only the open tab's content is built.
for container, show in zip(
    st.tabs(list(TABS), key="view", bind="query-params"), TABS.values(), strict=True
):
    if container.open:
        with container:
            show()

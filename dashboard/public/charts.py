"""Chart builders for the public view: each returns an `alt.Chart`, titled and described.

The same specification is drawn by Streamlit in the browser and rendered as SVG
for the static edition, so both show exactly the same chart.
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from carers_impact.periods import Quarter
from measures.public import Figure, Measure, TargetLine

LINE_COLOUR = "#1d4f91"  # 8.6:1 on white
TRAJECTORY_COLOUR = "#6f2c91"  # 8.9:1 on white, dashed
BAND_COLOUR = "#9fb8dc"

TEXT_COLOUR = "#0b0c0c"
UNIT_AXIS = {"count": "Number", "percent": "Per cent", "rate": "Per 100", "mean": "Average"}
UNIT_NOTE = {
    "count": "Numbers rounded to the nearest 5",
    "percent": "Per cent",
    "rate": "Per 100 people providing unpaid care (Census 2021)",
    "mean": "Average score",
}
PUBLISHED = "Published figure"
PLANNED = "Planned progress to the target"
TARGET = "Target"
SUBTITLE_WIDTH = 44
"""Characters a subtitle line holds, so that it fits a 390 px wide phone screen."""


def _start(label: str) -> str:
    """A quarter's first day, as the chart's position in time."""
    return Quarter.parse(label).start.isoformat()


def trend_frame(series: list[Figure]) -> pd.DataFrame:
    """One row per published quarter; suppressed quarters have no value."""
    return pd.DataFrame(
        [
            {
                "quarter": f.period,
                "start": _start(f.period),
                "value": None if f.suppressed else f.value,
                "lower_ci": None if f.suppressed else f.lower_ci,
                "upper_ci": None if f.suppressed else f.upper_ci,
                "shown": "*" if f.suppressed else f.text,
                "series": PUBLISHED,
            }
            for f in series
        ],
        columns=["quarter", "start", "value", "lower_ci", "upper_ci", "shown", "series"],
    )


def _span(series: list[Figure], targets: TargetLine | None) -> tuple[Quarter, Quarter]:
    labels = [f.period for f in series] + [q for q, _, _ in (targets.targets if targets else ())]
    found = sorted(Quarter.parse(label) for label in labels)
    return found[0], found[-1]


def _financial_year(quarter: Quarter) -> int:
    """The calendar year a quarter's financial year starts in (2024 for 2024-25)."""
    start = quarter.start
    return start.year if start.month >= 4 else start.year - 1


def _x_axis(first: Quarter, last: Quarter) -> alt.X:
    """Time in quarters, labelled once a financial year ("2021-22"), never overlapping.

    Positions are the quarters' first days, so the spec names no quarter the
    figures do not: a trajectory's future quarters are dates, not labels.
    """
    years = range(_financial_year(first), _financial_year(last) + 1)
    starts = [alt.DateTime(year=y, month=4, date=1) for y in years]
    axis = alt.Axis(
        values=starts,
        labelExpr="year(datum.value) + '-' + slice(toString(year(datum.value) + 1), 2)",
        labelAngle=0,
        labelAlign="left",
        labelOverlap="greedy",
        labelPadding=4,
        grid=False,
    )
    domain = [first.start.isoformat(), last.end.isoformat()]
    return alt.X(
        "start:T",
        scale=alt.Scale(domain=domain),
        title="Financial year (April to March), by quarter",
        axis=axis,
    )


def _target_frames(targets: TargetLine, first: Quarter) -> tuple[pd.DataFrame, pd.DataFrame]:
    line = pd.DataFrame(
        [
            {"start": _start(q), "value": v, "series": PLANNED, "shown": f"{v:,.1f}"}
            for q, v in targets.trajectory
            if Quarter.parse(q).index >= first.index
        ],
        columns=["start", "value", "series", "shown"],
    )
    points = pd.DataFrame(
        [
            {"start": _start(q), "value": v, "series": TARGET, "shown": f"{name}: {v:,.1f}"}
            for q, name, v in targets.targets
            if Quarter.parse(q).index >= first.index
        ],
        columns=["start", "value", "series", "shown"],
    )
    return line, points


def trend_chart(
    measure: Measure,
    series: list[Figure],
    *,
    area_name: str,
    description: str,
    targets: TargetLine | None = None,
) -> alt.Chart:
    """A measure's published quarters as a line with points, its 95% interval band and targets.

    Quarters hidden to protect privacy leave a gap in the line and are named in
    the subtitle. With `targets`, the planned trajectory is a dashed line and
    each target a diamond, named in the legend.
    """
    data = trend_frame(series)
    first, last = _span(series, targets)
    hidden = [f.period for f in series if f.suppressed]
    subtitle = [f"{area_name}, published quarters. {UNIT_NOTE[measure.unit]}"]
    if hidden:
        subtitle.append(f"* hidden to protect privacy (a gap in the line): {', '.join(hidden)}")
    x = _x_axis(first, last)
    y_scale = alt.Scale(zero=measure.unit == "count")
    y = alt.Y("value:Q", title=UNIT_AXIS[measure.unit], scale=y_scale)
    names = [PUBLISHED] + ([PLANNED, TARGET] if targets is not None else [])
    colours = [LINE_COLOUR] + ([TRAJECTORY_COLOUR, TRAJECTORY_COLOUR] if targets else [])
    legend = (
        alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=400)
        if targets is not None
        else None
    )
    colour = alt.Color("series:N", scale=alt.Scale(domain=names, range=colours), legend=legend)
    shapes = ["circle", "M-1,-0.15H1V0.15H-1Z", "diamond"][: len(names)]
    shape = alt.Shape("series:N", scale=alt.Scale(domain=names, range=shapes), legend=legend)
    tooltip = [alt.Tooltip("quarter:N", title="Quarter"), alt.Tooltip("shown:N", title="Value")]
    base = alt.Chart(data)
    # A missing value breaks the line: a hidden quarter shows as a gap, never joined over.
    line = base.mark_line(strokeWidth=2, invalid="break-paths-show-domains").encode(
        x=x, y=y, color=colour
    )
    points = base.mark_point(filled=True, size=70).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    layers: list[alt.Chart] = [line, points]
    if measure.unit != "count" and data["lower_ci"].notna().any():
        band = base.mark_area(color=BAND_COLOUR, opacity=0.5).encode(
            x=x, y=alt.Y("lower_ci:Q", scale=y_scale), y2="upper_ci:Q"
        )
        layers.insert(0, band)
        subtitle.append("Shaded: 95% confidence interval")
    if targets is not None:
        planned, goals = _target_frames(targets, first)
        layers.append(
            alt.Chart(planned)
            .mark_line(strokeWidth=2, strokeDash=[6, 4])
            .encode(x=x, y=y, color=colour)
        )
        layers.append(
            alt.Chart(goals)
            .mark_point(filled=True, size=140)
            .encode(x=x, y=y, color=colour, shape=shape, tooltip=alt.Tooltip("shown:N"))
        )
    return (
        alt.layer(*layers)
        .properties(
            title=alt.TitleParams(
                text=textwrap.wrap(measure.title, SUBTITLE_WIDTH - 8),
                subtitle=[
                    part for line in subtitle for part in textwrap.wrap(line, SUBTITLE_WIDTH)
                ],
                anchor="start",
                color=TEXT_COLOUR,
                subtitleColor=TEXT_COLOUR,
                fontSize=15,
                subtitleFontSize=13,
                limit=0,
            ),
            description=description,
            height=260,
            width="container",
            autosize=alt.AutoSizeParams(type="fit", contains="padding"),
            usermeta={"embedOptions": {"actions": False}},
        )
        .configure_axis(
            labelColor=TEXT_COLOUR,
            titleColor=TEXT_COLOUR,
            labelFontSize=12,
            titleFontSize=13,
            domainColor="#505a5f",
            tickColor="#505a5f",
        )
        .configure_legend(labelColor=TEXT_COLOUR, labelFontSize=13, symbolStrokeWidth=2)
        .configure_view(stroke=None)
    )

"""Chart builders for the public view: each returns an `alt.Chart`, titled and described."""

from __future__ import annotations

import altair as alt
import pandas as pd

from measures.public import Figure, Measure

LINE_COLOUR = "#1d4f91"  # 8.6:1 on white
BAND_COLOUR = "#9fb8dc"

TEXT_COLOUR = "#0b0c0c"
UNIT_AXIS = {"count": "Number", "percent": "Per cent", "rate": "Per 100", "mean": "Average"}
UNIT_NOTE = {
    "count": "Numbers rounded to the nearest 5",
    "percent": "Per cent",
    "rate": "Per 100 people providing unpaid care (Census 2021)",
    "mean": "Average score",
}


def trend_frame(series: list[Figure]) -> pd.DataFrame:
    """One row per published quarter; suppressed quarters have no value."""
    return pd.DataFrame(
        [
            {
                "quarter": f.period,
                "value": None if f.suppressed else f.value,
                "lower_ci": None if f.suppressed else f.lower_ci,
                "upper_ci": None if f.suppressed else f.upper_ci,
                "shown": "*" if f.suppressed else f.text,
            }
            for f in series
        ],
        columns=["quarter", "value", "lower_ci", "upper_ci", "shown"],
    )


def trend_chart(
    measure: Measure, series: list[Figure], *, area_name: str, description: str
) -> alt.Chart:
    """A measure's published quarters as a line with points (and its 95% interval band).

    Quarters hidden to protect privacy leave a gap and are named in the subtitle.
    """
    data = trend_frame(series)
    order = list(data["quarter"])
    hidden = [f.period for f in series if f.suppressed]
    subtitle = [f"{area_name}, published quarters. {UNIT_NOTE[measure.unit]}"]
    if hidden:
        subtitle.append(f"* hidden to protect privacy: {', '.join(hidden)}")
    x = alt.X("quarter:O", sort=order, title="Quarter", axis=alt.Axis(labelAngle=0))
    y_scale = alt.Scale(zero=measure.unit == "count")
    y = alt.Y("value:Q", title=UNIT_AXIS[measure.unit], scale=y_scale)
    tooltip = [alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("shown:N", title="Value")]
    base = alt.Chart(data)
    line = base.mark_line(color=LINE_COLOUR, strokeWidth=2).encode(x=x, y=y)
    points = base.mark_point(color=LINE_COLOUR, filled=True, size=70).encode(
        x=x, y=y, tooltip=tooltip
    )
    layers = [line, points]
    if measure.unit != "count" and data["lower_ci"].notna().any():
        band = base.mark_area(color=BAND_COLOUR, opacity=0.5).encode(
            x=x, y=alt.Y("lower_ci:Q", scale=y_scale), y2="upper_ci:Q"
        )
        layers.insert(0, band)
        subtitle.append("Shaded: 95% confidence interval")
    return (
        alt.layer(*layers)
        .properties(
            title=alt.TitleParams(
                text=measure.title,
                subtitle=subtitle,
                anchor="start",
                color=TEXT_COLOUR,
                subtitleColor=TEXT_COLOUR,
                fontSize=15,
                subtitleFontSize=13,
            ),
            description=description,
            height=260,
            width="container",
            autosize=alt.AutoSizeParams(type="fit", contains="padding"),
        )
        .configure_axis(
            labelColor=TEXT_COLOUR,
            titleColor=TEXT_COLOUR,
            labelFontSize=12,
            titleFontSize=13,
            domainColor="#505a5f",
            tickColor="#505a5f",
        )
        .configure_view(stroke=None)
    )

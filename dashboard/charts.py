"""Chart builders: each returns an `alt.Chart` (or layer), built from plain data frames.

Kept general so both the internal dashboard and the public view can use them:

* `series_with_band`: a quarterly series with its 95% confidence band;
* `target_trajectory`: baseline, targets and the straight-line trajectory between them;
* `spc_overlay`: an SPC chart's centre line, limits and special-cause points;
* `measure_chart` and `spc_chart` combine them; `breakdown_chart`,
  `comparison_chart` and `benchmark_chart` compare groups, areas and councils;
  `spine_chart` places an area among all councils of England.

Quarters are an ordered category (`2024-25 Q1`), spread evenly with no gaps,
so every layer of a chart shares one x axis. Each chart has a text
`description` (read by screen readers) and a legend in words; colour is never
the only way a point is told apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import altair as alt
import pandas as pd

from carers_impact.periods import InvalidPeriod, Quarter, quarter_range
from dashboard import format as fmt

BLUE = "#1d70b8"
DARK_BLUE = "#003078"
LIGHT_BLUE = "#5694ca"
GREY = "#505a5f"
LIGHT_GREY = "#b1b4b6"
BLACK = "#0b0c0c"
ORANGE = "#f47738"
PURPLE = "#4c2c92"
GREEN = "#00703c"

KEY_COLOURS = {
    "Value": BLUE,
    "95% confidence interval": LIGHT_BLUE,
    "Baseline": BLACK,
    "Target": GREEN,
    "Trajectory to targets": GREY,
}
CAUSES = [
    "Common cause",
    "Special cause: improvement",
    "Special cause: concern",
    "Special cause: neither better nor worse",
]
CAUSE_COLOURS = [LIGHT_GREY, BLUE, ORANGE, PURPLE]
CAUSE_SHAPES = ["circle", "square", "triangle-up", "diamond"]
HEIGHT = 280
BAR_STEP = 26
AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")
"""Fill the container's width; `height` is the plot's own height, not the whole chart's."""


def quarter_domain(*labels: Iterable[str]) -> list[str]:
    """Every quarter from the earliest to the latest label given (years are left out)."""
    quarters = []
    for group in labels:
        for label in group:
            try:
                quarters.append(Quarter.parse(label))
            except (InvalidPeriod, TypeError):
                continue
    if not quarters:
        return []
    return [q.label for q in quarter_range(min(quarters), max(quarters))]


def _number_format(unit: str) -> str:
    return ",.0f" if unit == "count" else ".1f"


def _x(domain: list[str]) -> alt.X:
    return alt.X(
        "period:O",
        title="Quarter",
        scale=alt.Scale(domain=domain),
        axis=alt.Axis(labelAngle=-45, labelOverlap="parity"),
    )


def _y(field: str, unit: str, *, title: str | None = None) -> alt.Y:
    return alt.Y(
        f"{field}:Q", title=title or fmt.UNIT_AXIS.get(unit, unit), scale=alt.Scale(zero=False)
    )


def _key(keys: Iterable[str]) -> alt.Color:
    """A layer's constant colour, named in a legend of only the `keys` the chart draws."""
    keys = [k for k in KEY_COLOURS if k in set(keys)]
    return alt.Color(
        "key:N",
        scale=alt.Scale(domain=keys, range=[KEY_COLOURS[k] for k in keys]),
        legend=alt.Legend(title=None, orient="bottom"),
    )


def _tooltip(field: str, title: str, unit: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", title=title, format=_number_format(unit))


def _has_band(frame: pd.DataFrame) -> bool:
    return bool({"lower_ci", "upper_ci"} <= set(frame.columns) and frame["lower_ci"].notna().any())


def series_with_band(
    frame: pd.DataFrame,
    *,
    unit: str,
    domain: list[str] | None = None,
    label: str = "Value",
    keys: Iterable[str] | None = None,
) -> alt.LayerChart:
    """A quarterly series (period, value[, lower_ci, upper_ci]) as a line with its 95% band.

    `keys` names every layer of the chart this is part of, for one shared legend.
    """
    domain = domain or quarter_domain(frame["period"])
    data = frame.dropna(subset=["value"]).assign(key="Value")
    tooltip = [alt.Tooltip("period:N", title="Quarter"), _tooltip("value", label, unit)]
    layers = []
    has_band = _has_band(data)
    if keys is None:
        keys = ["Value", "95% confidence interval"] if has_band else ["Value"]
    if has_band:
        band = data.dropna(subset=["lower_ci", "upper_ci"]).assign(key="95% confidence interval")
        tooltip += [_tooltip("lower_ci", "Lower 95% limit", unit)]
        tooltip += [_tooltip("upper_ci", "Upper 95% limit", unit)]
        layers.append(
            alt.Chart(band)
            .mark_area(opacity=0.3)
            .encode(
                x=_x(domain),
                y=_y("lower_ci", unit),
                y2="upper_ci:Q",
                color=_key(keys),
            )
        )
    base = alt.Chart(data).encode(x=_x(domain), y=_y("value", unit), color=_key(keys))
    layers.append(base.mark_line(strokeWidth=2.5))
    layers.append(base.mark_point(filled=True, size=45, opacity=1).encode(tooltip=tooltip))
    return alt.layer(*layers)


def target_trajectory(
    trajectory: pd.DataFrame,
    targets: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    unit: str,
    domain: list[str],
    keys: Iterable[str] | None = None,
) -> alt.LayerChart:
    """The dashed trajectory (period, expected), target points and the baseline point."""
    if keys is None:
        keys = _trajectory_keys(trajectory, targets, baseline)
    layers = []
    if len(trajectory):
        line = trajectory.assign(key="Trajectory to targets")
        layers.append(
            alt.Chart(line)
            .mark_line(strokeDash=[6, 4], strokeWidth=2)
            .encode(
                x=_x(domain),
                y=_y("expected", unit),
                color=_key(keys),
                tooltip=[
                    alt.Tooltip("period:N", title="Quarter"),
                    _tooltip("expected", "On the trajectory", unit),
                ],
            )
        )
    for frame, name, shape in ((baseline, "Baseline", "square"), (targets, "Target", "diamond")):
        if frame.empty:
            continue
        points = frame.assign(key=name)
        chart = alt.Chart(points).encode(x=_x(domain), y=_y("value", unit), color=_key(keys))
        layers.append(
            chart.mark_point(shape=shape, size=130, filled=True, opacity=1).encode(
                tooltip=[
                    alt.Tooltip("label:N", title=name),
                    alt.Tooltip("period:N", title="Quarter"),
                    _tooltip("value", "Value", unit),
                ]
            )
        )
        layers.append(chart.mark_text(dy=-14, fontSize=11).encode(text="label:N"))
    return alt.layer(*layers)


def _trajectory_keys(
    trajectory: pd.DataFrame, targets: pd.DataFrame, baseline: pd.DataFrame
) -> list[str]:
    return [
        name
        for name, frame in (
            ("Baseline", baseline),
            ("Target", targets),
            ("Trajectory to targets", trajectory),
        )
        if len(frame)
    ]


def measure_chart(
    series: pd.DataFrame,
    *,
    unit: str,
    title: str,
    trajectory: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    baseline: pd.DataFrame | None = None,
    events: Sequence[tuple[str, str]] = (),
) -> alt.LayerChart:
    """A measure's series with its band, its baseline, targets and trajectory if any, and
    dated `events` (quarter, what happened) as labelled vertical lines."""
    trajectory = trajectory if trajectory is not None else pd.DataFrame(columns=["period"])
    targets = targets if targets is not None else pd.DataFrame(columns=["period"])
    baseline = baseline if baseline is not None else pd.DataFrame(columns=["period"])
    domain = quarter_domain(
        series["period"], trajectory["period"], targets["period"], baseline["period"]
    )
    extra = _trajectory_keys(trajectory, targets, baseline)
    band = ["95% confidence interval"] if _has_band(series.dropna(subset=["value"])) else []
    keys = ["Value", *band, *extra]
    layers = [series_with_band(series, unit=unit, domain=domain, keys=keys)]
    if extra:
        layers.append(
            target_trajectory(trajectory, targets, baseline, unit=unit, domain=domain, keys=keys)
        )
    layers += event_marks(events, domain=domain)
    latest = series.dropna(subset=["value"])
    description = f"{title}: line chart by quarter"
    if len(latest):
        description += (
            f", {len(latest)} quarters from {latest['period'].iloc[0]} to "
            f"{latest['period'].iloc[-1]}; latest value "
            f"{fmt.number(latest['value'].iloc[-1], unit)}"
        )
    if len(targets):
        description += "; targets " + ", ".join(
            f"{fmt.number(v, unit)} by {p}"
            for p, v in zip(targets["period"], targets["value"], strict=True)
        )
    description += _events_description(events, domain)
    return alt.layer(*layers).properties(
        title=title, height=HEIGHT, description=description, autosize=AUTOSIZE
    )


def event_marks(events: Sequence[tuple[str, str]], *, domain: list[str]) -> list[alt.Chart]:
    """Each dated event inside the chart's quarters as a vertical line with its label."""
    shown = [(p, text) for p, text in events if p in set(domain)]
    if not shown:
        return []
    data = pd.DataFrame(shown, columns=["period", "event"])
    data["offset"] = [4 + 13 * (i % 3) for i in range(len(data))]  # labels stacked, not overlaid
    rule = (
        alt.Chart(data)
        .mark_rule(color=PURPLE, strokeDash=[3, 3], strokeWidth=1.5)
        .encode(
            x=_x(domain),
            tooltip=[alt.Tooltip("period:N", title="Quarter"), alt.Tooltip("event:N", title="")],
        )
    )
    label = (
        alt.Chart(data)
        .mark_text(align="left", baseline="top", dx=4, fontSize=10, color=PURPLE, limit=260)
        .encode(x=_x(domain), y=alt.Y("offset:Q", scale=None, axis=None), text="event:N")
    )
    return [rule, label]


def _events_description(events: Sequence[tuple[str, str]], domain: list[str]) -> str:
    shown = [f"{p}: {text}" for p, text in events if p in set(domain)]
    return ("; events marked: " + "; ".join(shown)) if shown else ""


def _causes(frame: pd.DataFrame) -> pd.Series:
    def name(row) -> str:
        if row["special_cause"] == "improvement":
            return CAUSES[1]
        if row["special_cause"] == "concern":
            return CAUSES[2]
        if row.get("direction"):
            return CAUSES[3]
        return CAUSES[0]

    return frame.apply(name, axis=1) if len(frame) else pd.Series(dtype=str)


def spc_overlay(frame: pd.DataFrame, *, kind: str, unit: str, domain: list[str]) -> alt.LayerChart:
    """Centre line (mean, or median for a run chart), control limits and every point by cause."""
    centre = "mean" if kind == "xmr" else "median"
    layers = []
    lines = [(centre, "Mean" if kind == "xmr" else "Median", BLACK, [])]
    if kind == "xmr":
        lines += [
            ("upper_limit", "Upper control limit", GREY, [4, 4]),
            ("lower_limit", "Lower control limit", GREY, [4, 4]),
        ]
    # Each process segment has its own centre and limits: lines break between them.
    segment = {"detail": "segment:N"} if "segment" in frame else {}
    for field, name, colour, dash in lines:
        layers.append(
            alt.Chart(frame)
            .mark_line(color=colour, strokeDash=dash, strokeWidth=1.5)
            .encode(
                x=_x(domain),
                y=_y(field, unit),
                tooltip=[_tooltip(field, name, unit)],
                **segment,
            )
        )
        end = frame.tail(1).assign(line=name)
        layers.append(
            alt.Chart(end)
            .mark_text(align="left", dx=6, fontSize=10, color=colour)
            .encode(x=_x(domain), y=_y(field, unit), text="line:N")
        )
    points = frame.assign(cause=_causes(frame), rule_words=frame["rule"].map(_rule_words))
    layers.append(
        alt.Chart(points)
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x=_x(domain),
            y=_y("value", unit),
            color=alt.Color(
                "cause:N",
                scale=alt.Scale(domain=CAUSES, range=CAUSE_COLOURS),
                legend=alt.Legend(title="Variation", orient="bottom"),
            ),
            shape=alt.Shape(
                "cause:N",
                scale=alt.Scale(domain=CAUSES, range=CAUSE_SHAPES),
                legend=alt.Legend(title="Variation", orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("period:N", title="Quarter"),
                _tooltip("value", "Value", unit),
                alt.Tooltip("cause:N", title="Variation"),
                alt.Tooltip("rule_words:N", title="Rule"),
            ],
        )
    )
    return alt.layer(*layers)


def _rule_words(rule: str) -> str:
    return fmt.SPECIAL_CAUSE_RULES.get(rule, "")


def spc_chart(
    frame: pd.DataFrame,
    *,
    kind: str,
    unit: str,
    title: str,
    targets: Sequence[float] = (),
    events: Sequence[tuple[str, str]] = (),
) -> alt.LayerChart:
    """An XmR chart (or a run chart) of a series: grey line, centre, limits, special causes.

    `targets` are what assurance was judged against (the trajectory's coming values or
    the next target), drawn as a green band; `events` are process changes, as lines.
    """
    domain = quarter_domain(frame["period"])
    layers = [
        alt.Chart(frame)
        .mark_line(color=LIGHT_GREY, strokeWidth=2)
        .encode(x=_x(domain), y=_y("value", unit))
    ]
    if len(targets):
        low, high = min(targets), max(targets)
        words = (
            fmt.number(low, unit)
            if low == high
            else f"{fmt.number(low, unit)} to {fmt.number(high, unit)}"
        )
        rule = pd.DataFrame(
            {"target": [low], "target_end": [high], "label": [f"To meet next: {words}"]}
        )
        layers.append(
            alt.Chart(rule)
            .mark_rule(color=GREEN, strokeDash=[2, 2], strokeWidth=1.5)
            .encode(y=_y("target", unit), tooltip=["label:N"])
        )
        if high != low:
            layers.append(
                alt.Chart(rule)
                .mark_rule(color=GREEN, strokeDash=[2, 2], strokeWidth=1.5)
                .encode(y=_y("target_end", unit), tooltip=["label:N"])
            )
    layers.append(spc_overlay(frame, kind=kind, unit=unit, domain=domain))
    layers += event_marks(events, domain=domain)
    flagged = int((frame["special_cause"] != "").sum()) if "special_cause" in frame else 0
    chart_name = "XmR control chart" if kind == "xmr" else "run chart"
    description = (
        f"{title}: {chart_name} of {len(frame)} quarters from {frame['period'].iloc[0]} to "
        f"{frame['period'].iloc[-1]}; {flagged} point{' shows' if flagged == 1 else 's show'} "
        "special cause variation"
    )
    if "segment" in frame and frame["segment"].nunique() > 1:
        description += "; limits recalculated for " + ", ".join(
            f"{g['period'].iloc[0]} to {g['period'].iloc[-1]} (mean "
            f"{fmt.number(g['mean'].iloc[0], unit)}, limits "
            f"{fmt.number(g['lower_limit'].iloc[0], unit)} to "
            f"{fmt.number(g['upper_limit'].iloc[0], unit)})"
            for _, g in frame.groupby("segment", sort=True)
        )
    description += _events_description(events, domain)
    return alt.layer(*layers).properties(
        title=title, height=HEIGHT, description=description, autosize=AUTOSIZE
    )


def _bar_layers(
    data: pd.DataFrame, *, unit: str, colour: alt.Color | str, group: str
) -> list[alt.Chart]:
    """Bars of `value` by `breakdown_value` in the order given, CI whiskers and value labels."""
    y = alt.Y(
        "breakdown_value:N",
        title=None,
        sort=list(data["breakdown_value"]),
        axis=alt.Axis(labelLimit=260),
    )
    tooltip = [alt.Tooltip("breakdown_value:N", title=group), _tooltip("value", "Value", unit)]
    if "share" in data and data["share"].notna().any():
        tooltip.append(alt.Tooltip("share:Q", title="Share of the total (%)", format=".1f"))
    bars = alt.Chart(data).encode(
        x=alt.X("value:Q", title=fmt.UNIT_AXIS.get(unit, unit)), y=y, tooltip=tooltip
    )
    bars = (
        bars.mark_bar(color=colour)
        if isinstance(colour, str)
        else bars.mark_bar().encode(color=colour)
    )
    layers = [bars]
    if {"lower_ci", "upper_ci"} <= set(data.columns) and data["lower_ci"].notna().any():
        layers.append(
            alt.Chart(data.dropna(subset=["lower_ci", "upper_ci"]))
            .mark_rule(color=BLACK, strokeWidth=1.5)
            .encode(x="lower_ci:Q", x2="upper_ci:Q", y=y)
        )
    layers.append(
        alt.Chart(data)
        .mark_text(align="left", dx=4, color=BLACK)
        .encode(x="value:Q", y=y, text=alt.Text("value:Q", format=_number_format(unit)))
    )
    return layers


def _bar_description(title: str, data: pd.DataFrame, unit: str) -> str:
    return f"{title}: bar chart; " + ", ".join(
        f"{g} {fmt.number(v, unit)}"
        for g, v in zip(data["breakdown_value"], data["value"], strict=True)
    )


def breakdown_chart(frame: pd.DataFrame, *, unit: str, title: str) -> alt.LayerChart:
    """Horizontal bars of a breakdown's groups (breakdown_value, value[, CIs]), in given order."""
    data = frame.dropna(subset=["value"])
    return alt.layer(*_bar_layers(data, unit=unit, colour=BLUE, group="Group")).properties(
        title=title,
        height=max(60, BAR_STEP * len(data)),
        autosize=AUTOSIZE,
        description=_bar_description(title, data, unit),
    )


def comparison_chart(
    frame: pd.DataFrame, *, unit: str, title: str, highlight: str | None = None
) -> alt.LayerChart:
    """One bar per area (area, area_name, value[, CIs]); the highlighted area is named so."""
    data = frame.dropna(subset=["value"]).copy()
    data["breakdown_value"] = data["area_name"]
    data["which"] = "Other areas"
    if highlight is not None:
        mine = data["area"] == highlight
        data.loc[mine, "breakdown_value"] = data.loc[mine, "area_name"] + " (this area)"
        data.loc[mine, "which"] = "This area"
    colour = alt.Color(
        "which:N",
        scale=alt.Scale(domain=["This area", "Other areas"], range=[DARK_BLUE, LIGHT_BLUE]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    return alt.layer(*_bar_layers(data, unit=unit, colour=colour, group="Area")).properties(
        title=title,
        height=max(60, BAR_STEP * len(data)),
        autosize=AUTOSIZE,
        description=_bar_description(title, data, unit),
    )


def benchmark_chart(frame: pd.DataFrame, *, unit: str, title: str, area_name: str) -> alt.Chart:
    """Published ASCOF values by year: the council, the median council, and our own data."""
    series = {
        "value": f"{area_name} (published)",
        "comparator_median": "Median council (published)",
        "our_value": f"{area_name} (this dashboard's data)",
    }
    long = frame.melt(
        id_vars=["period"], value_vars=list(series), var_name="series", value_name="figure"
    ).dropna(subset=["figure"])
    long["series"] = long["series"].map(series)
    names = list(series.values())
    return (
        alt.Chart(long)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=alt.X("period:O", title="Financial year"),
            y=alt.Y("figure:Q", title=fmt.UNIT_AXIS.get(unit, unit), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=names, range=[DARK_BLUE, GREY, ORANGE]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            shape=alt.Shape(
                "series:N",
                scale=alt.Scale(domain=names, range=["circle", "square", "diamond"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("period:N", title="Year"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("figure:Q", title="Value", format=_number_format(unit)),
            ],
        )
        .properties(
            title=title,
            height=240,
            autosize=AUTOSIZE,
            description=f"{title}: points by financial year for " + ", ".join(names),
        )
    )


def spine_rows(spine, *, area_name: str) -> pd.DataFrame:
    """The figures a spine chart draws, one row each (what, value, lower_ci, upper_ci)."""
    rows = [
        ("Lowest council", spine.minimum),
        ("25th percentile of councils", spine.q1),
        ("Median council", spine.median),
        ("75th percentile of councils", spine.q3),
        ("Highest council", spine.maximum),
    ]
    if spine.comparator_name == "England":
        rows.append(("England", spine.comparator))
    frame = pd.DataFrame(rows, columns=["what", "value"])
    frame["lower_ci"] = float("nan")
    frame["upper_ci"] = float("nan")
    if spine.value is not None:
        which = "this dashboard's data" if spine.source == "own" else "published"
        frame.loc[len(frame)] = [
            f"{area_name} ({which})",
            spine.value,
            float("nan") if spine.lower_ci is None else spine.lower_ci,
            float("nan") if spine.upper_ci is None else spine.upper_ci,
        ]
    return frame


def spine_description(spine, *, unit: str, title: str, area_name: str) -> str:
    """The spine chart in one sentence, for screen readers and under the chart."""
    n = lambda v: fmt.number(v, unit)  # noqa: E731
    text = (
        f"{title}: spine chart of the {spine.councils} councils of England in {spine.period}: "
        f"lowest {n(spine.minimum)}, middle half from {n(spine.q1)} to {n(spine.q3)}, "
        f"median council {n(spine.median)}, highest {n(spine.maximum)}"
    )
    if spine.comparator_name == "England":
        text += f"; England {n(spine.comparator)}"
    if spine.value is not None:
        text += f"; {area_name} {n(spine.value)}"
        if spine.lower_ci is not None and spine.upper_ci is not None:
            text += f" (95% interval {n(spine.lower_ci)} to {n(spine.upper_ci)})"
    return text + "."


def spine_chart(spine, *, unit: str, title: str, area_name: str) -> alt.LayerChart:
    """Where an area sits among all councils: range, middle half, median, England, the area.

    `spine` has minimum, q1, median, q3, maximum, comparator and comparator_name
    ("England" or "median council"), and the area's value with its interval.
    """
    axis_title = fmt.UNIT_AXIS.get(unit, unit)
    axis = alt.X("value:Q", title=axis_title, scale=alt.Scale(zero=False))
    band = pd.DataFrame(
        [
            {"what": "All councils", "low": spine.minimum, "high": spine.maximum},
            {"what": "Middle half of councils", "low": spine.q1, "high": spine.q3},
        ]
    )
    key = ["Range of councils", "Middle half of councils (25th to 75th percentile)"]
    band["key"] = key
    layers = [
        alt.Chart(band.iloc[[0]])
        .mark_rule(color=LIGHT_GREY, strokeWidth=3)
        .encode(x=alt.X("low:Q", title=axis_title), x2="high:Q"),
        alt.Chart(band.iloc[[1]])
        .mark_bar(color=LIGHT_BLUE, height=26)
        .encode(
            x="low:Q",
            x2="high:Q",
            tooltip=[
                alt.Tooltip("key:N", title="Band"),
                alt.Tooltip("low:Q", title="From", format=_number_format(unit)),
                alt.Tooltip("high:Q", title="To", format=_number_format(unit)),
            ],
        ),
    ]
    marks = spine_rows(spine, area_name=area_name)
    marks = marks[~marks["what"].str.contains("percentile")]
    names = list(marks["what"])
    shapes = {
        "Lowest council": "triangle-left",
        "Highest council": "triangle-right",
        "Median council": "square",
        "England": "cross",
    }
    mine = marks.dropna(subset=["lower_ci", "upper_ci"])
    if len(mine):
        layers.append(
            alt.Chart(mine)
            .mark_rule(color=BLACK, strokeWidth=2)
            .encode(x=alt.X("lower_ci:Q", title=axis_title), x2="upper_ci:Q")
        )
    palette = {
        "Lowest council": GREY,
        "Highest council": GREY,
        "Median council": DARK_BLUE,
        "England": BLACK,
    }
    layers.append(
        alt.Chart(marks)
        .mark_point(filled=True, size=140, opacity=1)
        .encode(
            x=axis,
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=names, range=[palette.get(w, ORANGE) for w in names]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            shape=alt.Shape(
                "what:N",
                scale=alt.Scale(
                    domain=names,
                    range=[shapes.get(w, "diamond") for w in names],
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("what:N", title="Figure"),
                _tooltip("value", "Value", unit),
            ],
        )
    )
    return alt.layer(*layers).properties(
        title=title,
        height=60,
        autosize=AUTOSIZE,
        description=spine_description(spine, unit=unit, title=title, area_name=area_name),
    )

"""Chart builders and accessible HTML, tested without a browser."""

from __future__ import annotations

import base64

import altair as alt
import pandas as pd
import pytest

from dashboard import charts, markup
from dashboard import format as fmt
from dashboard.components import csv_data, findings_table
from measures.domain.spc import xmr


def series(values, *, start: str = "2023-24 Q1", band: bool = True) -> pd.DataFrame:
    quarters = charts.quarter_domain([start, "2030-31 Q4"])[: len(values)]
    frame = pd.DataFrame({"period": quarters, "value": values})
    if band:
        frame["lower_ci"] = frame["value"] - 2
        frame["upper_ci"] = frame["value"] + 2
    return frame


def layers(chart) -> list[dict]:
    """Every leaf layer of a chart's Vega-Lite spec."""
    spec = chart.to_dict()
    out, todo = [], [spec]
    while todo:
        node = todo.pop()
        if "layer" in node:
            todo.extend(node["layer"])
        else:
            out.append(node)
    return out


def marks(chart) -> list[str]:
    return sorted(
        (lay["mark"]["type"] if isinstance(lay["mark"], dict) else lay["mark"])
        for lay in layers(chart)
    )


def test_quarter_domain_fills_gaps_and_leaves_out_years():
    assert charts.quarter_domain(["2024-25 Q3", "2024-25"], ["2024-25 Q1"]) == [
        "2024-25 Q1",
        "2024-25 Q2",
        "2024-25 Q3",
    ]
    assert charts.quarter_domain([]) == []


def test_series_with_band_draws_the_interval_under_the_line_and_points():
    chart = charts.series_with_band(series([50, 52, 55]), unit="percent")
    assert isinstance(chart, alt.LayerChart)
    assert marks(chart) == ["area", "line", "point"]
    area = next(lay for lay in layers(chart) if lay["mark"]["type"] == "area")
    assert area["encoding"]["y"]["field"] == "lower_ci"
    assert area["encoding"]["y2"]["field"] == "upper_ci"


def test_a_count_without_intervals_has_no_band():
    chart = charts.series_with_band(series([10, 12], band=False), unit="count")
    assert "area" not in marks(chart)


def test_measure_chart_puts_baseline_targets_and_trajectory_on_one_quarter_axis():
    baseline = pd.DataFrame(
        {"label": ["Baseline (2022-23)"], "period": ["2022-23 Q4"], "value": [40.0]}
    )
    targets = pd.DataFrame({"label": ["Target 2025"], "period": ["2024-25 Q4"], "value": [60.0]})
    trajectory = pd.DataFrame(
        {
            "period": charts.quarter_domain(["2022-23 Q4", "2024-25 Q4"]),
            "expected": [40 + 2.5 * i for i in range(9)],
        }
    )
    chart = charts.measure_chart(
        series([50, 52, 55]),
        unit="percent",
        title="Carers satisfied",
        trajectory=trajectory,
        targets=targets,
        baseline=baseline,
    )
    spec = chart.to_dict()
    assert "targets 60.0% by 2024-25 Q4" in spec["description"]
    domains = {
        tuple(lay["encoding"]["x"]["scale"]["domain"])
        for lay in layers(chart)
        if "x" in lay["encoding"]
    }
    assert domains == {tuple(charts.quarter_domain(["2022-23 Q4", "2024-25 Q4"]))}
    dashed = [lay for lay in layers(chart) if lay["mark"].get("strokeDash")]
    assert [lay["encoding"]["y"]["field"] for lay in dashed] == ["expected"]
    shapes = {lay["mark"].get("shape") for lay in layers(chart)}
    assert {"square", "diamond"} <= shapes


def test_spc_chart_names_each_point_by_its_cause_in_colour_and_shape():
    values = [10, 14] * 11 + [10, 30]
    frame = xmr(values, polarity="up").rename_axis("period").reset_index()
    frame["period"] = charts.quarter_domain(["2018-19 Q1", "2023-24 Q4"])
    chart = charts.spc_chart(frame, kind="xmr", unit="count", title="Test")
    spec = chart.to_dict()
    points = next(
        lay
        for lay in layers(chart)
        if lay["mark"]["type"] == "point" and "shape" in lay["encoding"]
    )
    assert points["encoding"]["color"]["field"] == "cause"
    assert points["encoding"]["shape"]["field"] == "cause"
    rows = spec["datasets"][points["data"]["name"]]
    causes = {row["period"]: row["cause"] for row in rows}
    assert causes.pop("2023-24 Q4") == "Special cause: improvement"
    assert set(causes.values()) == {"Common cause"}
    assert next(r for r in rows if r["period"] == "2023-24 Q4")["rule_words"] == (
        "a point outside the control limits"
    )
    lines = {
        lay["encoding"]["y"]["field"] for lay in layers(chart) if lay["mark"]["type"] == "line"
    }
    assert {"mean", "upper_limit", "lower_limit"} <= lines
    assert "1 point shows special cause variation" in spec["description"]


def test_run_chart_has_a_median_and_no_limits():
    frame = pd.DataFrame(
        {
            "period": charts.quarter_domain(["2023-24 Q1", "2023-24 Q4"]),
            "value": [1.0, 2.0, 3.0, 4.0],
            "median": 2.5,
            "rule": "",
            "direction": "",
            "special_cause": "",
        }
    )
    chart = charts.spc_chart(frame, kind="run", unit="count", title="Run")
    fields = {
        lay["encoding"]["y"]["field"] for lay in layers(chart) if lay["mark"]["type"] == "line"
    }
    assert "median" in fields and "upper_limit" not in fields


def test_breakdown_chart_keeps_the_order_given_and_labels_values():
    frame = pd.DataFrame(
        {
            "breakdown_value": ["0-17", "18-24", "65+"],
            "value": [5.0, 10.0, 20.0],
            "lower_ci": [None, None, None],
            "upper_ci": [None, None, None],
            "share": [14.3, 28.6, 57.1],
        }
    )
    chart = charts.breakdown_chart(frame, unit="count", title="By age")
    bar = next(lay for lay in layers(chart) if lay["mark"]["type"] == "bar")
    assert bar["encoding"]["y"]["sort"] == ["0-17", "18-24", "65+"]
    assert "text" in marks(chart)
    assert "0-17 5, 18-24 10, 65+ 20" in chart.to_dict()["description"]


def test_comparison_chart_names_the_highlighted_area_in_words():
    frame = pd.DataFrame(
        {
            "area": ["rotherham", "sandwell"],
            "area_name": ["Rotherham", "Sandwell"],
            "value": [60.0, 55.0],
            "lower_ci": [55.0, 50.0],
            "upper_ci": [65.0, 60.0],
        }
    )
    chart = charts.comparison_chart(frame, unit="percent", title="Areas", highlight="sandwell")
    assert "Sandwell (this area)" in chart.to_dict()["description"]
    assert "rule" in marks(chart)


def test_benchmark_chart_shows_council_median_and_own_data():
    frame = pd.DataFrame(
        {
            "period": ["2018-19", "2021-22"],
            "value": [7.7, 7.5],
            "comparator_median": [7.4, 7.2],
            "our_value": [None, 7.6],
        }
    )
    chart = charts.benchmark_chart(frame, unit="mean", title="ASCOF 1D", area_name="Rotherham")
    spec = chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 5  # the missing own value is left out, not drawn as zero
    assert {r["series"] for r in rows} == {
        "Rotherham (published)",
        "Median council (published)",
        "Rotherham (this dashboard's data)",
    }


def test_sparkline_has_a_text_alternative():
    image = markup.sparkline([10, 12, 11, 15], unit="count")
    assert image.startswith('<img class="ci-spark" src="data:image/svg+xml;base64,')
    assert 'alt="Trend over the last 4 quarters: from 10 to 15, lowest 10, highest 15"' in image
    assert "Too few quarters" in markup.sparkline([3], unit="count")


def scorecard_row(**overrides) -> dict:
    row = {
        "measure_id": "m",
        "title": "Carers <known>",
        "themes": ["t"],
        "theme_titles": ["Being <seen>", "Support"],
        "unit": "count",
        "polarity": "up",
        "period": "2024-25 Q1",
        "value": 3092.8500000000004,
        "lower_ci": None,
        "upper_ci": None,
        "previous_period": "2023-24 Q4",
        "previous_value": 3070.0,
        "change_on_previous": 22.85,
        "previous_verdict": "no significant change",
        "year_ago_period": "2023-24 Q1",
        "year_ago_value": 2800.0,
        "change_on_year": 292.85,
        "year_verdict": "better",
        "baseline_period": "2021-22 Q4",
        "baseline_value": 2291.0,
        "change_on_baseline": 801.85,
        "baseline_verdict": "better",
        "target_2025": 2749.2,
        "target_2027": 3092.8500000000004,
        "next_target_label": "2027",
        "next_target_period": "2026-27 Q4",
        "next_target": 3092.8500000000004,
        "expected": 2900.4,
        "status": "close",
        "chart": "run",
        "variation": None,
        "variation_direction": "",
        "assurance": None,
        "assurance_against": "trajectory",
        "assurance_reason": "too few quarters for control limits",
        "spc_reason": "Only 8 quarters of data",
        "process_changes": [],
        "suggested_change": None,
        "story": "Just behind the trajectory; no assurance yet.",
        "forecast_period": "2026-27 Q4",
        "forecast_value": 3020.2,
        "forecast_lower": 2900.4,
        "forecast_upper": 3140.6,
        "forecast_outlook": "unlikely",
        "forecast_reason": "",
        "sparkline": [90.0, 100.0, 120.0],
    }
    return row | overrides


def test_the_summary_table_has_one_linked_row_per_measure_with_its_icons():
    html = markup.summary_table(
        pd.DataFrame([scorecard_row()]), caption="Measures", area="rotherham", period=None
    )
    assert "Carers &lt;known&gt;" in html and "<known>" not in html
    assert '<a href="measure?area=rotherham&amp;measure=m" target="_self">' in html
    assert '<span class="ci-theme">Being &lt;seen&gt;</span>' in html
    assert "3,093" in html and "3092.85" not in html  # a count target shown whole
    assert "Close to the trajectory" in html and "ci-tag-warn" in html
    assert 'alt="No variation icon: too few quarters for control limits"' in html
    assert 'alt="No assurance icon: too few quarters for control limits"' in html
    header = [f'<th scope="col">{h}</th>' for h in ("Measure", "Latest", "Target")]
    assert all(h in html for h in header)


def test_a_chosen_quarter_travels_with_the_link():
    html = markup.summary_table(
        pd.DataFrame([scorecard_row()]), caption="M", area="rotherham", period="2023-24 Q4"
    )
    assert 'href="measure?area=rotherham&amp;measure=m&amp;period=2023-24+Q4"' in html


def test_the_detail_table_colours_only_significant_changes():
    html = markup.detail_table(
        pd.DataFrame([scorecard_row()]), caption="Measures", area="rotherham", period=None
    )
    assert '<span class="ci-same">Up 23 (no significant change)</span>' in html
    assert '<span class="ci-better">Up 293 (better)</span>' in html
    assert (
        "At the current rate, 3,020 by 2026-27 Q4 (2,900 to 3,141): the 2027 target of 3,093 "
        "is unlikely to be met." in html
    )
    assert "Just behind the trajectory; no assurance yet." in html


@pytest.mark.parametrize(
    ("variation", "direction", "alt"),
    [
        ("common_cause", "", "Common cause variation: no significant change"),
        ("special_cause_improvement", "high", "Special cause variation: improvement (high values)"),
        ("special_cause_concern", "low", "Special cause variation: concern (low values)"),
        ("special_cause_neutral_high", "high", "Special cause variation: unusually high"),
    ],
)
def test_variation_icons_are_svg_images_with_text_alternatives(variation, direction, alt):
    icon = markup.variation_icon(variation, direction=direction)
    assert icon.startswith('<img class="ci-icon" src="data:image/svg+xml;base64,')
    assert f'alt="{alt}"' in icon
    svg = base64.b64decode(icon.split("base64,")[1].split('"')[0]).decode()
    assert svg.startswith("<svg") and ("<text" in svg) == (variation != "common_cause")
    if direction:
        assert f">{direction[0].upper()}</text>" in svg


@pytest.mark.parametrize(
    ("assurance", "letter", "alt"),
    [
        ("consistently pass", "P", "Assurance: consistently passes"),
        ("consistently fail", "F", "Assurance: consistently fails"),
        ("hit and miss", "?", "Assurance: hit and miss"),
    ],
)
def test_assurance_icons_have_a_letter_and_a_text_alternative(assurance, letter, alt):
    icon = markup.assurance_icon(assurance)
    assert f'alt="{alt}"' in icon
    svg = base64.b64decode(icon.split("base64,")[1].split('"')[0]).decode()
    assert f">{letter}</text>" in svg


def test_a_blank_icon_says_why():
    assert 'alt="No assurance icon: no target to judge the process against"' in (
        markup.assurance_icon(None, reason="no target to judge the process against")
    )
    assert (
        'stroke-dasharray="4 3"'
        in base64.b64decode(markup.variation_icon(None).split("base64,")[1].split('"')[0]).decode()
    )


@pytest.mark.parametrize(
    ("value", "unit", "verdict", "words"),
    [
        (-1.25, "percent", "better", "Down 1.2 points (better)"),
        (3, "count", "worse", "Up 3 (worse)"),
        (-0.04, "mean", "no significant change", "Down 0.04 (no significant change)"),
        (0.0, "mean", "no significant change", "No change"),
        (2, "rate", "higher", "Up 2.00 (significantly higher)"),
        (None, "count", None, "–"),
    ],
)
def test_changes_are_said_with_their_direction_and_what_the_test_says(value, unit, verdict, words):
    assert fmt.change(value, unit, verdict=verdict) == words


def test_only_a_significant_change_is_coloured():
    assert fmt.verdict_class("better") == "better" and fmt.verdict_class("worse") == "worse"
    assert fmt.verdict_class("no significant change") == "same"
    assert fmt.delta_colour("no significant change", "up") == "off"
    assert fmt.delta_colour("worse", "down") == "inverse"
    assert fmt.signed_change(-40, "count", verdict="worse") == "-40 (worse)"


def test_downloads_have_plain_headers_and_tidy_numbers():
    card = pd.DataFrame([scorecard_row(), scorecard_row(unit="percent", value=71.12345)])
    frame = fmt.scorecard_download(card)
    text = csv_data(frame).decode()
    assert "3092.8500000000004" not in text and "0000" not in text
    assert ",3093," in text.splitlines()[1]
    assert text.splitlines()[0].startswith("Measure,Themes,Unit,Better direction,Quarter,Latest")
    assert "_" not in text.splitlines()[0]
    first, second = text.splitlines()[1:3]
    assert ",3093," in first  # a count as an integer
    assert ",71.12," in second
    tidied = fmt.tidy(
        pd.DataFrame(
            {
                "period": ["2024-25 Q1"],
                "value": [3092.8500000000004],
                "our_value": [1.0],
                "numerator": [3093.0],
                "denominator": [None],
            }
        ),
        unit="count",
    )
    assert list(tidied.columns) == [
        "Quarter",
        "Value",
        "This dashboard's figure",
        "Numerator",
        "Denominator",
    ]
    assert tidied["Value"].iloc[0] == 3093 and str(tidied["Value"].dtype) == "Int64"


def test_the_spc_chart_draws_each_segment_and_the_process_changes():
    frame = xmr([10, 12, 11, 13, 12, 20, 22, 21, 23, 22], changes=[5])
    frame = frame.rename_axis("period").reset_index()
    frame["period"] = charts.quarter_domain(["2023-24 Q1", "2025-26 Q2"])
    chart = charts.spc_chart(
        frame,
        kind="xmr",
        unit="count",
        title="Rebased",
        events=[("2024-25 Q2", "GP registers joined")],
    )
    spec = chart.to_dict()
    mean_line = next(
        lay
        for lay in layers(chart)
        if lay["mark"]["type"] == "line" and lay["encoding"]["y"]["field"] == "mean"
    )
    assert mean_line["encoding"]["detail"]["field"] == "segment"
    rules = [lay for lay in layers(chart) if lay["mark"]["type"] == "rule"]
    assert any(r["encoding"].get("x", {}).get("field") == "period" for r in rules)
    assert (
        "limits recalculated for 2023-24 Q1 to 2024-25 Q1 (mean 12, limits 8 to 16), "
        in (spec["description"])
    )
    assert "events marked: 2024-25 Q2: GP registers joined" in spec["description"]


def test_quality_table_writes_each_state_as_a_word():
    matrix = pd.DataFrame(
        {
            "organisation": ["ROT-ASC"] * 3,
            "extract": ["carers"] * 3,
            "period": ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3"],
            "state": ["received", "rejected", "missing"],
            "due": [None] * 3,
            "submission_id": [1.0, 2.0, None],
        }
    )
    html = markup.quality_table(matrix, caption="Quality")
    for word in ("Received", "Rejected", "Missing"):
        assert word in html
    assert "submission 2" in html


def test_csv_downloads_make_formula_cells_safe():
    frame = pd.DataFrame({"note": ["=HYPERLINK(1)", "fine"], "value": [-5, 3], "ids": [(1, 2), ()]})
    text = csv_data(frame).decode()
    assert "'=HYPERLINK(1)" in text
    assert ",-5," in text  # numbers stay numbers
    assert "1; 2" in text


def test_findings_table_lists_errors_first_with_their_rows():
    report = {
        "findings": [
            {
                "severity": "warning",
                "rule": "extra",
                "message": "Extra column",
                "column": "x",
                "count": 0,
                "rows": [],
            },
            {
                "severity": "error",
                "rule": "value_not_allowed",
                "message": "age_band must be one of ...",
                "column": "age_band",
                "count": 12,
                "rows": [3, 5],
            },
        ]
    }
    table = findings_table(report)
    assert table.iloc[0]["Severity"] == "Error"
    assert table.iloc[0]["First failing rows (header is row 1)"] == "3, 5, ..."
    assert table.iloc[1]["Column"] == "x"


def test_the_legend_names_only_what_the_chart_draws():
    chart = charts.measure_chart(series([10, 12], band=False), unit="count", title="Counts")
    colours = {
        tuple(lay["encoding"]["color"]["scale"]["domain"])
        for lay in layers(chart)
        if "color" in lay["encoding"]
    }
    assert colours == {("Value",)}


def test_every_chart_fills_the_width_and_keeps_its_plot_height():
    frame = pd.DataFrame(
        {"breakdown_value": ["a", "b"], "value": [1.0, 2.0], "lower_ci": None, "upper_ci": None}
    )
    built = [
        charts.measure_chart(series([1, 2]), unit="count", title="t"),
        charts.breakdown_chart(frame, unit="count", title="t"),
    ]
    for chart in built:
        assert chart.to_dict()["autosize"] == {"type": "fit-x", "contains": "padding"}

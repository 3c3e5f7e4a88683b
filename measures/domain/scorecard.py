"""The scorecard: each measure's latest value against baseline, targets and SPC.

A pure function of stored values and configuration, so it is tested without a
database and the dashboard only lays it out.
"""

from __future__ import annotations

import math

import pandas as pd

from carers_impact.periods import InvalidPeriod, Quarter
from measures.domain.areas import Area
from measures.domain.catalogue import Catalogue
from measures.domain.outlook import judge
from measures.domain.significance import Figure, compare
from measures.domain.targets import assess

SPARKLINE_QUARTERS = 12

COLUMNS = [
    "measure_id",
    "title",
    "themes",
    "theme_titles",
    "unit",
    "polarity",
    "period",
    "value",
    "lower_ci",
    "upper_ci",
    "previous_period",
    "previous_value",
    "change_on_previous",
    "previous_verdict",
    "year_ago_period",
    "year_ago_value",
    "change_on_year",
    "year_verdict",
    "baseline_period",
    "baseline_value",
    "change_on_baseline",
    "baseline_verdict",
    "target_2025",
    "target_2027",
    "next_target_label",
    "next_target_period",
    "next_target",
    "expected",
    "status",
    "chart",
    "variation",
    "variation_direction",
    "assurance",
    "assurance_against",
    "assurance_reason",
    "spc_reason",
    "process_changes",
    "suggested_change",
    "story",
    "forecast_period",
    "forecast_value",
    "forecast_lower",
    "forecast_upper",
    "forecast_outlook",
    "forecast_reason",
    "sparkline",
]


def _quarter_or_none(label: str) -> Quarter | None:
    try:
        return Quarter.parse(label)
    except InvalidPeriod:
        return None


def quarterly_series(
    values: pd.DataFrame, measure_id: str, until: Quarter | None = None
) -> pd.Series:
    """A measure's whole-area values by quarter, oldest first (years left out)."""
    rows = values[(values["measure_id"] == measure_id) & (values["breakdown"] == "all")]
    points = sorted(
        (quarter, value)
        for quarter, value in zip(map(_quarter_or_none, rows["period"]), rows["value"], strict=True)
        if quarter is not None and (until is None or quarter <= until)
    )
    return pd.Series([float(v) for _, v in points], index=[q.label for q, _ in points], dtype=float)


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def measure_row(
    values: pd.DataFrame,
    *,
    area: Area,
    measure_id: str,
    catalogue: Catalogue,
    until: Quarter | None = None,
) -> dict:
    """Everything the scorecard shows for one measure of an area."""
    measure = catalogue[measure_id]
    series = quarterly_series(values, measure_id, until).dropna()
    whole = values[(values["measure_id"] == measure_id) & (values["breakdown"] == "all")]
    by_period = dict(zip(whole["period"], whole["value"], strict=True))
    rows = {r["period"]: r for r in whole.to_dict("records")}
    latest = series.index[-1] if len(series) else None
    targets = area.targets.get(measure_id, ())
    baseline = area.baselines.get(measure_id)
    assessment = assess(
        {p: _number(v) for p, v in by_period.items()},
        baseline=baseline,
        targets=targets,
        polarity=measure.polarity,
        tolerance=area.tolerance(measure_id),
        latest_period=latest,
        unit=measure.unit,
    )
    themes = area.themes_for(measure_id)
    row = {
        "measure_id": measure_id,
        "title": measure.title,
        "themes": [t.id for t in themes],
        "theme_titles": [t.title for t in themes],
        "unit": measure.unit,
        "polarity": measure.polarity,
        "period": latest,
        "value": series.iloc[-1] if latest else None,
        "baseline_period": assessment.baseline_period,
        "baseline_value": assessment.baseline_value,
        "target_2025": assessment.target_2025,
        "target_2027": assessment.target_2027,
        "expected": assessment.expected,
        "status": assessment.status,
        "sparkline": list(series.iloc[-SPARKLINE_QUARTERS:]),
    }
    current = rows.get(latest)
    row["lower_ci"] = _number(current["lower_ci"]) if current else None
    row["upper_ci"] = _number(current["upper_ci"]) if current else None
    row.update(
        compare_periods(
            rows,
            latest=latest,
            previous=series.index[-2] if len(series) > 1 else None,
            assessment=assessment,
            baseline=baseline,
            unit=measure.unit,
            polarity=measure.polarity,
        )
    )
    outlook = judge(
        series,
        polarity=measure.polarity,
        assessment=assessment,
        targets=targets,
        changes=area.process_changes.get(measure_id, ()),
        unit=measure.unit,
    )
    label, quarter, value = outlook.next_target or (None, None, None)
    found = outlook.forecast
    row.update(
        next_target_label=label,
        next_target_period=quarter,
        next_target=value,
        chart=outlook.chart.kind if outlook.chart else None,
        variation=outlook.variation,
        variation_direction=outlook.variation_direction,
        assurance=outlook.assurance,
        assurance_against=outlook.assurance_against,
        assurance_reason=outlook.assurance_reason,
        spc_reason=outlook.spc_reason,
        process_changes=[f"{c.period}: {c.reason}" for c in outlook.applied_changes],
        suggested_change=outlook.suggested_change,
        story=outlook.story,
        forecast_period=found.period if found else None,
        forecast_value=found.value if found else None,
        forecast_lower=found.lower if found else None,
        forecast_upper=found.upper if found else None,
        forecast_outlook=found.outlook if found else None,
        forecast_reason=outlook.forecast_reason,
    )
    return row


def compare_periods(
    rows: dict,
    *,
    latest: str | None,
    previous: str | None,
    assessment,
    baseline,
    unit: str,
    polarity: str,
) -> dict:
    """The latest value against the previous quarter, a year ago and the baseline, each tested.

    `rows` maps periods to stored rows (value, numerator, denominator, CIs).
    Returns `previous_*`, `year_ago_*` and `change_on_*` / `*_verdict` entries.
    """
    out: dict = {}
    later = Figure.from_row(rows.get(latest)) if latest else None
    year_ago = Quarter.from_index(Quarter.parse(latest).index - 4).label if latest else None
    earlier = {"previous": previous, "year_ago": year_ago, "baseline": assessment.baseline_period}
    for name, change, verdict in (
        ("previous", "change_on_previous", "previous_verdict"),
        ("year_ago", "change_on_year", "year_verdict"),
        ("baseline", "change_on_baseline", "baseline_verdict"),
    ):
        period = earlier[name]
        found = Figure.from_row(rows.get(period)) if period else None
        stated = baseline is not None and not baseline.computed
        if name == "baseline" and stated and assessment.baseline_value is not None:
            found = Figure(value=assessment.baseline_value)  # published, with no interval here
        if name != "baseline":
            out[f"{name}_period"] = period if found else None
            out[f"{name}_value"] = found.value if found else None
        if later is None or found is None:
            out[change], out[verdict] = None, None
            continue
        compared = compare(later, found, unit=unit, polarity=polarity)
        out[change], out[verdict] = compared.difference, compared.verdict
    return out


def build_scorecard(
    values: pd.DataFrame, *, area: Area, catalogue: Catalogue, period: str | None = None
) -> pd.DataFrame:
    """One row per measure of the area's framework, in the order the themes first name them.

    `values` are the area's stored values; `period` (a quarter) caps the latest
    period shown, for looking back at an earlier quarter. Each row lists the
    themes the measure tracks (`themes`, `theme_titles`).
    """
    until = Quarter.parse(period) if period else None
    measure_ids = [m for m in area.measure_ids if m in catalogue]
    rows = [
        measure_row(values, area=area, measure_id=m, catalogue=catalogue, until=until)
        for m in measure_ids
    ]
    return pd.DataFrame(rows, columns=COLUMNS)

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
from measures.domain.spc import SPCInputError, spc_chart
from measures.domain.targets import assess

SPARKLINE_QUARTERS = 12

COLUMNS = [
    "theme_id",
    "theme_title",
    "measure_id",
    "title",
    "unit",
    "polarity",
    "period",
    "value",
    "lower_ci",
    "upper_ci",
    "previous_period",
    "previous_value",
    "change_on_previous",
    "baseline_period",
    "baseline_value",
    "change_on_baseline",
    "target_2025",
    "target_2027",
    "expected",
    "status",
    "chart",
    "variation",
    "assurance",
    "spc_reason",
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
    latest = series.index[-1] if len(series) else None
    assessment = assess(
        {p: _number(v) for p, v in by_period.items()},
        baseline=area.baselines.get(measure_id),
        targets=area.targets.get(measure_id, ()),
        polarity=measure.polarity,
        tolerance=area.tolerance(measure_id),
        latest_period=latest,
        unit=measure.unit,
    )
    row = {
        "measure_id": measure_id,
        "title": measure.title,
        "unit": measure.unit,
        "polarity": measure.polarity,
        "period": latest,
        "value": series.iloc[-1] if latest else None,
        "previous_period": series.index[-2] if len(series) > 1 else None,
        "previous_value": series.iloc[-2] if len(series) > 1 else None,
        "baseline_period": assessment.baseline_period,
        "baseline_value": assessment.baseline_value,
        "change_on_baseline": assessment.change_on_baseline,
        "target_2025": assessment.target_2025,
        "target_2027": assessment.target_2027,
        "expected": assessment.expected,
        "status": assessment.status,
        "sparkline": list(series.iloc[-SPARKLINE_QUARTERS:]),
    }
    row["change_on_previous"] = (
        row["value"] - row["previous_value"] if row["previous_value"] is not None else None
    )
    ci = whole[whole["period"] == latest]
    row["lower_ci"] = ci["lower_ci"].iloc[0] if len(ci) else None
    row["upper_ci"] = ci["upper_ci"].iloc[0] if len(ci) else None
    row.update(_spc(series, polarity=measure.polarity, target=_next_target(assessment, latest)))
    return row


def _next_target(assessment, latest: str | None) -> float | None:
    if latest is None:
        return None
    for period, value in assessment.targets:
        if Quarter.parse(period) >= Quarter.parse(latest) and value is not None:
            return value
    return None


def _spc(series: pd.Series, *, polarity: str, target: float | None) -> dict:
    if len(series) == 0:
        return {"chart": None, "variation": None, "assurance": None, "spc_reason": "No data yet."}
    try:
        chart = spc_chart(series, polarity=polarity, target=target)
    except SPCInputError as exc:
        return {"chart": None, "variation": None, "assurance": None, "spc_reason": str(exc)}
    attrs = chart.frame.attrs if chart.kind == "xmr" else {}
    return {
        "chart": chart.kind,
        "variation": attrs.get("variation"),
        "assurance": attrs.get("assurance"),
        "spc_reason": chart.reason,
    }


def build_scorecard(
    values: pd.DataFrame, *, area: Area, catalogue: Catalogue, period: str | None = None
) -> pd.DataFrame:
    """One row per (theme, measure) of the area's framework, in the framework's order.

    `values` are the area's stored values; `period` (a quarter) caps the latest
    period shown, for looking back at an earlier quarter.
    """
    until = Quarter.parse(period) if period else None
    cache: dict[str, dict] = {}
    rows = []
    for theme in area.themes:
        for measure_id in theme.measures:
            if measure_id not in catalogue:
                continue
            if measure_id not in cache:
                cache[measure_id] = measure_row(
                    values, area=area, measure_id=measure_id, catalogue=catalogue, until=until
                )
            rows.append({"theme_id": theme.id, "theme_title": theme.title, **cache[measure_id]})
    return pd.DataFrame(rows, columns=COLUMNS)

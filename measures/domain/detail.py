"""Everything the measure page shows for one measure of an area, as a pure function.

The series with its intervals, the baseline, targets and the trajectory between
them, the status, the SPC chart (or the run chart and why) and the latest
breakdowns; built from stored values and configuration, with no database.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from carers_impact.periods import InvalidPeriod, Quarter
from measures.domain.areas import Area
from measures.domain.catalogue import BREAKDOWNS, Measure
from measures.domain.outlook import Outlook, judge
from measures.domain.scorecard import compare_periods
from measures.domain.targets import Assessment, assess, period_quarter, trajectory

SERIES_COLUMNS = ["period", "value", "lower_ci", "upper_ci", "numerator", "denominator"]
BREAKDOWN_COLUMNS = ["breakdown", "breakdown_value", *SERIES_COLUMNS[1:], "share"]


@dataclass(frozen=True)
class MeasureDetail:
    measure: Measure
    area_id: str
    period: str | None  # the latest quarter shown
    series: pd.DataFrame  # quarters, oldest first: SERIES_COLUMNS
    years: pd.DataFrame  # financial years: SERIES_COLUMNS
    baseline: pd.DataFrame  # 0 or 1 row: label, period (quarter it sits at), value, source
    targets: pd.DataFrame  # label, period (quarter), value
    trajectory: pd.DataFrame  # period, expected: quarter by quarter, baseline to last target
    assessment: Assessment
    spc: pd.DataFrame | None  # the XmR or run chart frame with a period column
    spc_kind: str | None  # "xmr", "run" or None
    spc_reason: str
    breakdowns: pd.DataFrame  # the latest quarter's breakdowns: BREAKDOWN_COLUMNS
    outlook: Outlook  # assurance, process changes, forecast and story, as on the scorecard
    changes: dict  # the latest value against the previous quarter, a year ago and the baseline


def _quarter(label: str) -> Quarter | None:
    try:
        return Quarter.parse(label)
    except InvalidPeriod:
        return None


def _split(rows: pd.DataFrame, until: Quarter | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    quarters = rows["period"].map(_quarter)
    is_quarter = quarters.notna().astype(bool)
    q_rows = rows.loc[is_quarter].assign(_q=quarters[is_quarter])
    if until is not None:
        q_rows = q_rows[q_rows["_q"] <= until]
    q_rows = q_rows.sort_values("_q")
    years = rows.loc[~is_quarter].sort_values("period")
    if until is not None:
        years = years.loc[years["period"].map(lambda p: period_quarter(p) <= until).astype(bool)]
    return (
        q_rows[SERIES_COLUMNS].reset_index(drop=True),
        years[SERIES_COLUMNS].reset_index(drop=True),
    )


def build_detail(
    values: pd.DataFrame, *, area: Area, measure: Measure, until: str | None = None
) -> MeasureDetail:
    """`values` are the area's stored values of this measure (every breakdown)."""
    cap = Quarter.parse(until) if until else None
    rows = values[values["measure_id"] == measure.id]
    whole = rows[rows["breakdown"] == "all"]
    series, years = _split(whole, cap)
    present = series.dropna(subset=["value"])
    latest = present["period"].iloc[-1] if len(present) else None

    by_period = {p: _number(v) for p, v in zip(whole["period"], whole["value"], strict=True)}
    baseline = area.baselines.get(measure.id)
    targets = area.targets.get(measure.id, ())
    assessment = assess(
        by_period,
        baseline=baseline,
        targets=targets,
        polarity=measure.polarity,
        tolerance=area.tolerance(measure.id),
        latest_period=latest,
        unit=measure.unit,
    )
    baseline_frame = pd.DataFrame(
        [
            {
                "label": f"Baseline ({baseline.period})",
                "period": baseline.quarter.label,
                "value": assessment.baseline_value,
                "source": baseline.source or "computed from the data",
            }
        ]
        if baseline is not None and assessment.baseline_value is not None
        else [],
        columns=["label", "period", "value", "source"],
    )
    ordered = sorted(targets, key=lambda t: t.quarter.index)
    target_frame = pd.DataFrame(
        [
            {"label": f"Target {t.label}", "period": t.quarter.label, "value": value}
            for t, (_, value) in zip(ordered, assessment.targets, strict=True)
            if value is not None
        ],
        columns=["label", "period", "value"],
    )
    outlook = judge(
        pd.Series(present["value"].to_numpy(dtype=float), index=present["period"]),
        polarity=measure.polarity,
        assessment=assessment,
        targets=tuple(targets),
        changes=area.process_changes.get(measure.id, ()),
        unit=measure.unit,
    )
    spc, kind = None, None
    if outlook.chart is not None:
        spc = outlook.chart.frame.rename_axis("period").reset_index()
        spc.attrs.update(outlook.chart.frame.attrs)
        kind = outlook.chart.kind
    return MeasureDetail(
        measure=measure,
        area_id=area.id,
        period=latest,
        series=series,
        years=years,
        baseline=baseline_frame,
        targets=target_frame,
        trajectory=_trajectory(baseline_frame, target_frame),
        assessment=assessment,
        spc=spc,
        spc_kind=kind,
        spc_reason=outlook.spc_reason if len(present) else "No data yet, so there is no chart.",
        breakdowns=_breakdowns(rows, whole, latest, unit=measure.unit),
        outlook=outlook,
        changes=compare_periods(
            {r["period"]: r for r in whole.to_dict("records")},
            latest=latest,
            previous=present["period"].iloc[-2] if len(present) > 1 else None,
            assessment=assessment,
            baseline=baseline,
            unit=measure.unit,
            polarity=measure.polarity,
        ),
    )


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _trajectory(baseline: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    if baseline.empty or targets.empty:
        return pd.DataFrame(columns=["period", "expected"])
    start = baseline.iloc[0]
    points = [
        (p, v)
        for p, v in zip(targets["period"], targets["value"], strict=True)
        if Quarter.parse(p) > Quarter.parse(start["period"])
    ]
    if not points:
        return pd.DataFrame(columns=["period", "expected"])
    line = trajectory(start["period"], start["value"], points)
    expected = line.series(start["period"], points[-1][0])
    return pd.DataFrame({"period": expected.index, "expected": expected.to_numpy()})


def _breakdowns(
    rows: pd.DataFrame, whole: pd.DataFrame, latest: str | None, *, unit: str
) -> pd.DataFrame:
    if latest is None:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    cells = rows[(rows["period"] == latest) & (rows["breakdown"] != "all")].copy()
    total = whole.loc[whole["period"] == latest, "value"]
    if unit == "count" and len(total) and total.iloc[0]:
        cells["share"] = cells["value"] / total.iloc[0] * 100
    else:
        cells["share"] = float("nan")
    order = {name: i for i, name in enumerate(BREAKDOWNS)}
    cells = cells.assign(_order=cells["breakdown"].map(order).fillna(len(order)))
    cells = cells.sort_values(["_order", "breakdown_value"], kind="stable")
    return cells[BREAKDOWN_COLUMNS].reset_index(drop=True)

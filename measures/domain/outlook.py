"""A measure's SPC, assurance, forecast and story, judged one way for the scorecard and its page.

Both the scorecard and the measure page call `judge`, so the two never tell
different stories about the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from carers_impact.periods import Quarter
from measures.domain.areas import ProcessChange
from measures.domain.forecast import TooFewForForecast, against_target, forecast
from measures.domain.spc import SPCChart, SPCInputError, spc_chart
from measures.domain.story import status_and_assurance
from measures.domain.targets import Assessment, Target, period_quarter, trajectory

COMING_QUARTERS = 4
"""Assurance with a trajectory is judged against its values for this many quarters ahead."""


@dataclass(frozen=True)
class Outlook:
    chart: SPCChart | None
    spc_reason: str
    applied_changes: tuple[ProcessChange, ...]  # the changes the limits were recalculated at
    assurance_against: str | None  # "trajectory", "target" or None
    assurance_targets: tuple[float, ...]
    assurance_reason: str  # why there is no assurance, where there is none
    suggested_change: str | None  # a sustained shift with no change configured starts here
    next_target: tuple[str, str, float] | None  # (label, quarter, value)
    forecast: object | None  # measures.domain.forecast.Forecast
    forecast_reason: str
    story: str

    @property
    def variation(self) -> str | None:
        return self._attr("variation")

    @property
    def variation_direction(self) -> str:
        return self._attr("variation_direction") or ""

    @property
    def assurance(self) -> str | None:
        return self._attr("assurance")

    def _attr(self, name: str):
        if self.chart is None or self.chart.kind != "xmr":
            return None
        return self.chart.frame.attrs.get(name)


def next_target(
    assessment: Assessment, targets: tuple[Target, ...], latest: str | None
) -> tuple[str, str, float] | None:
    """The first target not yet past at the latest quarter: (label, quarter, value)."""
    if latest is None:
        return None
    ordered = sorted(targets, key=lambda t: t.quarter.index)
    for target, (_, value) in zip(ordered, assessment.targets, strict=True):
        if target.quarter >= Quarter.parse(latest) and value is not None:
            return target.label, target.quarter.label, value
    return None


def coming_trajectory(assessment: Assessment, latest: str) -> tuple[float, ...]:
    """The trajectory's values for the quarters after `latest` (empty without a trajectory)."""
    resolved = assessment.targets
    if (
        assessment.baseline_period is None
        or assessment.baseline_value is None
        or not resolved
        or any(v is None for _, v in resolved)
    ):
        return ()
    line = trajectory(assessment.baseline_period, assessment.baseline_value, resolved)
    start = Quarter.parse(latest).index
    values = (line.expected(Quarter.from_index(start + k)) for k in range(1, COMING_QUARTERS + 1))
    return tuple(v for v in values if v is not None)


def judge(
    series: pd.Series,
    *,
    polarity: str,
    assessment: Assessment,
    targets: tuple[Target, ...],
    changes: tuple[ProcessChange, ...] = (),
    unit: str = "",
) -> Outlook:
    """`series` is the measure's quarterly values (label -> value), oldest first, no gaps.

    `unit` bounds the forecast's interval: never below 0, and for a percentage
    never above 100.
    """
    series = series.dropna()
    latest = series.index[-1] if len(series) else None
    upcoming = next_target(assessment, targets, latest)
    against, goals, assurance_reason = None, (), ""
    if latest is not None:
        goals = coming_trajectory(assessment, latest)
        if goals:
            against = "trajectory"
        elif upcoming is not None:
            against, goals = "target", (upcoming[2],)
        else:
            assurance_reason = "no target to judge the process against"
    applied = _applicable(changes, series)
    chart, spc_reason = _chart(series, polarity=polarity, goals=goals, applied=applied)
    if chart is not None and chart.kind == "run" and not assurance_reason:
        assurance_reason = "too few quarters for control limits"
    if chart is None and not assurance_reason:
        assurance_reason = spc_reason.rstrip(".")
    suggested = None
    if chart is not None and chart.kind == "xmr":
        shift = chart.frame.attrs.get("sustained_shift")
        configured = {c.period for c in changes}
        if shift is not None and shift not in configured and shift != series.index[0]:
            suggested = shift
    found, forecast_reason = _forecast(
        series, upcoming, applied=applied, polarity=polarity, unit=unit
    )
    outlook = Outlook(
        chart=chart,
        spc_reason=spc_reason,
        applied_changes=applied,
        assurance_against=against,
        assurance_targets=tuple(goals),
        assurance_reason=assurance_reason,
        suggested_change=suggested,
        next_target=upcoming,
        forecast=found,
        forecast_reason=forecast_reason,
        story="",
    )
    story = status_and_assurance(
        assessment.status,
        outlook.assurance,
        against=against,
        assurance_reason=assurance_reason,
    )
    return Outlook(**{**outlook.__dict__, "story": story})


def _applicable(changes: tuple[ProcessChange, ...], series: pd.Series) -> tuple[ProcessChange, ...]:
    """Changes inside the series that leave every segment at least two quarters long."""
    labels = list(series.index)
    kept: list[ProcessChange] = []
    last_start = 0
    for change in changes:
        if change.period not in labels:
            continue
        at = labels.index(change.period)
        if at - last_start >= 2 and len(labels) - at >= 2:
            kept.append(change)
            last_start = at
    return tuple(kept)


def _chart(series: pd.Series, *, polarity: str, goals, applied) -> tuple[SPCChart | None, str]:
    if series.empty:
        return None, "No data yet."
    try:
        chart = spc_chart(
            series,
            polarity=polarity,
            target=list(goals) or None,
            changes=[c.period for c in applied],
        )
    except SPCInputError as exc:
        return None, str(exc)
    reason = chart.reason
    if applied and chart.kind == "xmr":
        reason += (
            " Limits are recalculated at "
            + "; ".join(f"{c.period} ({c.reason})" for c in applied)
            + "."
        )
    return chart, reason


def _forecast(series: pd.Series, upcoming, *, applied, polarity: str, unit: str):
    if upcoming is None:
        return None, "No target to forecast to."
    label, quarter, value = upcoming
    if period_quarter(quarter) <= Quarter.parse(series.index[-1]):
        return None, f"The {label} target falls due this quarter: the latest value is the answer."
    fitted = series
    if applied:
        since = series.loc[applied[-1].period :]
        if len(since) >= 6:
            fitted = since
    try:
        found = forecast(fitted, to=quarter)
    except TooFewForForecast as exc:
        return None, str(exc)
    if unit:
        top = 100.0 if unit == "percent" else math.inf
        found = replace(
            found,
            value=min(max(found.value, 0.0), top),
            lower=min(max(found.lower, 0.0), top),
            upper=min(max(found.upper, 0.0), top),
        )
    return against_target(found, target=value, label=label, polarity=polarity), ""

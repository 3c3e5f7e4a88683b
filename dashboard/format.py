"""Numbers and labels as people read them: units, changes, status and SPC in words."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from carers_impact.periods import Quarter
from measures import api

UNIT_AXIS = {"count": "Number", "percent": "Per cent", "rate": "Per 100", "mean": "Score"}
POLARITY_WORDS = {polarity: words.capitalize() for polarity, words in api.POLARITY_WORDS.items()}
STATUS_WORDS = {
    "on track": "On track",
    "close": "Close to the trajectory",
    "off track": "Off track",
    "no target": "No target",
    "not enough data": "Not enough data",
}
STATUS_SHORT = STATUS_WORDS | {"close": "Close"}
VARIATION_WORDS = {
    "common_cause": "Common cause variation: no significant change",
    "special_cause_improvement": "Special cause variation: improvement",
    "special_cause_concern": "Special cause variation: concern",
    "special_cause_neutral_high": "Special cause variation: unusually high",
    "special_cause_neutral_low": "Special cause variation: unusually low",
}
ASSURANCE_SHORT = {
    "consistently pass": "consistently passes",
    "consistently fail": "consistently fails",
    "hit and miss": "hit and miss",
}
ASSURANCE_WORDS = {
    "consistently pass": "The process will consistently meet the next target",
    "consistently fail": "The process will not meet the next target without change",
    "hit and miss": "The process will sometimes meet and sometimes miss the next target",
}
SPECIAL_CAUSE_RULES = {
    "outside_limits": "a point outside the control limits",
    "shift": "7 or more points in a row on one side of the mean",
    "trend": "7 or more points in a row rising or falling",
    "two_of_three": "2 of 3 points near a control limit",
}


def missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value, unit: str, *, decimals: int = 1) -> str:
    """A value in its unit: 3,043 carers; 71.1%; 11.6 per 100; a score of 7.6."""
    if missing(value):
        return "–"
    value = float(value)
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "percent":
        return f"{value:.{decimals}f}%"
    return f"{value:,.{decimals}f}"


def interval(lower, upper, unit: str) -> str:
    if missing(lower) or missing(upper):
        return ""
    return f"95% CI {number(lower, unit)} to {number(upper, unit)}"


VERDICT_WORDS = {
    "better": "better",
    "worse": "worse",
    "higher": "significantly higher",
    "lower": "significantly lower",
    "no significant change": "no significant change",
    "not tested": "not tested for significance",
}


def amount(value, unit: str) -> str:
    """The size of a change in its unit, without a sign."""
    size = abs(float(value))
    if unit == "count":
        return f"{size:,.0f}"
    if unit == "percent":
        return f"{size:.1f} points"
    return f"{size:,.2f}"


def change(value, unit: str, *, verdict: str | None = None) -> str:
    """A change with its direction, its unit and what a test says of it.

    "better" or "worse" only when the change is statistically significant
    (`measures.domain.significance`); otherwise "no significant change".
    """
    if missing(value):
        return "–"
    value = float(value)
    size = amount(value, unit)
    if math.isclose(value, 0, abs_tol=1e-9) or size in ("0", "0.0 points", "0.00"):
        return "No change"
    direction = "Up" if value > 0 else "Down"
    words = VERDICT_WORDS.get(verdict or "", "")
    return f"{direction} {size}" + (f" ({words})" if words else "")


def signed_change(value, unit: str, *, verdict: str | None = None) -> str | None:
    """A change for `st.metric`'s delta: a leading minus for a fall, so its arrow points down."""
    if missing(value):
        return None
    value = float(value)
    size = amount(value, unit)
    if size in ("0", "0.0 points", "0.00"):
        return "No change"
    words = VERDICT_WORDS.get(verdict or "", "")
    return f"{'-' if value < 0 else '+'}{size}" + (f" ({words})" if words else "")


def delta_colour(verdict: str | None, polarity: str) -> str:
    """Colour a metric's change only when it is significantly better or worse."""
    if verdict not in ("better", "worse"):
        return "off"
    return "normal" if polarity == "up" else "inverse"


def verdict_class(verdict) -> str:
    """`better` or `worse` (coloured) only for a significant change; else `same` (neutral)."""
    return verdict if verdict in ("better", "worse") else "same"


def status(value) -> str:
    return STATUS_WORDS.get(value, "Not enough data") if not missing(value) else "Not enough data"


def variation(value, *, chart: str | None = None) -> str:
    if chart == "run":
        return "Run chart: too few quarters for control limits"
    if missing(value):
        return "No SPC chart"
    return VARIATION_WORDS.get(value, str(value))


def assurance(value, *, against: str | None = None) -> str:
    if missing(value):
        return ""
    words = ASSURANCE_WORDS.get(value, str(value))
    if against == "trajectory":
        words = words.replace("the next target", "the trajectory over the coming quarters")
    return words


def variation_label(value, *, direction: str = "") -> str:
    """The variation icon's text alternative: the kind of variation and its side."""
    words = VARIATION_WORDS.get(value, str(value))
    if value in ("special_cause_improvement", "special_cause_concern") and direction:
        words += f" ({'high' if direction == 'high' else 'low'} values)"
    return words


OUTLOOK_WORDS = {
    "likely": "is likely to be met",
    "unlikely": "is unlikely to be met",
    "uncertain": "may or may not be met",
}


def forecast_sentence(row, *, unit: str) -> str:
    """Where the current trend leads by the target's quarter, in words, or why there is none."""
    if missing(row.get("forecast_value")):
        reason = row.get("forecast_reason")
        return "" if missing(reason) else str(reason)
    return (
        f"At the current rate, {number(row['forecast_value'], unit)} by {row['forecast_period']} "
        f"({number(row['forecast_lower'], unit)} to {number(row['forecast_upper'], unit)}): "
        f"the {row['next_target_label']} target of {number(row['next_target'], unit)} "
        f"{OUTLOOK_WORDS.get(row['forecast_outlook'], '')}."
    )


def quarter_of(day) -> str:
    """The financial-year quarter a date falls in, e.g. 13 May 2024 -> 2024-25 Q1."""
    return Quarter.containing(day).label


def quarter_index(label: str) -> int:
    """A quarter label's place in time, for comparing quarters."""
    return Quarter.parse(label).index


def timestamp(value) -> str:
    """A stored time as `23/11/2026 14:05 UTC`."""
    if missing(value):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    moment: datetime = stamp.tz_convert("UTC").to_pydatetime()
    return f"{moment:%d/%m/%Y %H:%M} UTC"


# -- tables as people read them (on screen and in downloads) ------------------------

COLUMN_LABELS = {
    "period": "Quarter",
    "value": "Value",
    "lower_ci": "Lower 95% limit",
    "upper_ci": "Upper 95% limit",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "expected": "On the trajectory",
    "label": "Label",
    "source": "Source",
    "mean": "Mean",
    "median": "Median",
    "lower_limit": "Lower control limit",
    "upper_limit": "Upper control limit",
    "moving_range": "Moving range",
    "segment": "Process segment",
    "rule": "Special cause rule",
    "direction": "Side",
    "special_cause": "Special cause",
    "breakdown": "Breakdown",
    "breakdown_value": "Group",
    "share": "Share of the total (%)",
    "area": "Area id",
    "area_name": "Area",
    "measure_id": "Measure id",
    "ascof_code": "ASCOF measure",
    "measure": "Measure",
    "comparator_median": "Median council",
    "comparator_councils": "Councils in the median",
    "our_value": "This dashboard's figure",
    "our_lower_ci": "Its lower 95% limit",
    "our_upper_ci": "Its upper 95% limit",
    "compared": "Against the median council",
    "text": "Commentary",
    "author": "Author",
    "written_at": "Written at",
    "id": "Id",
    "population": "People providing unpaid care (Census 2021)",
    "per_1000": "Per 1,000 people providing unpaid care",
}
# Columns holding a figure in the measure's own unit.
FIGURE_COLUMNS = {
    "value",
    "lower_ci",
    "upper_ci",
    "expected",
    "mean",
    "median",
    "lower_limit",
    "upper_limit",
    "moving_range",
    "comparator_median",
    "our_value",
    "our_lower_ci",
    "our_upper_ci",
}
COUNT_COLUMNS = {"numerator", "denominator", "comparator_councils", "segment", "population"}


def rounded(series: pd.Series, unit: str) -> pd.Series:
    """Figures as shown: counts as whole numbers, others to 1 decimal (2 for a mean)."""
    numbers = pd.to_numeric(series, errors="coerce")
    if unit == "count":
        return numbers.round(0).astype("Int64")
    return numbers.round(2 if unit == "mean" else 1)


def whole(series: pd.Series) -> pd.Series:
    """Counts as whole numbers where every one is whole; otherwise to 2 decimals."""
    numbers = pd.to_numeric(series, errors="coerce")
    present = numbers.dropna()
    if (present == present.round(0)).all():
        return numbers.round(0).astype("Int64")
    return numbers.round(2)


def tidy(frame: pd.DataFrame, *, unit: str) -> pd.DataFrame:
    """A table with plain-English headers and figures rounded for its unit, for show and CSV."""
    out = frame.copy()
    for column in out.columns:
        if column in FIGURE_COLUMNS:
            out[column] = rounded(out[column], unit)
        elif column in COUNT_COLUMNS:
            out[column] = whole(out[column])
        elif column in ("share", "per_1000"):
            out[column] = pd.to_numeric(out[column], errors="coerce").round(1)
        elif column == "rule":
            out[column] = out[column].map(lambda r: SPECIAL_CAUSE_RULES.get(r, r))
        elif column == "written_at":
            out[column] = out[column].map(timestamp)
    return out.rename(columns={c: COLUMN_LABELS.get(c, c) for c in out.columns})


def scorecard_download(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as a spreadsheet: one row per measure, headers and figures as shown."""
    rows = []
    for r in card.to_dict("records"):
        unit = r["unit"]

        def figure(value, unit=unit):
            # As text: a column holds counts and percentages, and pandas would turn an
            # integer beside a missing value into 3093.0.
            if missing(value):
                return None
            return f"{float(value):.0f}" if unit == "count" else f"{float(value):.2f}"

        rows.append(
            {
                "Measure": r["title"],
                "Themes": "; ".join(r["theme_titles"] or []),
                "Unit": unit,
                "Better direction": POLARITY_WORDS[r["polarity"]],
                "Quarter": r["period"],
                "Latest": figure(r["value"]),
                "Lower 95% limit": figure(r["lower_ci"]),
                "Upper 95% limit": figure(r["upper_ci"]),
                "Change on previous quarter": change(
                    r["change_on_previous"], unit, verdict=r["previous_verdict"]
                ),
                "Change on a year ago": change(
                    r["change_on_year"], unit, verdict=r["year_verdict"]
                ),
                "Baseline quarter": r["baseline_period"],
                "Baseline": figure(r["baseline_value"]),
                "Change since baseline": change(
                    r["change_on_baseline"], unit, verdict=r["baseline_verdict"]
                ),
                "On the trajectory": figure(r["expected"]),
                "Next target": figure(r["next_target"]),
                "Next target due": r["next_target_period"],
                "2025 target": figure(r["target_2025"]),
                "2027 target": figure(r["target_2027"]),
                "Status": status(r["status"]),
                "Variation": variation_label(r["variation"], direction=r["variation_direction"])
                if not missing(r["variation"])
                else variation(None, chart=r["chart"]),
                "Assurance": assurance(r["assurance"], against=r["assurance_against"]),
                "What status and assurance mean together": r["story"],
                "Forecast": forecast_sentence(r, unit=unit),
            }
        )
    return pd.DataFrame(rows, dtype=object)


def story_download(records: pd.DataFrame, *, action_titles: dict[str, str]) -> pd.DataFrame:
    """Turn-the-curve records as a spreadsheet, lists joined in words."""
    return pd.DataFrame(
        [
            {
                "Quarter": r["period"],
                "Story behind the curve": r["story"],
                "Partners and their roles": "; ".join(
                    f"{p['partner']}: {p['role']}" for p in r["partners"]
                ),
                "What works": r["what_works"],
                "Action plan": "; ".join(action_titles.get(a, a) for a in r["actions"]),
                "Event": r["event"] if isinstance(r["event"], str) else "",
                "Event date": r["event_date"].strftime("%d/%m/%Y")
                if isinstance(r["event"], str) and r["event"]
                else "",
                "Author": r["author"],
                "Written at": timestamp(r["written_at"]),
            }
            for r in records.to_dict("records")
        ]
    )

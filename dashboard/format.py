"""Numbers and labels as people read them: units, changes, status and SPC in words."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

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
VARIATION_WORDS = {
    "common_cause": "Common cause variation: no significant change",
    "special_cause_improvement": "Special cause variation: improvement",
    "special_cause_concern": "Special cause variation: concern",
    "special_cause_neutral_high": "Special cause variation: unusually high",
    "special_cause_neutral_low": "Special cause variation: unusually low",
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


def change(value, unit: str, polarity: str) -> str:
    """A change with its sign, its unit and whether it is better or worse."""
    if missing(value):
        return "–"
    value = float(value)
    size = abs(value)
    if unit == "count":
        amount = f"{size:,.0f}"
    elif unit == "percent":
        amount = f"{size:.1f} points"
    else:
        amount = f"{size:,.2f}"
    if math.isclose(value, 0, abs_tol=1e-9) or amount in ("0", "0.0 points", "0.00"):
        return "No change"
    direction = "Up" if value > 0 else "Down"
    if polarity == "neutral":
        return f"{direction} {amount}"
    better = (value > 0) == (polarity == "up")
    return f"{direction} {amount} ({'better' if better else 'worse'})"


def change_direction(value, polarity: str) -> str:
    """`better`, `worse` or `same` (or `none` without a better direction), for styling."""
    if missing(value) or math.isclose(float(value), 0, abs_tol=1e-9):
        return "same"
    if polarity == "neutral":
        return "none"
    return "better" if (float(value) > 0) == (polarity == "up") else "worse"


def status(value) -> str:
    return STATUS_WORDS.get(value, "Not enough data") if not missing(value) else "Not enough data"


def variation(value, *, chart: str | None = None) -> str:
    if chart == "run":
        return "Run chart: too few quarters for control limits"
    if missing(value):
        return "No SPC chart"
    return VARIATION_WORDS.get(value, str(value))


def assurance(value) -> str:
    return "" if missing(value) else ASSURANCE_WORDS.get(value, str(value))


def timestamp(value) -> str:
    """A stored time as `23/11/2026 14:05 UTC`."""
    if missing(value):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    moment: datetime = stamp.tz_convert("UTC").to_pydatetime()
    return f"{moment:%d/%m/%Y %H:%M} UTC"

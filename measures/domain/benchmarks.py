"""A measure beside published national figures (ASCOF, in the reference data)."""

from __future__ import annotations

import pandas as pd

from measures.domain.reference import UnknownLocalAuthority, ascof_benchmarks

BENCHMARK_COLUMNS = [
    "period",
    "ascof_code",
    "measure",
    "value",
    "comparator_median",
    "comparator_councils",
    "our_value",
    "our_lower_ci",
    "our_upper_ci",
    "compared",
]
BETTER, SIMILAR, WORSE = "Better", "Similar", "Worse"


def benchmarks(
    la_code: str, *, measure_id: str, years: pd.DataFrame, polarity: str = "up"
) -> pd.DataFrame:
    """Published ASCOF figures for the council and the median council, by year.

    `years` are the area's own financial-year values of the measure (period,
    value, lower_ci, upper_ci); where one covers a published year it is shown
    beside it as `our_value` with its 95% interval, and `compared` says, as
    Fingertips does, whether it is Better, Similar or Worse than the median
    council by that interval: Similar when the interval holds the median,
    otherwise better or worse by the measure's polarity. Empty when ASCOF
    publishes nothing matching the measure.
    """
    try:
        published = ascof_benchmarks(la_code)
    except UnknownLocalAuthority:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    rows = published[published["measure_id"] == measure_id].copy()
    for column, source in (
        ("our_value", "value"),
        ("our_lower_ci", "lower_ci"),
        ("our_upper_ci", "upper_ci"),
    ):
        own = (
            dict(zip(years["period"], years[source], strict=True))
            if len(years) and source in years
            else {}
        )
        rows[column] = rows["period"].map(own).astype(float)
    rows["compared"] = [
        compared_with(low, high, median, polarity=polarity)
        for low, high, median in zip(
            rows["our_lower_ci"], rows["our_upper_ci"], rows["comparator_median"], strict=True
        )
    ]
    return rows[BENCHMARK_COLUMNS].reset_index(drop=True)


def compared_with(lower, upper, comparator, *, polarity: str) -> str:
    """Better, Similar or Worse than a comparator by a 95% interval ("" without one)."""
    if any(pd.isna(v) for v in (lower, upper, comparator)):
        return ""
    if lower <= comparator <= upper:
        return SIMILAR
    if polarity == "neutral":
        return "Higher" if lower > comparator else "Lower"
    above = lower > comparator
    return BETTER if above == (polarity == "up") else WORSE

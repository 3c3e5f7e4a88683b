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
]


def benchmarks(la_code: str, *, measure_id: str, years: pd.DataFrame) -> pd.DataFrame:
    """Published ASCOF figures for the council and the median council, by year.

    `years` are the area's own financial-year values of the measure (period,
    value); where one covers a published year it is shown beside it as
    `our_value`. Empty when ASCOF publishes nothing matching the measure.
    """
    try:
        published = ascof_benchmarks(la_code)
    except UnknownLocalAuthority:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    rows = published[published["measure_id"] == measure_id].copy()
    own = dict(zip(years["period"], years["value"], strict=True)) if len(years) else {}
    rows["our_value"] = rows["period"].map(own).astype(float)
    return rows[BENCHMARK_COLUMNS].reset_index(drop=True)

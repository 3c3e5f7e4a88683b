"""A measure beside the other areas of the deployment and published national figures."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from measures.reference import UnknownLocalAuthority, ascof_benchmarks

AREA_COLUMNS = ["area", "value", "lower_ci", "upper_ci", "numerator", "denominator"]
BENCHMARK_COLUMNS = [
    "period",
    "ascof_code",
    "measure",
    "value",
    "comparator_median",
    "comparator_councils",
    "our_value",
]


def read_across_areas(engine: Engine, *, measure_id: str, period: str) -> pd.DataFrame:
    """Every area's whole-area value of one measure in one period."""
    mv = db.measure_values
    query = (
        sa.select(*(mv.c[c] for c in AREA_COLUMNS))
        .where(mv.c.measure_id == measure_id, mv.c.period == period, mv.c.breakdown == "all")
        .order_by(mv.c.area)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=AREA_COLUMNS)


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

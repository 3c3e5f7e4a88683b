"""A measure beside the other areas of the deployment."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db

AREA_COLUMNS = ["area", "value", "lower_ci", "upper_ci", "numerator", "denominator"]


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

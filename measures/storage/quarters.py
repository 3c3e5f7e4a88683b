"""Which quarters an area has figures for, and which of them are published."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.periods import InvalidPeriod, Quarter

COLUMNS = ["period", "published", "published_at", "published_by"]


def quarters_with_figures(engine: Engine, *, area: str) -> list[str]:
    """Quarters holding stored figures for the area, newest first."""
    mv = db.measure_values
    with engine.connect() as conn:
        labels = conn.execute(sa.select(mv.c.period).where(mv.c.area == area).distinct()).scalars()
        quarters = []
        for label in labels:
            try:
                quarters.append(Quarter.parse(label))
            except InvalidPeriod:
                continue  # a financial year's figures
    return [q.label for q in sorted(quarters, reverse=True)]


def publication_status(engine: Engine, *, area: str) -> pd.DataFrame:
    """Every quarter with figures, newest first, with when and by whom it was published."""
    pp = db.published_periods
    with engine.connect() as conn:
        published = {
            row.period: row
            for row in conn.execute(
                sa.select(pp.c.period, pp.c.published_at, pp.c.published_by).where(
                    pp.c.area == area
                )
            )
        }
    rows = []
    for label in quarters_with_figures(engine, area=area):
        row = published.get(label)
        rows.append(
            {
                "period": label,
                "published": row is not None,
                "published_at": row.published_at if row else None,
                "published_by": row.published_by if row else None,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame

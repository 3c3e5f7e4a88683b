"""The story behind the curve: what the strategic group writes about a measure each quarter.

Commentary is kept for good, with its author and time; a later note adds to the
story rather than replacing an earlier one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.errors import UserError
from carers_impact.periods import Quarter

MAX_LENGTH = 5000
COLUMNS = ["id", "area", "measure_id", "period", "text", "author", "written_at"]


class InvalidComment(UserError, ValueError):
    """Commentary that is empty or too long."""


def add_comment(
    engine: Engine,
    *,
    area: str,
    measure_id: str,
    period: str,
    text: str,
    author: str,
    at: datetime | None = None,
) -> int:
    """Store one note about a measure's quarter; returns its id."""
    body = (text or "").strip()
    if not body:
        raise InvalidComment("Write something before saving the commentary")
    if len(body) > MAX_LENGTH:
        raise InvalidComment(
            f"Commentary can be at most {MAX_LENGTH} characters; this is {len(body)}"
        )
    with engine.begin() as conn:
        result = conn.execute(
            sa.insert(db.commentary).values(
                area=area,
                measure_id=measure_id,
                period=Quarter.parse(period).label,
                text=body,
                author=author,
                written_at=at or datetime.now(UTC),
            )
        )
    return int(result.inserted_primary_key[0])


def read_comments(engine: Engine, *, area: str, measure_id: str | None = None) -> pd.DataFrame:
    """An area's commentary (optionally one measure's), newest quarter first, then newest note."""
    table = db.commentary
    query = sa.select(*(table.c[c] for c in COLUMNS)).where(table.c.area == area)
    if measure_id:
        query = query.where(table.c.measure_id == measure_id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=COLUMNS)
    if frame.empty:
        return frame
    frame["written_at"] = pd.to_datetime(frame["written_at"], utc=True)
    order = frame["period"].map(lambda p: Quarter.parse(p).index)
    return (
        frame.assign(_order=order)
        .sort_values(["_order", "written_at"], ascending=[False, False])
        .drop(columns="_order")
        .reset_index(drop=True)
    )

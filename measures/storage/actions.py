"""Updates of strategy actions: every status and note the strategic group records, kept.

The table of actions with their current status is built from these by
`measures.domain.actions.action_table`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.errors import UserError
from measures.domain.areas import ACTION_STATUSES, Area

MAX_NOTE = 2000
UPDATE_COLUMNS = ["id", "area", "action_id", "status", "note", "author", "written_at"]


class UnknownAction(UserError, LookupError):
    """An action id the area's configuration does not hold."""


class InvalidUpdate(UserError, ValueError):
    """A status that is not one of ACTION_STATUSES, or a note that is too long."""


def add_update(
    engine: Engine,
    *,
    area: Area,
    action_id: str,
    status: str,
    note: str = "",
    author: str,
    at: datetime | None = None,
) -> int:
    """Record a new status (and note) for an action; returns the update's id."""
    if action_id not in {a.id for a in area.actions}:
        raise UnknownAction(f"{action_id!r} is not an action of {area.name}")
    if status not in ACTION_STATUSES:
        raise InvalidUpdate(f"{status!r} is not a status; use one of: {', '.join(ACTION_STATUSES)}")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidUpdate(f"A note can be at most {MAX_NOTE} characters; this is {len(note)}")
    with engine.begin() as conn:
        result = conn.execute(
            sa.insert(db.action_updates).values(
                area=area.id,
                action_id=action_id,
                status=status,
                note=note,
                author=author,
                written_at=at or datetime.now(UTC),
            )
        )
    return int(result.inserted_primary_key[0])


def read_updates(engine: Engine, *, area: str, action_id: str | None = None) -> pd.DataFrame:
    """An area's action updates, newest first."""
    table = db.action_updates
    query = sa.select(*(table.c[c] for c in UPDATE_COLUMNS)).where(table.c.area == area)
    if action_id:
        query = query.where(table.c.action_id == action_id)
    with engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(query.order_by(table.c.id.desc())).all(), columns=UPDATE_COLUMNS
        )
    frame["written_at"] = pd.to_datetime(frame["written_at"], utc=True)
    return frame

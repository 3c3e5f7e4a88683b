"""Strategy actions and their progress: configured in the area file, updated by the group.

The area's configuration gives each action a starting status; every update a
viewer makes is kept, and the latest one wins over the configured status.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from measures.areas import ACTION_STATUSES, Area, UnknownOrganisation
from measures.catalogue import Catalogue
from measures.targets import period_quarter

MAX_NOTE = 2000
UPDATE_COLUMNS = ["id", "area", "action_id", "status", "note", "author", "written_at"]
TABLE_COLUMNS = [
    "action_id",
    "title",
    "theme_id",
    "theme_title",
    "owner",
    "due",
    "status",
    "configured_status",
    "past_due",
    "measures",
    "measure_titles",
    "last_note",
    "updated_by",
    "updated_at",
]


class UnknownAction(LookupError):
    """An action id the area's configuration does not hold."""


class InvalidUpdate(ValueError):
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


def _owner(area: Area, owner: str) -> str:
    try:
        return f"{area.organisation(owner).name} ({owner})"
    except UnknownOrganisation:
        return owner


def action_table(
    area: Area, updates: pd.DataFrame, *, catalogue: Catalogue, today: date | None = None
) -> pd.DataFrame:
    """One row per configured action, its status the latest update's if there is one.

    `past_due` marks an action not done whose due quarter has ended.
    """
    today = today or date.today()
    latest = updates.sort_values("id").groupby("action_id").tail(1).set_index("action_id")
    rows = []
    for action in area.actions:
        theme = next((t for t in area.themes if t.id == action.theme), None)
        update = latest.loc[action.id] if action.id in latest.index else None
        status = update["status"] if update is not None else action.status
        rows.append(
            {
                "action_id": action.id,
                "title": action.title,
                "theme_id": action.theme,
                "theme_title": theme.title if theme else action.theme,
                "owner": _owner(area, action.owner),
                "due": action.due,
                "status": status,
                "configured_status": action.status,
                "past_due": status != "done" and period_quarter(action.due).end < today,
                "measures": action.measures,
                "measure_titles": tuple(
                    catalogue[m].title if m in catalogue else m for m in action.measures
                ),
                "last_note": update["note"] if update is not None else "",
                "updated_by": update["author"] if update is not None else None,
                "updated_at": update["written_at"] if update is not None else None,
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)

"""Strategy actions and their progress: configured in the area file, updated by the group.

The area's configuration gives each action a starting status; every update a
viewer makes is kept, and the latest one wins over the configured status.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from measures.domain.areas import Area, UnknownOrganisation
from measures.domain.catalogue import Catalogue
from measures.domain.targets import period_quarter

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

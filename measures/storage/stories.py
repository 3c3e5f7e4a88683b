"""The story behind the curve, as Results-Based Accountability's turn-the-curve record.

Per measure and quarter: the story behind the curve (why the line looks as it
does), the partners with a role to play, what works, and the action plan as
the area's own strategy actions. A dated event ("carers' hub opened") is drawn
on the measure's charts. Records are kept for good with their author and time;
a later record of the same quarter adds to the story, and the newest is shown
first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.errors import UserError
from carers_impact.periods import InvalidPeriod, Quarter
from measures.domain.areas import Area

MAX_LENGTH = 5000
MAX_PARTNERS = 20
COLUMNS = [
    "id",
    "area",
    "measure_id",
    "period",
    "story",
    "partners",
    "what_works",
    "actions",
    "event",
    "event_date",
    "author",
    "written_at",
]


class InvalidStory(UserError, ValueError):
    """A turn-the-curve record that is incomplete or names what the area does not have."""


def add_story(
    engine: Engine,
    *,
    area: Area,
    measure_id: str,
    period: str,
    story: str,
    partners: Sequence[tuple[str, str]] = (),
    what_works: str = "",
    actions: Sequence[str] = (),
    event: str = "",
    event_date: date | None = None,
    author: str,
    at: datetime | None = None,
) -> int:
    """Check and store one turn-the-curve record; returns its id. Nothing is stored on error."""
    try:
        quarter = Quarter.parse(period)
    except InvalidPeriod as exc:
        raise InvalidStory(f"The quarter: {exc}") from None
    body = _text(story, "The story behind the curve", required=True)
    works = _text(what_works, "What works")
    named = []
    for i, pair in enumerate(partners, start=1):
        name, role = (part.strip() for part in pair)
        if not name or not role:
            raise InvalidStory(
                f"Partner {i}: give the partner and their role, e.g. "
                "'Carers' centre: runs the carers' groups'"
            )
        named.append({"partner": name[:200], "role": role[:500]})
    if len(named) > MAX_PARTNERS:
        raise InvalidStory(f"Name at most {MAX_PARTNERS} partners; there are {len(named)}")
    known = {a.id for a in area.actions}
    unknown = [a for a in actions if a not in known]
    if unknown:
        raise InvalidStory(
            f"{', '.join(unknown)} is not an action of {area.name}'s strategy; "
            "choose from its strategy actions"
        )
    happened = (event or "").strip()
    if bool(happened) != (event_date is not None):
        raise InvalidStory("An event needs both what happened and its date, or neither")
    if event_date is not None and not (quarter.start <= event_date <= quarter.end):
        raise InvalidStory(
            f"The event's date {event_date:%d/%m/%Y} is not in {quarter.label} "
            f"({quarter.start:%d/%m/%Y} to {quarter.end:%d/%m/%Y}); record it with its own quarter"
        )
    with engine.begin() as conn:
        result = conn.execute(
            sa.insert(db.curve_stories).values(
                area=area.id,
                measure_id=measure_id,
                period=quarter.label,
                story=body,
                partners=json.dumps(named),
                what_works=works,
                actions=json.dumps(list(dict.fromkeys(actions))),
                event=happened[:300] or None,
                event_date=event_date,
                author=author,
                written_at=at or datetime.now(UTC),
            )
        )
    return int(result.inserted_primary_key[0])


def read_stories(engine: Engine, *, area: str, measure_id: str | None = None) -> pd.DataFrame:
    """An area's records (optionally one measure's), newest quarter first, then newest record."""
    table = db.curve_stories
    query = sa.select(*(table.c[c] for c in COLUMNS)).where(table.c.area == area)
    if measure_id:
        query = query.where(table.c.measure_id == measure_id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=COLUMNS)
    if frame.empty:
        return frame
    frame["partners"] = frame["partners"].map(json.loads)
    frame["actions"] = frame["actions"].map(json.loads)
    frame["written_at"] = pd.to_datetime(frame["written_at"], utc=True)
    order = frame["period"].map(lambda p: Quarter.parse(p).index)
    return (
        frame.assign(_order=order)
        .sort_values(["_order", "written_at", "id"], ascending=[False, False, False])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _text(value: str, what: str, *, required: bool = False) -> str:
    body = (value or "").strip()
    if required and not body:
        raise InvalidStory(f"{what}: write something before saving")
    if len(body) > MAX_LENGTH:
        raise InvalidStory(f"{what} can be at most {MAX_LENGTH} characters; this is {len(body)}")
    return body

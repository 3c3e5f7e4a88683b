"""Which quarters an area has figures for, and where each stands in publication."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.periods import InvalidPeriod, Quarter
from measures.storage.publishing import current_values, differences, snapshot_periods, snapshots

COLUMNS = [
    "period",
    "state",  # provisional, scheduled, published, withdrawn
    "published",
    "first_published_at",
    "published_at",
    "published_by",
    "revised_at",
    "revision_reason",
    "override_reason",
    "withdrawn_at",
    "withdrawal_notice",
    "scheduled_for",
    "scheduled_by",
    "changed_since_publication",  # figures that differ from the public snapshot
]
HISTORY_COLUMNS = [
    "id",
    "period",
    "action",
    "at",
    "by",
    "reason",
    "override_reason",
    "scheduled_for",
]
TIMES = ("first_published_at", "published_at", "revised_at", "withdrawn_at", "scheduled_for")


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
    """Every quarter with figures (or ever published), newest first, and its publication state.

    A published quarter whose figures have changed since (a late file, a
    withdrawal) counts the figures that differ: they reach the public view
    only when the quarter is published again.
    """
    pp, sp = db.published_periods, db.scheduled_publications
    with engine.connect() as conn:
        published = {r.period: r for r in conn.execute(sa.select(pp).where(pp.c.area == area))}
        scheduled = {r.period: r for r in conn.execute(sa.select(sp).where(sp.c.area == area))}
        changed = {}
        for label, row in published.items():
            if row.status == "published":
                periods = snapshot_periods(label)
                changed[label] = differences(
                    current_values(conn, area, periods), snapshots(conn, [row.publication_id])
                )
    labels = set(quarters_with_figures(engine, area=area)) | set(published)
    rows = []
    for label in sorted(labels, key=Quarter.parse, reverse=True):
        row, plan = published.get(label), scheduled.get(label)
        state = row.status if row is not None else "provisional"
        if plan is not None and state != "published":
            state = "scheduled"
        rows.append(
            {
                "period": label,
                "state": state,
                "published": state == "published",
                "first_published_at": row.first_published_at if row else None,
                "published_at": row.published_at if row else None,
                "published_by": row.published_by if row else None,
                "revised_at": row.revised_at if row else None,
                "revision_reason": row.revision_reason if row else "",
                "override_reason": row.override_reason if row else "",
                "withdrawn_at": row.withdrawn_at if row else None,
                "withdrawal_notice": row.withdrawal_notice if row else "",
                "scheduled_for": plan.publish_at if plan else None,
                "scheduled_by": plan.scheduled_by if plan else None,
                "changed_since_publication": changed.get(label, 0),
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in TIMES:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def publication_history(engine: Engine, *, area: str) -> pd.DataFrame:
    """Every publication action of an area, newest first: who, when, why."""
    p = db.publications
    query = (
        sa.select(*(p.c[c] for c in HISTORY_COLUMNS))
        .where(p.c.area == area)
        .order_by(p.c.id.desc())
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=HISTORY_COLUMNS)
    for column in ("at", "scheduled_for"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame

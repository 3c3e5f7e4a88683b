"""Publishing quarters, and keeping the public table of their figures (SPEC 7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.errors import UserError
from carers_impact.periods import Quarter
from measures.domain.areas import Area
from measures.domain.catalogue import Catalogue
from measures.domain.public_figures import PUBLIC_COLUMNS, public_view


class NothingToPublish(UserError, ValueError):
    """A quarter with no computed figures for the area."""


class AlreadyPublished(UserError, ValueError):
    """A quarter that is already public."""


def published_quarters(engine: Engine, area: str) -> list[str]:
    pp = db.published_periods
    with engine.connect() as conn:
        labels = conn.execute(sa.select(pp.c.period).where(pp.c.area == area)).scalars().all()
    return [q.label for q in sorted(Quarter.parse(p) for p in labels)]


def publish(engine: Engine, *, area: Area, period: str, by: str) -> str:
    """Make one quarter of an area public; returns its canonical label."""
    label = Quarter.parse(period).label
    mv = db.measure_values
    with engine.begin() as conn:
        has_values = conn.execute(
            sa.select(sa.func.count())
            .select_from(mv)
            .where(mv.c.area == area.id, mv.c.period == label)
        ).scalar()
        if not has_values:
            raise NothingToPublish(
                f"{area.name} has no figures for {label}: load its extracts first"
            )
        pp = db.published_periods
        exists = conn.execute(
            sa.select(pp.c.period).where(pp.c.area == area.id, pp.c.period == label)
        ).first()
        if exists:
            raise AlreadyPublished(f"{label} is already published for {area.name}")
        conn.execute(
            sa.insert(pp).values(
                area=area.id, period=label, published_at=datetime.now(UTC), published_by=by
            )
        )
    return label


def refresh_public(
    engine: Engine, area: str, values: pd.DataFrame, *, catalogue: Catalogue | None = None
) -> int:
    """Rewrite an area's public figures from its exact values; returns the rows stored.

    Runs after every recompute and publish, so the public table only ever holds
    published, disclosure-controlled figures, and the public view's database
    role needs no access to anything else.
    """
    from measures.domain.catalogue import load_catalogue

    catalogue = catalogue or load_catalogue()
    published = set(published_quarters(engine, area))
    public = public_view(values, catalogue=catalogue, published=published)
    at = datetime.now(UTC)
    rows = [
        {k: (None if k not in ("suppressed",) and pd.isna(v) else v) for k, v in r.items()}
        | {"published_at": at, "suppressed": bool(r["suppressed"])}
        for r in public[PUBLIC_COLUMNS].to_dict("records")
    ]
    table = db.public_measure_values
    with engine.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.area == area))
        if rows:
            conn.execute(sa.insert(table), rows)
    return len(rows)


def read_public(engine: Engine, *, area: str, period: str | None = None) -> pd.DataFrame:
    """The public figures of an area, as stored for the public view."""
    table = db.public_measure_values
    query = sa.select(*(table.c[c] for c in PUBLIC_COLUMNS)).where(table.c.area == area)
    if period:
        query = query.where(table.c.period == period)
    query = query.order_by(
        table.c.measure_id, table.c.period, table.c.breakdown, table.c.breakdown_value
    )
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.fetchall(), columns=PUBLIC_COLUMNS)

"""Publishing quarters, and the public version of the stored figures (SPEC 7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from carers_impact.periods import InvalidPeriod, Quarter, parse_financial_year
from measures.areas import Area
from measures.catalogue import Catalogue
from measures.disclosure import suppress

PUBLIC_DECIMALS = 1
"""Public percentages, rates and means (and their intervals) are rounded to this."""


class NothingToPublish(ValueError):
    """A quarter with no computed figures for the area."""


class AlreadyPublished(ValueError):
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


def is_public_period(label: str, published: set[str]) -> bool:
    """A quarter is public once published; a financial year once its Q4 is."""
    try:
        return Quarter.parse(label).label in published
    except InvalidPeriod:
        year = parse_financial_year(label)
        return Quarter(year, 4).label in published


def public_view(values: pd.DataFrame, *, catalogue: Catalogue, published: set[str]) -> pd.DataFrame:
    """Published periods and public measures only, with disclosure control applied."""
    public_ids = {m.id for m in catalogue.public()}
    keep = values["measure_id"].isin(public_ids) & values["period"].map(
        lambda p: is_public_period(p, published)
    ).astype(bool)
    frame = values[keep].copy()
    frame["unit"] = frame["measure_id"].map(lambda m: catalogue[m].unit)
    out = suppress(frame)
    rounded = out["unit"] != "count"
    for column in ("value", "lower_ci", "upper_ci"):
        out.loc[rounded, column] = out.loc[rounded, column].round(PUBLIC_DECIMALS)
    return out.reset_index(drop=True)


PUBLIC_COLUMNS = [
    "measure_id",
    "area",
    "period",
    "breakdown",
    "breakdown_value",
    "unit",
    "value",
    "lower_ci",
    "upper_ci",
    "suppressed",
]


def refresh_public(
    engine: Engine, area: str, values: pd.DataFrame, *, catalogue: Catalogue | None = None
) -> int:
    """Rewrite an area's public figures from its exact values; returns the rows stored.

    Runs after every recompute and publish, so the public table only ever holds
    published, disclosure-controlled figures, and the public view's database
    role needs no access to anything else.
    """
    from measures.catalogue import load_catalogue

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

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

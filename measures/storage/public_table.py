"""The public table: made from publication snapshots, attacked before it is stored.

`public_measure_values` is the only table the public view reads. Publishing a
quarter rewrites its rows (and its year's, at Q4) from the current snapshots
through :func:`measures.domain.public_figures.public_view`; before they are
stored, the whole table as it would then stand is attacked
(:func:`measures.domain.public_figures.audit`), and if anything can be worked
out :class:`DisclosureRisk` stops the publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from carers_impact import db
from carers_impact.errors import UserError
from carers_impact.periods import Quarter
from measures.domain.areas import Area
from measures.domain.attack import Attack
from measures.domain.catalogue import Catalogue
from measures.domain.public_figures import PUBLIC_COLUMNS, audit, disclosure_report, public_view
from measures.storage.values import KEY_COLUMNS, VALUE_COLUMNS


def _now() -> datetime:
    return datetime.now(UTC)


class NothingToPublish(UserError, ValueError):
    """A quarter with no computed figures for the area."""


def snapshot_periods(label: str) -> list[str]:
    """The periods a quarter's publication makes public: the quarter, and its year at Q4."""
    quarter = Quarter.parse(label)
    if quarter.q == 4:
        return [quarter.label, f"{quarter.year}-{(quarter.year + 1) % 100:02d}"]
    return [quarter.label]


def current_values(conn: Connection, area: str, periods: list[str]) -> pd.DataFrame:
    mv = db.measure_values
    query = sa.select(*(mv.c[c] for c in KEY_COLUMNS + VALUE_COLUMNS)).where(
        mv.c.area == area, mv.c.period.in_(periods)
    )
    return pd.DataFrame(conn.execute(query).all(), columns=KEY_COLUMNS + VALUE_COLUMNS)


def snapshots(conn: Connection, publication_ids: list[int]) -> pd.DataFrame:
    pv = db.published_values
    columns = KEY_COLUMNS + VALUE_COLUMNS
    if not publication_ids:
        return pd.DataFrame(columns=columns)
    query = sa.select(*(pv.c[c] for c in columns)).where(pv.c.publication_id.in_(publication_ids))
    frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    for column in VALUE_COLUMNS:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


class DisclosureRisk(UserError, ValueError):
    """Figures that would let a reader work out a small or rounded count; nothing is published."""

    def __init__(self, check: DisclosureCheck):
        self.check = check
        super().__init__(
            f"publishing would disclose figures, so nothing was published:\n{check.text()}"
        )


@dataclass(frozen=True)
class DisclosureCheck:
    """What the attacks on an area's public table tried and found."""

    area: str
    periods: tuple[str, ...]  # the periods as they would be published (all, when empty)
    cells: int
    suppressed: int
    attack: Attack

    @property
    def found(self) -> pd.DataFrame:
        return self.attack.found

    def text(self) -> str:
        return disclosure_report(self.attack, cells=self.cells, suppressed=self.suppressed)


def _current_snapshots(conn: Connection, area: str, *, years: set[int] | None) -> pd.DataFrame:
    pp = db.published_periods
    rows = conn.execute(
        sa.select(pp.c.period, pp.c.publication_id).where(
            pp.c.area == area, pp.c.status == "published"
        )
    ).all()
    ids = [
        r.publication_id
        for r in rows
        if r.publication_id is not None and (years is None or Quarter.parse(r.period).year in years)
    ]
    return snapshots(conn, ids)


def public_rows(
    conn: Connection,
    area: str,
    *,
    catalogue: Catalogue,
    years: set[int] | None = None,
    adding: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's public figures as disclosure control makes them from its current snapshots,
    and those exact snapshots.

    `years` limits them to those financial years (a year and its quarters are
    controlled together, so that is all a publication needs); `adding` is a
    publication to come (its exact values replace those of its periods).
    """
    snapshot = _current_snapshots(conn, area, years=years)
    if adding is not None:
        snapshot = pd.concat(
            [snapshot[~snapshot["period"].isin(set(adding["period"]))], adding], ignore_index=True
        )
    published = {p for p in snapshot["period"] if "Q" in p}
    return public_view(snapshot, catalogue=catalogue, published=published), snapshot


def _public_after(
    conn: Connection, area: str, *, periods: list[str], catalogue: Catalogue, adding=None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The area's whole public table once these periods are (re)written: every other
    period stays as stored. Returns it, the new rows, and the exact figures behind it."""
    years = {Quarter.parse(p).year for p in periods if "Q" in p}
    public, exact = public_rows(conn, area, catalogue=catalogue, years=years, adding=adding)
    new = public[public["period"].isin(periods)][PUBLIC_COLUMNS]
    kept = _stored_public(conn, area)
    kept = kept[~kept["period"].isin(periods)]
    others = _current_snapshots(conn, area, years=None)
    others = others[~others["period"].map(lambda p: _year(p) in years)]
    whole = pd.concat([kept, new], ignore_index=True)
    return whole, new, pd.concat([others, exact], ignore_index=True)


def _year(period: str) -> int:
    return Quarter.parse(period if "Q" in period else f"{period} Q1").year


def _check(area: str, periods: list[str], public: pd.DataFrame, exact: pd.DataFrame):
    return DisclosureCheck(
        area=area,
        periods=tuple(periods),
        cells=len(public),
        suppressed=int(public["suppressed"].astype(bool).sum()),
        attack=audit(public, exact),
    )


def write_public(conn: Connection, area: str, *, periods: list[str], catalogue: Catalogue) -> None:
    """Rewrite the public rows of these periods only; every other period stays as published.

    The whole table as it would then stand is attacked first
    (:func:`measures.domain.public_figures.audit`): if anything can be worked
    out, :class:`DisclosureRisk` is raised and the transaction publishes nothing.
    """
    whole, public, exact = _public_after(conn, area, periods=periods, catalogue=catalogue)
    found = _check(area, periods, whole, exact)
    if not found.found.empty:
        raise DisclosureRisk(found)
    at = _now()
    table = db.public_measure_values
    conn.execute(sa.delete(table).where(table.c.area == area, table.c.period.in_(periods)))
    rows = [
        {k: (None if k != "suppressed" and pd.isna(v) else v) for k, v in r.items()}
        | {"published_at": at, "suppressed": bool(r["suppressed"])}
        for r in public[PUBLIC_COLUMNS].to_dict("records")
    ]
    if rows:
        conn.execute(sa.insert(table), rows)
    _write_public_periods(conn, area)


def check_disclosure(
    engine: Engine, *, area: Area, period: str | None = None, catalogue: Catalogue
) -> DisclosureCheck:
    """Attack the area's public table: as it stands, or as it would be with `period` published
    now (its current figures)."""
    with engine.connect() as conn:
        if period is None:
            public = _stored_public(conn, area.id)
            return _check(area.id, [], public, _current_snapshots(conn, area.id, years=None))
        label = Quarter.parse(period).label
        periods = snapshot_periods(label)
        current = current_values(conn, area.id, periods)
        if not (current["period"] == label).any():
            raise NothingToPublish(
                f"{area.name} has no figures for {label}: load its extracts first"
            )
        whole, _, exact = _public_after(
            conn, area.id, periods=periods, catalogue=catalogue, adding=current
        )
        return _check(area.id, periods, whole, exact)


def rewrite_public(conn: Connection, *, catalogue: Catalogue) -> int:
    """Make every area's public table again from its snapshots (after a change of the rules);
    returns how many areas. Snapshots and the publication record are unchanged."""
    pp = db.published_periods
    areas = sorted(set(conn.execute(sa.select(pp.c.area).distinct()).scalars()))
    table = db.public_measure_values
    for area in areas:
        public, _ = public_rows(conn, area, catalogue=catalogue)
        conn.execute(sa.delete(table).where(table.c.area == area))
        at = _now()
        rows = [
            {k: (None if k != "suppressed" and pd.isna(v) else v) for k, v in r.items()}
            | {"published_at": at, "suppressed": bool(r["suppressed"])}
            for r in public[PUBLIC_COLUMNS].to_dict("records")
        ]
        if rows:
            conn.execute(sa.insert(table), rows)
    return len(areas)


def _write_public_periods(conn: Connection, area: str) -> None:
    pp, public = db.published_periods, db.public_periods
    columns = [c.name for c in public.columns]
    rows = [
        {c: getattr(row, c) for c in columns} | {"revision_reason": row.revision_reason or ""}
        for row in conn.execute(sa.select(pp).where(pp.c.area == area))
    ]
    conn.execute(sa.delete(public).where(public.c.area == area))
    if rows:
        conn.execute(sa.insert(public), rows)


def _stored_public(conn: Connection, area: str) -> pd.DataFrame:
    table = db.public_measure_values
    query = sa.select(*(table.c[c] for c in PUBLIC_COLUMNS)).where(table.c.area == area)
    frame = pd.DataFrame(conn.execute(query).all(), columns=PUBLIC_COLUMNS)
    for column in ("value", "lower_ci", "upper_ci"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame


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

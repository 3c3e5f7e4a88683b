"""Stored measure values: recomputed from the current rows after each change.

Pages and commands read these stored figures; nothing recomputes on a page
view. A change of an area's current rows (a load, revert or withdrawal) marks
the area stale in the same transaction (`mark_stale`); the recompute that
follows clears the mark in the transaction that stores the new values. A
process killed in between leaves the mark, and the next inbox pass, scheduler
start or dashboard read recomputes the area (`recompute_stale`).

A load hands the rows it has just stored to the recompute (`loaded`), so that
only the area's other submissions are read back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from carers_impact import db, settings
from carers_impact.extracts import EXTRACTS, Extract, is_numeric
from measures.domain.area_files import load_areas
from measures.domain.areas import Area
from measures.domain.compute import Records, compute_measures
from measures.domain.reference import census_unpaid_carers

log = logging.getLogger(__name__)

VALUE_COLUMNS = ["value", "numerator", "denominator", "lower_ci", "upper_ci"]
KEY_COLUMNS = ["measure_id", "area", "period", "breakdown", "breakdown_value"]

LoadedRows = Mapping[int, pd.DataFrame]
"""Rows of submissions just stored, by submission id, exactly as stored: the
extract's columns, dates as datetimes, whole numbers as integers, text or missing."""


def mark_stale(conn: Connection, area: str, *, reason: str) -> None:
    """Mark an area's measures out of date, inside the caller's transaction."""
    table = db.stale_areas
    at = datetime.now(UTC)
    conn.execute(
        db.dialect_insert(conn, table)
        .values(area=area, generation=1, since=at, reason=reason[:500])
        .on_conflict_do_update(
            index_elements=["area"],
            set_={"generation": table.c.generation + 1, "reason": reason[:500]},
        )
    )


def stale_areas(engine: Engine) -> list[str]:
    """Areas whose measures are out of date (a change not yet recomputed)."""
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(db.stale_areas.c.area)).scalars())


def _generation(conn: Connection, area: str) -> int | None:
    table = db.stale_areas
    return conn.execute(sa.select(table.c.generation).where(table.c.area == area)).scalar()


def _current_submissions(conn: Connection, area: str) -> pd.DataFrame:
    """Id, extract, organisation, quarter and content hash of an area's current submissions."""
    s, cs = db.submissions, db.current_submissions
    query = (
        sa.select(s.c.id, s.c.extract, s.c.organisation, s.c.period, s.c.sha256)
        .join(cs, cs.c.submission_id == s.c.id)
        .where(cs.c.area == area)
        .order_by(s.c.id)
    )
    columns = ["id", "extract", "organisation", "period", "sha256"]
    return pd.DataFrame(conn.execute(query).all(), columns=columns)


def _stored_rows(conn: Connection, extract: Extract, ids: list[int]) -> pd.DataFrame:
    """These submissions' rows as stored, with their submission_id."""
    table = db.record_tables[extract.name]
    # Dates travel as ISO text and are parsed in one vectorised step: converting
    # each value to a Python date costs more than the query at a million rows.
    selected = [
        sa.cast(table.c[c.name], sa.String).label(c.name) if c.kind == "date" else table.c[c.name]
        for c in extract.columns
    ]
    query = (
        sa.select(table.c.submission_id, *selected)
        .where(table.c.submission_id.in_(ids))
        .order_by(table.c.submission_id, table.c.row_number)
    )
    return db.read_frame(conn, query)


def _current_rows(
    conn: Connection, extract_name: str, submissions: pd.DataFrame, loaded: LoadedRows
) -> pd.DataFrame:
    """The rows of these submissions of one extract type, typed for computing.

    Rows in `loaded` are used as they are; the rest come from the database.
    Each row gets its submission's organisation and period; text columns with
    few distinct values come as categories (cheap to copy, compare and group).
    """
    extract = EXTRACTS[extract_name]
    columns = list(extract.column_names)
    submissions = submissions[submissions["extract"] == extract_name].reset_index(drop=True)
    pieces, stored = [], []
    for sid in submissions["id"].tolist():
        rows = loaded.get(sid)
        if rows is None:
            stored.append(sid)
        else:
            pieces.append(rows[columns].reset_index(drop=True).assign(submission_id=sid))
    if stored or not pieces:
        pieces.append(_stored_rows(conn, extract, stored))
    typed = [_typed(piece, extract) for piece in pieces]
    frame = typed[0]
    if len(typed) > 1:  # in submission order, as if all were read from the database
        frame = pd.concat(typed, ignore_index=True)
        frame["submission_id"] = frame["submission_id"].astype("int64")
        frame = frame.sort_values("submission_id", kind="stable", ignore_index=True)
    position = pd.Index(submissions["id"]).get_indexer(frame.pop("submission_id").astype("int64"))
    for name in ("organisation", "period"):
        labels = pd.Categorical(submissions[name].astype(object))
        frame[name] = pd.Categorical.from_codes(labels.codes[position], labels.categories)
    for column in extract.columns:
        if column.kind in ("category", "string"):
            frame[column.name] = pd.Categorical(frame[column.name])
    return frame


def _typed(frame: pd.DataFrame, extract: Extract) -> pd.DataFrame:
    """Dates as datetimes, whole numbers as nullable integers, text as objects."""
    typed = {"submission_id": frame["submission_id"].to_numpy()}
    for column in extract.columns:
        values = frame[column.name]
        if column.kind == "date":
            if not pd.api.types.is_datetime64_any_dtype(values):
                values = pd.to_datetime(values, format="%Y-%m-%d")
        elif is_numeric(column):
            values = pd.array(values, dtype="Int64")
        else:
            values = values.astype(object)
        typed[column.name] = values
    return pd.DataFrame(typed)


def load_records(engine: Engine, area: str, *, loaded: LoadedRows | None = None) -> Records:
    """Every current row of an area, one frame per extract type."""
    with engine.connect() as conn:
        submissions = _current_submissions(conn, area)
        frames = {name: _current_rows(conn, name, submissions, loaded or {}) for name in EXTRACTS}
    return Records(**frames)


def compute_area(engine: Engine, area: Area, *, loaded: LoadedRows | None = None) -> pd.DataFrame:
    """An area's measures from its current rows (those in `loaded` not read back)."""
    records = load_records(engine, area.id, loaded=loaded)
    return compute_measures(
        records,
        area=area.id,
        census_carers=census_unpaid_carers(area.la_code),
        timeliness_days=settings.get_int("CARERS_TIMELINESS_DAYS"),
    )


def write_area(
    engine: Engine, area_id: str, frame: pd.DataFrame, *, generation: int | None = None
) -> int:
    """Replace an area's stored values with a fresh computation, in one transaction.

    Clears the area's stale mark if it is still the one (`generation`) that was
    there when the computation started: a change made meanwhile keeps it. Two
    writes of one area at once (two inbox passes, a pass and the nightly job)
    take turns, so the second replaces the first's values rather than colliding
    with them.
    """
    keys = frame[KEY_COLUMNS].astype(str)
    values = frame[VALUE_COLUMNS].astype(float)
    with engine.begin() as conn:
        db.serialise(conn, f"measure_values:{area_id}")
        at = db.stored_timestamp(conn, datetime.now(UTC))
        by_name = {c: keys[c].tolist() for c in KEY_COLUMNS} | {
            c: values[c].astype(object).where(values[c].notna(), None).tolist()
            for c in VALUE_COLUMNS
        }
        columns = [by_name[c.name] for c in db.measure_values.columns if c.name in by_name]
        rows = [(*row, at) for row in zip(*columns, strict=True)]
        conn.execute(sa.delete(db.measure_values).where(db.measure_values.c.area == area_id))
        db.bulk_insert(conn, db.measure_values, rows)
        if generation is not None:
            stale = db.stale_areas
            conn.execute(
                sa.delete(stale).where(stale.c.area == area_id, stale.c.generation == generation)
            )
    return len(rows)


def recompute_area(
    engine: Engine,
    area_id: str,
    *,
    area: Area | None = None,
    loaded: LoadedRows | None = None,
) -> int:
    """Recompute and store one area's measures; returns the number of values stored.

    The public figures are not touched: they change only when a quarter is
    published (see `measures.storage.publishing`).
    """
    area = area or load_areas()[area_id]
    with engine.connect() as conn:
        generation = _generation(conn, area_id)
    values = compute_area(engine, area, loaded=loaded)
    count = write_area(engine, area_id, values, generation=generation)
    log.info("recomputed %s: %s values", area_id, count)
    return count


def recompute_stale(engine: Engine, *, areas: Mapping[str, Area] | None = None) -> list[str]:
    """Recompute every area marked stale (after a process died mid-change); returns them."""
    stale = stale_areas(engine)
    if stale:
        areas = areas if areas is not None else load_areas()
        for area_id in stale:
            if area_id in areas:
                recompute_area(engine, area_id, area=areas[area_id])
    return stale


def recompute_all(engine: Engine) -> int:
    """Recompute every configured area; returns how many areas."""
    areas = load_areas()
    for area_id, area in areas.items():
        recompute_area(engine, area_id, area=area)
    return len(areas)


def read_values(
    engine: Engine,
    *,
    area: str,
    period: str | None = None,
    measure_id: str | None = None,
    breakdown: str | None = None,
) -> pd.DataFrame:
    """Stored values for an area, optionally one period, measure or breakdown."""
    mv = db.measure_values
    query = sa.select(*(mv.c[c] for c in KEY_COLUMNS + VALUE_COLUMNS)).where(mv.c.area == area)
    if period:
        query = query.where(mv.c.period == period)
    if measure_id:
        query = query.where(mv.c.measure_id == measure_id)
    if breakdown:
        query = query.where(mv.c.breakdown == breakdown)
    with engine.connect() as conn:
        order = (mv.c.measure_id, mv.c.period, mv.c.breakdown, mv.c.breakdown_value)
        return db.read_frame(conn, query.order_by(*order))

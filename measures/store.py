"""Stored measure values: recomputed from the current rows after each change.

Pages and commands read these stored figures; nothing recomputes on a page
view. A load, revert or re-submission recomputes only the area it touched.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from carers_impact import db, settings
from carers_impact.extracts import EXTRACTS, is_numeric
from measures import publishing
from measures.areas import Area, load_areas
from measures.compute import Records, compute_measures
from measures.reference import census_unpaid_carers

log = logging.getLogger(__name__)

VALUE_COLUMNS = ["value", "numerator", "denominator", "lower_ci", "upper_ci"]
KEY_COLUMNS = ["measure_id", "area", "period", "breakdown", "breakdown_value"]


def _current_submissions(conn: Connection, area: str) -> pd.DataFrame:
    """Id, extract, organisation and quarter of each current submission of an area."""
    s, cs = db.submissions, db.current_submissions
    query = (
        sa.select(s.c.id, s.c.extract, s.c.organisation, s.c.period)
        .join(cs, cs.c.submission_id == s.c.id)
        .where(cs.c.area == area)
        .order_by(s.c.id)
    )
    return pd.DataFrame(
        conn.execute(query).all(), columns=["id", "extract", "organisation", "period"]
    )


def _current_rows(conn: Connection, extract_name: str, submissions: pd.DataFrame) -> pd.DataFrame:
    """The rows of these submissions of one extract type, typed for computing.

    Each row gets its submission's organisation and period; text columns with
    few distinct values come as categories (cheap to copy, compare and group).
    """
    extract = EXTRACTS[extract_name]
    table = db.record_tables[extract_name]
    submissions = submissions[submissions["extract"] == extract_name].reset_index(drop=True)
    # Dates travel as ISO text and are parsed in one vectorised step: converting
    # each value to a Python date costs more than the query at a million rows.
    selected = [
        sa.cast(table.c[c.name], sa.String).label(c.name) if c.kind == "date" else table.c[c.name]
        for c in extract.columns
    ]
    query = sa.select(table.c.submission_id, *selected).where(
        table.c.submission_id.in_(submissions["id"].tolist())
    )
    frame = db.read_frame(conn, query)
    position = pd.Index(submissions["id"]).get_indexer(frame.pop("submission_id").astype("int64"))
    for name in ("organisation", "period"):
        labels = pd.Categorical(submissions[name].astype(object))
        frame[name] = pd.Categorical.from_codes(labels.codes[position], labels.categories)
    for column in extract.columns:
        if column.kind == "date":
            frame[column.name] = pd.to_datetime(frame[column.name], format="%Y-%m-%d")
        elif is_numeric(column):
            frame[column.name] = pd.array(frame[column.name], dtype="Int64")
        elif column.kind in ("category", "string"):
            frame[column.name] = pd.Categorical(frame[column.name])
    return frame


def load_records(engine: Engine, area: str) -> Records:
    """Every current row of an area, one frame per extract type."""
    with engine.connect() as conn:
        submissions = _current_submissions(conn, area)
        frames = {name: _current_rows(conn, name, submissions) for name in EXTRACTS}
    return Records(**frames)


def compute_area(engine: Engine, area: Area) -> pd.DataFrame:
    records = load_records(engine, area.id)
    return compute_measures(
        records,
        area=area.id,
        census_carers=census_unpaid_carers(area.la_code),
        timeliness_days=settings.get_int("CARERS_TIMELINESS_DAYS"),
    )


def write_area(engine: Engine, area_id: str, frame: pd.DataFrame) -> int:
    """Replace an area's stored values with a fresh computation, in one transaction."""
    keys = frame[KEY_COLUMNS].astype(str)
    values = frame[VALUE_COLUMNS].astype(float)
    with engine.begin() as conn:
        at = db.stored_timestamp(conn, datetime.now(UTC))
        by_name = {c: keys[c].tolist() for c in KEY_COLUMNS} | {
            c: values[c].astype(object).where(values[c].notna(), None).tolist()
            for c in VALUE_COLUMNS
        }
        columns = [by_name[c.name] for c in db.measure_values.columns if c.name in by_name]
        rows = [(*row, at) for row in zip(*columns, strict=True)]
        conn.execute(sa.delete(db.measure_values).where(db.measure_values.c.area == area_id))
        db.bulk_insert(conn, db.measure_values, rows)
    return len(rows)


def recompute_area(engine: Engine, area_id: str, *, area: Area | None = None) -> int:
    """Recompute and store one area's measures; returns the number of values stored."""
    area = area or load_areas()[area_id]
    values = compute_area(engine, area)
    count = write_area(engine, area_id, values)
    publishing.refresh_public(engine, area_id, values)
    log.info("recomputed %s: %s values", area_id, count)
    return count


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

"""Stored measure values: recomputed from the current rows after each change.

Pages and commands read these stored figures; nothing recomputes on a page
view. A load, revert or re-submission recomputes only the area it touched,
and a load hands its rows over in memory (`keep_loaded_rows`) so that the
recompute reads back only the area's other submissions.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
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
from measures.storage import publishing

log = logging.getLogger(__name__)

VALUE_COLUMNS = ["value", "numerator", "denominator", "lower_ci", "upper_ci"]
KEY_COLUMNS = ["measure_id", "area", "period", "breakdown", "breakdown_value"]


KEEP_LOADED_ROWS = 2_000_000
"""At most this many just-loaded rows are kept in memory for the recompute that follows."""


class _LoadedRows:
    """Rows of submissions just loaded, kept for the recompute that follows the load.

    Reading a million rows back costs more than computing with them. A
    submission's rows never change once stored (a correction is a new
    submission), and they follow from its bytes alone, so an entry keyed by
    database, submission id, extract and content hash can never be stale. A
    recompute takes the entries of its area's current submissions (reading the
    rest) and drops them; the oldest entries go when more than the budget of
    rows is kept.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._frames: OrderedDict[tuple[str, int, str, str], pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, key: tuple[str, int, str, str], frame: pd.DataFrame) -> None:
        with self._lock:
            if len(frame) > self.budget:
                return
            self._frames[key] = frame
            while sum(len(f) for f in self._frames.values()) > self.budget:
                self._frames.popitem(last=False)

    def take(self, key: tuple[str, int, str, str]) -> pd.DataFrame | None:
        with self._lock:
            return self._frames.pop(key, None)


_loaded_rows = _LoadedRows(KEEP_LOADED_ROWS)


def _database(engine: Engine | Connection) -> str:
    return engine.engine.url.render_as_string(hide_password=True)


def keep_loaded_rows(
    engine: Engine, *, submission_id: int, extract: str, sha256: str, rows: pd.DataFrame
) -> None:
    """Offer the rows of a submission just loaded to the next recompute of its area.

    ``rows`` are exactly what was stored: the extract's columns, dates as
    datetimes, whole numbers as integers, text as text or missing.
    """
    columns = list(EXTRACTS[extract].column_names)
    key = (_database(engine), submission_id, extract, sha256)
    _loaded_rows.keep(key, rows[columns].reset_index(drop=True))


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


def _current_rows(conn: Connection, extract_name: str, submissions: pd.DataFrame) -> pd.DataFrame:
    """The rows of these submissions of one extract type, typed for computing.

    Rows just loaded come from memory, the rest from the database. Each row
    gets its submission's organisation and period; text columns with few
    distinct values come as categories (cheap to copy, compare and group).
    """
    extract = EXTRACTS[extract_name]
    submissions = submissions[submissions["extract"] == extract_name].reset_index(drop=True)
    database = _database(conn)
    pieces, stored = [], []
    for sid, sha256 in zip(submissions["id"].tolist(), submissions["sha256"], strict=True):
        kept = _loaded_rows.take((database, sid, extract_name, sha256))
        if kept is None:
            stored.append(sid)
        else:
            pieces.append(kept.assign(submission_id=sid))
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

"""The public view's one door: published, disclosure-controlled figures and their wording.

Every read here is from ``public_measure_values``, which holds only published
quarters' public measures after disclosure control (see
``measures.storage.publishing``), ``public_periods`` (when each quarter was
published, revised or withdrawn, and why), plus the configuration (catalogue
and areas). Nothing here touches the exact figures, submissions or records, so the
public view can run on a database role that may read that table and nothing
else (``docs/public-role.md``). The public pages import only this module.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db
from measures.domain.area_files import load_areas
from measures.domain.areas import Area
from measures.domain.catalogue import Catalogue, Measure, load_catalogue
from measures.domain.data_package import DICTIONARY_FILE, data_package, figures_file
from measures.domain.disclosure import MIN_DENOMINATOR, ROUNDING_BASE, SMALL_COUNT_MAX
from measures.domain.public_figures import PUBLIC_COLUMNS
from measures.domain.public_record import (
    contact_text,
    next_publication,
    publication_table,
    revised_quarters,
)
from measures.domain.public_text import (
    OPEN_DATA_COLUMNS,
    PRIVACY_RULES,
    STATUS_WORDS,
    Figure,
    Headline,
    TargetLine,
    TargetSummary,
    ThemeGroup,
    column_dictionary,
    data_dictionary,
    data_dictionary_csv,
    describe_quarter,
    figure_for,
    figure_note,
    headline,
    measure_dictionary,
    open_data,
    open_data_csv,
    publication_note,
    published_quarters,
    quarterly_series,
    suppressed_note,
    target_line,
    target_summary,
    theme_groups,
    trend_summary,
)
from measures.domain.targets import NO_TARGET

__all__ = [
    "DICTIONARY_FILE",
    "FIGURE_COLUMNS",
    "MIN_DENOMINATOR",
    "NO_TARGET",
    "OPEN_DATA_COLUMNS",
    "PRIVACY_RULES",
    "ROUNDING_BASE",
    "SMALL_COUNT_MAX",
    "STATUS_WORDS",
    "Area",
    "Catalogue",
    "Figure",
    "FiguresUnavailable",
    "Headline",
    "Measure",
    "TargetLine",
    "TargetSummary",
    "ThemeGroup",
    "column_dictionary",
    "connect",
    "contact_text",
    "data_dictionary",
    "data_dictionary_csv",
    "data_package",
    "describe_quarter",
    "figure_for",
    "figure_note",
    "figures_file",
    "headline",
    "load_areas",
    "load_catalogue",
    "measure_dictionary",
    "next_publication",
    "open_data",
    "open_data_csv",
    "public_area_ids",
    "publication_note",
    "publication_table",
    "published_quarters",
    "quarterly_series",
    "read_figures",
    "read_publications",
    "revised_quarters",
    "suppressed_note",
    "target_line",
    "target_summary",
    "theme_groups",
    "trend_summary",
]

FIGURE_COLUMNS = PUBLIC_COLUMNS
"""The columns of `read_figures`: those of the public table, as stored."""


class FiguresUnavailable(RuntimeError):
    """The public figures cannot be read (no database, or not yet set up)."""


def connect() -> Engine:
    """The public view's connection pool: CARERS_DB_URL, in production the read-only role."""
    return db.make_engine()


def public_area_ids(engine: Engine) -> list[str]:
    """Areas with any published figures."""
    table = db.public_measure_values
    try:
        with engine.connect() as conn:
            ids = conn.execute(sa.select(table.c.area).distinct()).scalars().all()
    except sa.exc.SQLAlchemyError as error:
        raise FiguresUnavailable("the published figures cannot be read") from error
    return sorted(ids)


def read_figures(engine: Engine, *, area: str) -> pd.DataFrame:
    """Every published figure of an area (quarters and financial years, all breakdowns)."""
    table = db.public_measure_values
    query = (
        sa.select(*(table.c[c] for c in FIGURE_COLUMNS))
        .where(table.c.area == area)
        .order_by(table.c.measure_id, table.c.period, table.c.breakdown, table.c.breakdown_value)
    )
    try:
        with engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(query)]
    except sa.exc.SQLAlchemyError as error:
        raise FiguresUnavailable("the published figures cannot be read") from error
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    for column in ("value", "lower_ci", "upper_ci"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame


PUBLICATION_COLUMNS = [
    "period",
    "status",
    "first_published_at",
    "published_at",
    "revised_at",
    "revision_reason",
    "withdrawn_at",
    "withdrawal_notice",
]


def read_publications(engine: Engine, *, area: str) -> pd.DataFrame:
    """When each of an area's quarters was published, revised or withdrawn, and why."""
    table = db.public_periods
    query = sa.select(*(table.c[c] for c in PUBLICATION_COLUMNS)).where(table.c.area == area)
    try:
        with engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(query)]
    except sa.exc.SQLAlchemyError as error:
        raise FiguresUnavailable("the publication dates cannot be read") from error
    frame = pd.DataFrame(rows, columns=PUBLICATION_COLUMNS)
    for column in ("first_published_at", "published_at", "revised_at", "withdrawn_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame

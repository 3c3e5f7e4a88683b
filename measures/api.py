"""The one surface the dashboard and the command line read measures through.

Measures, scorecards and measure pages; commentary and strategy actions;
and publishing. (Submissions, data quality and job runs belong to `etl`: see
`etl.quality`.)
Each function takes the engine first and delegates to a small module of
`measures/`; nothing here knows about Streamlit.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact import db, settings
from carers_impact.errors import UsageError, UserError
from carers_impact.periods import InvalidPeriod, Quarter, parse_financial_year
from measures.domain.actions import action_table
from measures.domain.area_files import (
    area_for_organisation,
    areas_dir,
    check_area_files,
    configured_areas,
)
from measures.domain.areas import ACTION_STATUSES, Area
from measures.domain.benchmarks import Spine, benchmarks, spine
from measures.domain.catalogue import BREAKDOWNS, POLARITY_WORDS, Catalogue, load_catalogue
from measures.domain.compute import RESULT_COLUMNS
from measures.domain.detail import MeasureDetail, build_detail
from measures.domain.disclosure import make_csv_safe
from measures.domain.reference import ascof_councils, census_unpaid_carers
from measures.storage import actions as action_log
from measures.storage import commentary, comparison, publishing, quarters
from measures.storage import stories as stories_store
from measures.storage import values as store

__all__ = [
    "ACTION_STATUSES",
    "BREAKDOWNS",
    "OUTPUT_COLUMNS",
    "POLARITY_WORDS",
    "Area",
    "MeasureDetail",
    "Spine",
    "UnknownArea",
    "UnknownMeasureForArea",
    "action_updates",
    "actions",
    "add_comment",
    "add_story",
    "area_for_organisation",
    "areas",
    "areas_dir",
    "canonical_period",
    "catalogue",
    "check_area_files",
    "comments",
    "compare_areas",
    "data_version",
    "database_url",
    "disclosure_check",
    "get_area",
    "make_csv_safe",
    "measure_detail",
    "measure_table",
    "national_benchmarks",
    "national_spine",
    "open_engine",
    "publication_history",
    "publication_status",
    "quarters_with_figures",
    "recompute_stale",
    "scorecard",
    "stories",
    "update_action",
]

OUTPUT_COLUMNS = list(RESULT_COLUMNS)
InvalidComment = commentary.InvalidComment
InvalidStory = stories_store.InvalidStory
InvalidActionUpdate = action_log.InvalidUpdate
UnknownAction = action_log.UnknownAction


class UnknownArea(UsageError, LookupError):
    """An area id that is not configured."""


class UnknownMeasureForArea(UserError, LookupError):
    """A measure id that the area's framework does not track."""


# -- configuration and the database --------------------------------------------------


def database_url() -> str:
    """The configured database (CARERS_DB_URL, else the SQLite file under `data/`)."""
    return settings.database_url()


def open_engine(url: str | None = None) -> Engine:
    """An engine for the configured database (or `url`); the schema must be migrated."""
    return db.make_engine(url)


def areas() -> dict[str, Area]:
    """Every configured area by id (CARERS_AREAS_DIR), read once per process."""
    return configured_areas()


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The measure catalogue, read once per process."""
    return load_catalogue()


def get_area(area_id: str, configured: dict[str, Area] | None = None) -> Area:
    """The configured area with that id (ignoring case and spaces); raises UnknownArea."""
    configured = configured if configured is not None else areas()
    try:
        return configured[area_id.strip().lower()]
    except KeyError:
        raise UnknownArea(
            f"'{area_id}' is not a configured area; use one of: {', '.join(sorted(configured))}"
        ) from None


def _area(area_id: str) -> Area:
    return get_area(area_id, areas())


def canonical_period(text: str) -> str:
    """A quarter or financial year in its display spelling: `2024-25 Q1`, `2024-25`."""
    try:
        return Quarter.parse(text).label
    except InvalidPeriod:
        year = parse_financial_year(text)
        return f"{year}-{(year + 1) % 100:02d}"


def data_version(engine: Engine) -> str:
    """Changes whenever anything a page shows changes: a key for caching reads.

    Covers loads, reverts, withdrawals, recomputes, every publication action,
    commentary, turn-the-curve stories, action updates and job runs; one cheap query. An area left
    out of date by a process that stopped mid-change is recomputed first.
    """

    def latest(column) -> sa.ScalarSelect:
        return sa.select(sa.func.max(column)).scalar_subquery()

    query = sa.select(
        sa.select(sa.func.count()).select_from(db.stale_areas).scalar_subquery(),
        latest(db.submissions.c.id),
        latest(db.current_submissions.c.updated_at),
        latest(db.measure_values.c.computed_at),
        latest(db.publications.c.id),
        latest(db.commentary.c.id),
        latest(db.curve_stories.c.id),
        latest(db.action_updates.c.id),
        latest(db.job_runs.c.id),
        latest(db.job_runs.c.finished_at),
    )
    with engine.connect() as conn:
        row = conn.execute(query).one()
    if row[0]:
        recompute_stale(engine)
        with engine.connect() as conn:
            row = conn.execute(query).one()
    return "|".join(str(v) for v in row)


# -- measures ------------------------------------------------------------------------


def measure_table(
    engine: Engine,
    *,
    area: str,
    period: str | None = None,
    public: bool = False,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Stored measure values for an area: exact for internal use, or the public version."""
    the_area = get_area(area)
    period = canonical_period(period) if period else None
    if public:
        values = publishing.read_public(engine, area=the_area.id, period=period)
        for column in ("numerator", "denominator"):
            values[column] = float("nan")  # never published: see measures.domain.disclosure
        return values[[*OUTPUT_COLUMNS, "suppressed"]]
    return store.read_values(engine, area=the_area.id, period=period)[OUTPUT_COLUMNS]


def scorecard(engine: Engine, *, area: str, period: str | None = None) -> pd.DataFrame:
    """The area's scorecard: latest value, changes, targets, status and SPC per measure."""
    from measures.domain.scorecard import build_scorecard

    the_area = _area(area)
    values = store.read_values(engine, area=the_area.id, breakdown="all")
    return build_scorecard(
        values,
        area=the_area,
        catalogue=catalogue(),
        period=canonical_period(period) if period else None,
    )


def quarters_with_figures(engine: Engine, *, area: str) -> list[str]:
    """Quarters the area has figures for, newest first."""
    return quarters.quarters_with_figures(engine, area=_area(area).id)


def recompute_stale(engine: Engine) -> list[str]:
    """Recompute any area a process stopped mid-change left out of date; returns them."""
    return store.recompute_stale(engine, areas=areas())


def measure_detail(
    engine: Engine, *, area: str, measure_id: str, period: str | None = None
) -> MeasureDetail:
    """Series, targets, trajectory, SPC and breakdowns of one measure, up to `period`."""
    the_area = _area(area)
    if measure_id not in the_area.measure_ids or measure_id not in catalogue():
        raise UnknownMeasureForArea(
            f"{the_area.name} does not track {measure_id!r}; "
            f"its measures are: {', '.join(the_area.measure_ids)}"
        )
    values = store.read_values(engine, area=the_area.id, measure_id=measure_id)
    return build_detail(
        values,
        area=the_area,
        measure=catalogue()[measure_id],
        until=Quarter.parse(period).label if period else None,
    )


def compare_areas(engine: Engine, *, measure_id: str, period: str) -> pd.DataFrame:
    """Every configured area's value of a measure in one quarter, with the area's name.

    A count depends on the size of the area, so for a count measure `per_1000`
    gives it per 1,000 people providing unpaid care (Census 2021), the fair
    figure to compare areas by; `population` is that Census count.
    """
    frame = comparison.read_across_areas(
        engine, measure_id=measure_id, period=canonical_period(period)
    )
    configured = areas()
    names = {a.id: a.name for a in configured.values()}
    frame.insert(1, "area_name", frame["area"].map(names).fillna(frame["area"]))
    population = {
        a.id: census_unpaid_carers(a.la_code)
        for a in configured.values()
        if a.id in set(frame["area"])
    }
    frame["population"] = frame["area"].map(population).astype(float)
    if catalogue()[measure_id].unit == "count":
        frame["per_1000"] = frame["value"] / frame["population"] * 1000
    else:
        frame["per_1000"] = float("nan")
    return frame


def national_benchmarks(engine: Engine, *, area: str, measure_id: str) -> pd.DataFrame:
    """Published ASCOF figures for the area's council beside the median council.

    `comparator_councils` says how many councils the median covers: every
    council for 1D and 3D2, only the five demo areas for the other measures.
    """
    the_area = _area(area)
    values = store.read_values(engine, area=the_area.id, measure_id=measure_id, breakdown="all")
    years = values[~values["period"].str.contains("Q")]
    return benchmarks(
        the_area.la_code,
        measure_id=measure_id,
        years=years,
        polarity=catalogue()[measure_id].polarity,
    )


def national_spine(engine: Engine, *, area: str, measure_id: str) -> Spine | None:
    """Where the area sits among all councils of England for its measure's ASCOF code.

    None when the measure has no ASCOF code or no year is published for every
    council (see `measures.domain.benchmarks.spine`).
    """
    the_area = _area(area)
    measure = catalogue()[measure_id]
    if not measure.ascof_code:
        return None
    published, england = ascof_councils(measure.ascof_code)
    if published.empty:
        return None
    values = store.read_values(engine, area=the_area.id, measure_id=measure_id, breakdown="all")
    return spine(
        published,
        la_code=the_area.la_code,
        years=values[~values["period"].str.contains("Q")],
        polarity=measure.polarity,
        england=england,
    )


# -- commentary and actions ---------------------------------------------------------


def comments(engine: Engine, *, area: str, measure_id: str | None = None) -> pd.DataFrame:
    """The story behind the curve: commentary, newest quarter first."""
    return commentary.read_comments(engine, area=_area(area).id, measure_id=measure_id)


def add_comment(
    engine: Engine, *, area: str, measure_id: str, period: str, text: str, author: str
) -> int:
    """Add commentary on a measure's quarter; returns its id."""
    the_area = _area(area)
    if measure_id not in catalogue():
        raise UnknownMeasureForArea(f"{measure_id!r} is not in the measure catalogue")
    return commentary.add_comment(
        engine, area=the_area.id, measure_id=measure_id, period=period, text=text, author=author
    )


def stories(engine: Engine, *, area: str, measure_id: str | None = None) -> pd.DataFrame:
    """Turn-the-curve records (story, partners, what works, actions, event), newest first."""
    return stories_store.read_stories(engine, area=_area(area).id, measure_id=measure_id)


def add_story(
    engine: Engine,
    *,
    area: str,
    measure_id: str,
    period: str,
    story: str,
    partners=(),
    what_works: str = "",
    actions=(),
    event: str = "",
    event_date: date | None = None,
    author: str,
) -> int:
    """Record the story behind a measure's curve for a quarter; returns its id."""
    the_area = _area(area)
    if measure_id not in the_area.measure_ids or measure_id not in catalogue():
        raise UnknownMeasureForArea(f"{the_area.name} does not track {measure_id!r}")
    return stories_store.add_story(
        engine,
        area=the_area,
        measure_id=measure_id,
        period=period,
        story=story,
        partners=partners,
        what_works=what_works,
        actions=actions,
        event=event,
        event_date=event_date,
        author=author,
    )


def actions(engine: Engine, *, area: str, today: date | None = None) -> pd.DataFrame:
    """The area's strategy actions with their current status (latest update wins)."""
    the_area = _area(area)
    updates = action_log.read_updates(engine, area=the_area.id)
    return action_table(the_area, updates, catalogue=catalogue(), today=today)


def action_updates(engine: Engine, *, area: str, action_id: str | None = None) -> pd.DataFrame:
    """Every update of an area's actions (or of one action), newest first."""
    return action_log.read_updates(engine, area=_area(area).id, action_id=action_id)


def update_action(
    engine: Engine, *, area: str, action_id: str, status: str, note: str, author: str
) -> int:
    """Record a new status and note for an action; returns the update's id."""
    return action_log.add_update(
        engine, area=_area(area), action_id=action_id, status=status, note=note, author=author
    )


# -- publishing -----------------------------------------------------------------------
# Publishing itself goes through `etl.publication`, which checks that a quarter is complete.


def disclosure_check(
    engine: Engine, *, area: str, period: str | None = None
) -> publishing.DisclosureCheck:
    """Attack an area's public figures as published, or as they would be with `period`
    published now; `.text()` says what was tried and found, `.found` lists it."""
    return publishing.check_disclosure(
        engine,
        area=get_area(area),
        period=canonical_period(period) if period else None,
        catalogue=catalogue(),
    )


def publication_status(engine: Engine, *, area: str) -> pd.DataFrame:
    """Every quarter with figures, newest first: provisional, scheduled, published or
    withdrawn, when and by whom, and how many figures changed since publication."""
    return quarters.publication_status(engine, area=_area(area).id)


def publication_history(engine: Engine, *, area: str) -> pd.DataFrame:
    """Every publication action of an area, newest first: who, when and why."""
    return quarters.publication_history(engine, area=_area(area).id)

"""The one surface the dashboard and the command line read measures through."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from carers_impact.periods import InvalidPeriod, Quarter, parse_financial_year
from measures import publishing, store
from measures.areas import Area, load_areas
from measures.catalogue import Catalogue, load_catalogue

OUTPUT_COLUMNS = [
    "measure_id",
    "area",
    "period",
    "breakdown",
    "breakdown_value",
    "value",
    "numerator",
    "denominator",
    "lower_ci",
    "upper_ci",
]


class UnknownArea(LookupError):
    """An area id that is not configured."""


def get_area(area_id: str, areas: dict[str, Area] | None = None) -> Area:
    areas = areas if areas is not None else load_areas()
    try:
        return areas[area_id.strip().lower()]
    except KeyError:
        raise UnknownArea(
            f"'{area_id}' is not a configured area; use one of: {', '.join(sorted(areas))}"
        ) from None


def canonical_period(text: str) -> str:
    """A quarter or financial year in its display spelling: `2024-25 Q1`, `2024-25`."""
    try:
        return Quarter.parse(text).label
    except InvalidPeriod:
        year = parse_financial_year(text)
        return f"{year}-{(year + 1) % 100:02d}"


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
            values[column] = float("nan")  # never published: see measures.disclosure
        return values[[*OUTPUT_COLUMNS, "suppressed"]]
    return store.read_values(engine, area=the_area.id, period=period)[OUTPUT_COLUMNS]


def publish(engine: Engine, *, area: str, period: str, by: str) -> str:
    """Publish a quarter and refresh the area's public figures."""
    the_area = get_area(area)
    label = publishing.publish(engine, area=the_area, period=period, by=by)
    publishing.refresh_public(engine, the_area.id, store.read_values(engine, area=the_area.id))
    return label


def scorecard(engine: Engine, *, area: str, period: str | None = None) -> pd.DataFrame:
    """The area's scorecard: latest value, changes, targets, status and SPC per measure."""
    from measures.scorecard import build_scorecard

    the_area = get_area(area)
    values = store.read_values(engine, area=the_area.id, breakdown="all")
    return build_scorecard(
        values,
        area=the_area,
        catalogue=load_catalogue(),
        period=canonical_period(period) if period else None,
    )

"""The strategic group's side of the demo: stories behind the curve, commentary, action updates.

Dated after the quarters they are about, written by the demo accounts, so the
measure pages and the strategy actions page show a history a partnership would
have. Only areas in the demo database get theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from carers_impact.periods import Quarter
from measures.storage import actions, commentary, stories
from measures.storage.quarters import quarters_with_figures

COMMENTARY = (
    (
        "rotherham",
        "known_carers",
        1,
        "demo-viewer",
        "The GP practices' carers registers joined the count this year; some of the rise is "
        "carers who were already known to a practice, now counted once across the partnership.",
    ),
    (
        "rotherham",
        "unplanned_breaks_pct",
        2,
        "demo-viewer",
        "Emergency breaks rose over the winter, when two day services closed for repairs. "
        "The carers' centre is contacting every carer who had an unplanned break.",
    ),
    (
        "southampton",
        "carers_assessed_12m",
        1,
        "demo-viewer",
        "Reviews moved to the carers' centre in the spring; the first quarter of the new "
        "arrangement is still settling.",
    ),
    (
        "sandwell",
        "info_easy_pct",
        3,
        "demo-viewer",
        "The new online directory went live; the survey question on finding information "
        "should show it from next year.",
    ),
    (
        "stockport",
        "new_carers",
        1,
        "demo-viewer",
        "Identification at hospital discharge started in two wards this quarter.",
    ),
)
"""(area, measure, how many quarters before the latest, author, text)."""

STORIES = (
    {
        "area": "rotherham",
        "measure_id": "known_carers",
        "back": 1,
        "story": "The register keeps rising since the GP practices' registers joined: carers "
        "asked at every GP appointment are now counted once across the partnership. Men and "
        "carers aged 65 and over are still under-identified.",
        "partners": [
            ("NHS South Yorkshire ICB", "GP practices ask every patient whether they care"),
            ("Rotherham carers' centre", "welcomes newly identified carers and runs groups"),
            ("Adult Care", "keeps the register and offers an assessment"),
        ],
        "what_works": "Asking at the GP appointment, and a named carers' lead in each practice.",
        "actions": ["locality-network-meetings", "meeting-place-map"],
        "event": "Carers' hub opened in the town centre",
        "event_day": 20,
    },
    {
        "area": "rotherham",
        "measure_id": "unplanned_breaks_pct",
        "back": 2,
        "story": "Emergency breaks rose over the winter, when two day services closed for "
        "repairs; most were carers with no emergency plan.",
        "partners": [
            ("Rotherham carers' centre", "contacts every carer who had an unplanned break"),
            ("Adult Care", "writes emergency plans with carers at assessment"),
        ],
        "what_works": "An emergency plan written at the first assessment.",
        "actions": ["health-and-wellbeing-action-plan"],
        "event": "",
        "event_day": None,
    },
    {
        "area": "southampton",
        "measure_id": "carers_assessed_12m",
        "back": 1,
        "story": "Reviews moved to the carers' centre in the spring; the first quarter of the "
        "new arrangement is still settling.",
        "partners": [("Southampton carers' centre", "carries out reviews for the council")],
        "what_works": "Reviews booked at the previous review, not left to the carer to ask.",
        "actions": ["voluntary-sector-assessments", "emergency-plans"],
        "event": "Reviews moved to the carers' centre",
        "event_day": 1,
    },
)
"""Turn-the-curve records: `back` quarters before the latest; an event on `event_day` of the
quarter's first month."""

ACTION_UPDATES = (
    (
        "rotherham",
        "social-movement-launched",
        "at risk",
        2,
        "Launch moved to the spring: the partner charity's funding decision is due in February.",
    ),
    (
        "rotherham",
        "carer-empowerment-plan",
        "overdue",
        1,
        "Draft shared with the carers' forum; sign-off waits for the strategic group.",
    ),
    (
        "southampton",
        "emergency-plans",
        "on track",
        1,
        "Template agreed with the carers' centre; 40 plans written so far.",
    ),
)
"""(area, action, status, how many quarters before the latest, note)."""


def add_demo_activity(engine: Engine) -> int:
    """Write the demo's commentary and action updates; returns how many were added."""
    latest = {}
    added = 0
    for area, measure_id, back, author, text in COMMENTARY:
        quarter = _quarter(engine, area, back, latest)
        if quarter is None:
            continue
        commentary.add_comment(
            engine,
            area=area,
            measure_id=measure_id,
            period=quarter.label,
            text=text,
            author=author,
            at=_after(quarter),
        )
        added += 1
    from measures.domain.area_files import load_areas

    areas = load_areas()
    for record in STORIES:
        quarter = _quarter(engine, record["area"], record["back"], latest)
        if quarter is None:
            continue
        day = record["event_day"]
        stories.add_story(
            engine,
            area=areas[record["area"]],
            measure_id=record["measure_id"],
            period=quarter.label,
            story=record["story"],
            partners=record["partners"],
            what_works=record["what_works"],
            actions=record["actions"],
            event=record["event"],
            event_date=quarter.start.replace(day=day) if day else None,
            author="demo-viewer",
            at=_after(quarter),
        )
        added += 1
    for area, action_id, status, back, note in ACTION_UPDATES:
        quarter = _quarter(engine, area, back, latest)
        if quarter is None:
            continue
        actions.add_update(
            engine,
            area=areas[area],
            action_id=action_id,
            status=status,
            note=note,
            author="demo-viewer",
            at=_after(quarter),
        )
        added += 1
    return added


def _quarter(engine: Engine, area: str, back: int, latest: dict) -> Quarter | None:
    if area not in latest:
        labels = quarters_with_figures(engine, area=area)
        latest[area] = Quarter.parse(labels[0]) if labels else None
    return latest[area].shift(-back) if latest[area] else None


def _after(quarter: Quarter) -> datetime:
    """A time some weeks after the quarter ended, when the group met to discuss it."""
    return datetime.combine(quarter.end, datetime.min.time(), tzinfo=UTC) + timedelta(days=52)

"""Publishing a quarter, with the pipeline's one extra rule: a quarter must be complete.

Completeness (every extract the area's configuration expects for the quarter
is loaded, see `etl.quality.completeness`) is checked here, at the moment of
publishing: an incomplete quarter is published only with an override reason,
which is recorded. A scheduled publication is checked again when its time
comes; if the quarter is incomplete then and no override was given, it is not
published, the schedule is dropped and the job says why. Everything else
(snapshots, revisions, withdrawals, the public table) is
`measures.storage.publishing`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from carers_impact.errors import UserError
from carers_impact.periods import Quarter
from etl import quality
from measures.api import catalogue, get_area
from measures.storage import publishing
from measures.storage.publishing import (
    AlreadyPublished,
    BadSchedule,
    NothingToPublish,
    NotPublished,
    Publication,
    ReasonRequired,
)

__all__ = [
    "AlreadyPublished",
    "BadSchedule",
    "NotPublished",
    "NothingToPublish",
    "Publication",
    "QuarterIncomplete",
    "ReasonRequired",
    "cancel_schedule",
    "publish",
    "publish_due",
    "schedule",
    "withdraw",
]


class QuarterIncomplete(UserError, ValueError):
    """A quarter with expected extracts not loaded, published without an override reason."""

    def __init__(self, area_name: str, found: quality.Completeness, affected: list[str]):
        self.completeness = found
        titles = ", ".join(catalogue()[m].title for m in affected) or "none"
        super().__init__(
            f"{found.period} is incomplete for {area_name}: {found.summary}. Measures "
            f"affected: {titles}. Load the missing extracts first, or publish with a reason "
            "for the override (it is recorded)"
        )


def check_complete(engine: Engine, *, area_id: str, period: str, override_reason: str) -> str:
    """The override reason to record ('' when complete); raises QuarterIncomplete."""
    area = get_area(area_id)
    label = Quarter.parse(period).label
    found = quality.completeness(engine, area=area, periods=[label])[label]
    if found.complete:
        return ""
    if not override_reason.strip():
        sources = {m.id: m.sources for m in catalogue().values()}
        raise QuarterIncomplete(area.name, found, found.affected_measures(sources))
    return override_reason.strip()


def publish(
    engine: Engine,
    *,
    area: str,
    period: str,
    by: str,
    reason: str = "",
    override_reason: str = "",
    at: datetime | None = None,
) -> Publication:
    """Publish (or revise) a quarter, if complete or with an override reason.

    `at` records an earlier time for a publication made before the product
    held the record (by default now).
    """
    the_area = get_area(area)
    override = check_complete(
        engine, area_id=the_area.id, period=period, override_reason=override_reason
    )
    return publishing.publish(
        engine,
        area=the_area,
        period=period,
        by=by,
        reason=reason,
        override_reason=override,
        catalogue=catalogue(),
        at=at,
    )


def withdraw(engine: Engine, *, area: str, period: str, by: str, notice: str) -> Publication:
    """Take a published quarter out of the public view, with a public notice."""
    return publishing.withdraw(
        engine, area=get_area(area), period=period, by=by, notice=notice, catalogue=catalogue()
    )


def schedule(
    engine: Engine,
    *,
    area: str,
    period: str,
    by: str,
    publish_at: datetime,
    reason: str = "",
    override_reason: str = "",
) -> Publication:
    """Publish a quarter at a set time; checked for completeness now and again then."""
    the_area = get_area(area)
    override = check_complete(
        engine, area_id=the_area.id, period=period, override_reason=override_reason
    )
    return publishing.schedule(
        engine,
        area=the_area,
        period=period,
        by=by,
        publish_at=publish_at,
        reason=reason,
        override_reason=override,
    )


def cancel_schedule(engine: Engine, *, area: str, period: str, by: str) -> Publication:
    return publishing.cancel_schedule(engine, area=get_area(area), period=period, by=by)


def publish_due(engine: Engine, *, at: datetime | None = None) -> list[str]:
    """Publish every scheduled quarter whose time has come; one line per quarter on what happened.

    A quarter that cannot be published (incomplete without an override, figures
    unchanged since it was published...) is not published: its schedule is
    dropped with the reason, for an admin to look at.
    """
    lines = []
    for plan in publishing.due_schedules(engine, at=at or datetime.now(UTC)).itertuples():
        where = f"{plan.area} {plan.period}"
        try:
            done = publish(
                engine,
                area=plan.area,
                period=plan.period,
                by=plan.scheduled_by,
                reason=plan.reason,
                override_reason=plan.override_reason,
            )
        except UserError as refused:
            publishing.cancel_schedule(
                engine,
                area=get_area(plan.area),
                period=plan.period,
                by="scheduler",
                reason=str(refused),
                action="schedule_failed",
            )
            lines.append(f"{where} not published: {refused}")
        else:
            lines.append(f"{where} {done.action} as scheduled by {plan.scheduled_by}")
    return lines

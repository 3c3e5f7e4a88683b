"""Publishing quarters: snapshots, revisions, withdrawals and embargoes (SPEC 7).

A quarter is provisional until an admin publishes it. Publishing keeps a
snapshot of the quarter's exact values (and, for a Q4, of its financial
year's) in ``published_values``, and the public table is made from snapshots
only, so a late re-submission or a withdrawn file changes the internal figures
at once but the public ones only when the quarter is published again: then
the public view marks it "revised" with the date and reason. A published
quarter can be withdrawn with a public notice. A publication can wait for a
date and time (``scheduled_publications``), when the scheduler publishes it.

Every action is kept in ``publications`` with who, when and why; the public
view reads ``public_measure_values`` and ``public_periods`` (dates, revisions
and notices, no names) and nothing else.

Whether a quarter is complete (every expected extract loaded) is the
pipeline's business: ``etl.pipeline.publish`` checks it before calling here.
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
from measures.domain.catalogue import Catalogue, load_catalogue
from measures.storage.public_table import (
    DisclosureCheck,
    DisclosureRisk,
    NothingToPublish,
    check_disclosure,
    current_values,
    read_public,
    rewrite_public,
    snapshot_periods,
    snapshots,
    write_public,
)
from measures.storage.values import KEY_COLUMNS, VALUE_COLUMNS

__all__ = [
    "AlreadyPublished",
    "BadSchedule",
    "DisclosureCheck",
    "DisclosureRisk",
    "NotPublished",
    "NothingToPublish",
    "Publication",
    "ReasonRequired",
    "cancel_schedule",
    "check_disclosure",
    "current_values",
    "due_schedules",
    "publish",
    "read_public",
    "rewrite_public",
    "schedule",
    "snapshot_periods",
    "snapshots",
    "withdraw",
]

MAX_TEXT = 2000


class AlreadyPublished(UserError, ValueError):
    """A quarter that is already public, with the same figures."""


class NotPublished(UserError, ValueError):
    """Withdrawing a quarter that is not public."""


class ReasonRequired(UserError, ValueError):
    """A revision, withdrawal or override without the reason it must record."""


class BadSchedule(UserError, ValueError):
    """A publication time in the past, or a schedule that does not exist."""


@dataclass(frozen=True)
class Publication:
    """What a publication action did."""

    area: str
    period: str
    action: str  # published, revised, withdrawn, scheduled, schedule_cancelled
    at: datetime
    publication_id: int | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ReasonRequired(f"{what} can be at most {MAX_TEXT} characters; this is {len(text)}")
    return text


def _state(conn: Connection, area: str, period: str):
    pp = db.published_periods
    return conn.execute(sa.select(pp).where(pp.c.area == area, pp.c.period == period)).first()


def _event(conn: Connection, area: str, period: str, action: str, **values) -> int:
    return int(
        conn.execute(
            sa.insert(db.publications).values(area=area, period=period, action=action, **values)
        ).inserted_primary_key[0]
    )


def differences(current: pd.DataFrame, snapshot: pd.DataFrame) -> int:
    """How many figures differ between the current values and a snapshot (added or gone too)."""
    merged = current.merge(
        snapshot, on=KEY_COLUMNS, how="outer", suffixes=("", "_published"), indicator=True
    )
    changed = merged["_merge"] != "both"
    for column in VALUE_COLUMNS:
        now = pd.to_numeric(merged[column]).astype("float64")
        then = pd.to_numeric(merged[f"{column}_published"]).astype("float64")
        same = (now - then).abs().le(1e-9 * then.abs().clip(lower=1)) | (now.isna() & then.isna())
        changed |= ~same
    return int(changed.sum())


def _lock(conn: Connection, area: str) -> None:
    """Publication actions on one area queue here, so two admins cannot both act at once."""
    db.serialise(conn, f"publish:{area}")


def publish(
    engine: Engine,
    *,
    area: Area,
    period: str,
    by: str,
    reason: str = "",
    override_reason: str = "",
    catalogue: Catalogue | None = None,
    at: datetime | None = None,
) -> Publication:
    """Make a quarter public, or publish its changed figures again as a revision.

    A first publication (or one after a withdrawal) needs no reason; a
    revision does. `override_reason` is recorded when the pipeline has found
    the quarter incomplete and the admin publishes it all the same. `at`
    records an earlier time (a publication made before the product held the
    record); by default now.
    """
    label = Quarter.parse(period).label
    reason = _text(reason, "The reason")
    override_reason = _text(override_reason, "The reason for publishing an incomplete quarter")
    catalogue = catalogue or load_catalogue()
    periods = snapshot_periods(label)
    at = at or _now()
    with engine.begin() as conn:
        _lock(conn, area.id)
        current = current_values(conn, area.id, periods)
        if not (current["period"] == label).any():
            raise NothingToPublish(
                f"{area.name} has no figures for {label}: load its extracts first"
            )
        state = _state(conn, area.id, label)
        revising = state is not None and state.status == "published"
        if revising:
            if not differences(current, snapshots(conn, [state.publication_id])):
                raise AlreadyPublished(
                    f"{label} is already published for {area.name} and its figures have not "
                    "changed since"
                )
            if not reason:
                raise ReasonRequired(
                    f"{label}'s figures have changed since it was published: say why they are "
                    "revised (the public view shows the reason)"
                )
        action = "revised" if revising else "published"
        publication_id = _event(
            conn,
            area.id,
            label,
            action,
            at=at,
            by=by,
            reason=reason,
            override_reason=override_reason,
        )
        rows = current.assign(publication_id=publication_id)
        db.bulk_insert(
            conn,
            db.published_values,
            list(rows[[c.name for c in db.published_values.columns]].itertuples(index=False)),
        )
        values = {
            "published_at": at,
            "published_by": by,
            "status": "published",
            "publication_id": publication_id,
            "override_reason": override_reason,
            "withdrawn_at": None,
            "withdrawal_notice": "",
        }
        pp = db.published_periods
        if state is None:
            conn.execute(
                sa.insert(pp).values(
                    area=area.id, period=label, first_published_at=at, revision_reason="", **values
                )
            )
        else:
            if revising:
                values |= {"revised_at": at, "revision_reason": reason}
            conn.execute(
                sa.update(pp).where(pp.c.area == area.id, pp.c.period == label).values(**values)
            )
        _drop_schedule(conn, area.id, label)
        write_public(conn, area.id, periods=periods, catalogue=catalogue)
    return Publication(area.id, label, action, at, publication_id)


def withdraw(
    engine: Engine, *, area: Area, period: str, by: str, notice: str, catalogue=None
) -> Publication:
    """Take a published quarter out of the public view, with a notice saying why."""
    label = Quarter.parse(period).label
    notice = _text(notice, "The notice")
    if not notice:
        raise ReasonRequired(
            "Write the public notice that says why the figures are withdrawn; the public view "
            "shows it in their place"
        )
    at = _now()
    with engine.begin() as conn:
        _lock(conn, area.id)
        state = _state(conn, area.id, label)
        if state is None or state.status != "published":
            raise NotPublished(
                f"{label} is not published for {area.name}, so it cannot be withdrawn"
            )
        _event(conn, area.id, label, "withdrawn", at=at, by=by, reason=notice)
        pp = db.published_periods
        conn.execute(
            sa.update(pp)
            .where(pp.c.area == area.id, pp.c.period == label)
            .values(status="withdrawn", withdrawn_at=at, withdrawal_notice=notice)
        )
        write_public(
            conn, area.id, periods=snapshot_periods(label), catalogue=catalogue or load_catalogue()
        )
    return Publication(area.id, label, "withdrawn", at)


def schedule(
    engine: Engine,
    *,
    area: Area,
    period: str,
    by: str,
    publish_at: datetime,
    reason: str = "",
    override_reason: str = "",
) -> Publication:
    """Publish a quarter at a date and time (an embargo); replaces an earlier schedule."""
    label = Quarter.parse(period).label
    if publish_at.tzinfo is None:
        raise BadSchedule("give the publication time with its time zone")
    if publish_at <= _now():
        raise BadSchedule(
            f"{publish_at:%d/%m/%Y %H:%M} has passed; choose a time to come, or publish now"
        )
    reason, override_reason = _text(reason, "The reason"), _text(override_reason, "The reason")
    at = _now()
    with engine.begin() as conn:
        _lock(conn, area.id)
        _drop_schedule(conn, area.id, label)
        conn.execute(
            sa.insert(db.scheduled_publications).values(
                area=area.id,
                period=label,
                publish_at=publish_at,
                scheduled_by=by,
                reason=reason,
                override_reason=override_reason,
            )
        )
        _event(
            conn,
            area.id,
            label,
            "scheduled",
            at=at,
            by=by,
            reason=reason,
            override_reason=override_reason,
            scheduled_for=publish_at,
        )
    return Publication(area.id, label, "scheduled", at)


def cancel_schedule(
    engine: Engine, *, area: Area, period: str, by: str, reason: str = "", action: str = ""
) -> Publication:
    """Drop a scheduled publication (by an admin, or by the scheduler when it cannot publish)."""
    label = Quarter.parse(period).label
    at = _now()
    with engine.begin() as conn:
        _lock(conn, area.id)
        if not _drop_schedule(conn, area.id, label):
            raise BadSchedule(f"{label} is not scheduled for publication in {area.name}")
        _event(conn, area.id, label, action or "schedule_cancelled", at=at, by=by, reason=reason)
    return Publication(area.id, label, action or "schedule_cancelled", at)


def _drop_schedule(conn: Connection, area: str, period: str) -> bool:
    sp = db.scheduled_publications
    return bool(
        conn.execute(sa.delete(sp).where(sp.c.area == area, sp.c.period == period)).rowcount
    )


def due_schedules(engine: Engine, *, at: datetime | None = None) -> pd.DataFrame:
    """Scheduled publications whose time has come, oldest first."""
    sp = db.scheduled_publications
    query = sa.select(sp).where(sp.c.publish_at <= (at or _now())).order_by(sp.c.publish_at)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in sp.c])

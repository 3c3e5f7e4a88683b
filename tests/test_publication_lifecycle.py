"""Publishing as a record: complete quarters, snapshots, revisions, withdrawals, schedules."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from carers_impact import db
from etl import publication
from etl.pipeline import submit, withdraw
from measures import api
from tests.files import carers_csv, rotherham_quarter

Q1, Q2 = "2024-25 Q1", "2024-25 Q2"


def load_quarter(engine, quarter: str, *, known: int = 40) -> None:
    for name, content in rotherham_quarter(quarter, known=known):
        result = submit(engine, content, filename=name, submitted_by="t")
        assert result.status == "accepted", result.report.to_text()


def public_known(engine, period: str = Q1):
    public = api.measure_table(engine, area="rotherham", period=period, public=True)
    row = public[(public.measure_id == "known_carers") & (public.breakdown == "all")]
    return None if row.empty else row["value"].iloc[0]


def internal_known(engine, period: str = Q1) -> float:
    table = api.measure_table(engine, area="rotherham", period=period)
    return table[(table.measure_id == "known_carers") & (table.breakdown == "all")]["value"].iloc[0]


def stored(engine) -> dict[str, int]:
    """Row counts of every publication table: to show a refused action changed nothing."""
    tables = (
        db.published_periods,
        db.publications,
        db.published_values,
        db.public_measure_values,
        db.public_periods,
        db.scheduled_publications,
    )
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in tables
        }


def status_of(engine, period: str = Q1) -> dict:
    status = api.publication_status(engine, area="rotherham")
    return status.set_index("period").loc[period].to_dict()


def test_an_incomplete_quarter_is_published_only_with_a_recorded_override(engine):
    name, content = rotherham_quarter(Q1)[0]
    assert submit(engine, content, filename=name, submitted_by="t").status == "accepted"
    before = stored(engine)
    with pytest.raises(publication.QuarterIncomplete) as refused:
        publication.publish(engine, area="rotherham", period=Q1, by="ada")
    message = str(refused.value)
    assert "1 of 6 expected extracts loaded" in message
    assert "missing: ROT-ASC assessments, ROT-ASC breaks, ROT-CSC carers" in message
    assert "override" in message
    assert stored(engine) == before
    publication.publish(
        engine, area="rotherham", period=Q1, by="ada", override_reason="the board asked for it"
    )
    history = api.publication_history(engine, area="rotherham")
    assert history.iloc[0][["action", "by", "override_reason"]].tolist() == [
        "published",
        "ada",
        "the board asked for it",
    ]


def test_a_complete_quarter_publishes_without_an_override(engine):
    load_quarter(engine, Q1)
    done = publication.publish(engine, area="rotherham", period=Q1, by="ada")
    assert (done.period, done.action) == (Q1, "published")
    assert public_known(engine) == 50  # 40 + 12 young carers + 10 on the GP register: 52 -> 50
    assert status_of(engine)["state"] == "published"


def test_a_late_file_changes_the_public_view_only_when_published_again(engine):
    load_quarter(engine, Q1)
    publication.publish(engine, area="rotherham", period=Q1, by="ada")
    published_at = status_of(engine)["published_at"]
    late = carers_csv(12, identified="2024-05-01", prefix="R")  # a 12-row upload replaces 40
    assert (
        submit(engine, late, filename="carers_ROT-ASC_2024-25_Q1.csv", submitted_by="u").status
        == "accepted"
    )
    assert internal_known(engine) == 24  # 12 + 12 young: the R-ids overlap the GP register
    assert public_known(engine) == 50  # unchanged: not published again
    row = status_of(engine)
    assert row["changed_since_publication"] > 0 and row["published_at"] == published_at
    with pytest.raises(publication.ReasonRequired, match="say why"):
        publication.publish(engine, area="rotherham", period=Q1, by="ada")
    done = publication.publish(
        engine, area="rotherham", period=Q1, by="ada", reason="ROT-ASC sent a corrected register"
    )
    assert done.action == "revised"
    assert public_known(engine) == 25
    notes = api.publication_status(engine, area="rotherham").set_index("period").loc[Q1]
    assert notes["revision_reason"] == "ROT-ASC sent a corrected register"
    assert notes["changed_since_publication"] == 0
    with engine.connect() as conn:
        public = conn.execute(sa.select(db.public_periods)).mappings().one()
    assert public["revision_reason"] == "ROT-ASC sent a corrected register"
    assert public["revised_at"] is not None and public["first_published_at"] is not None
    with pytest.raises(publication.AlreadyPublished, match="not changed"):
        publication.publish(engine, area="rotherham", period=Q1, by="ada", reason="again")


def test_a_withdrawn_submission_reaches_the_public_only_by_a_publication(engine):
    load_quarter(engine, Q1)
    publication.publish(engine, area="rotherham", period=Q1, by="ada")
    with engine.connect() as conn:
        nhs = conn.execute(
            sa.select(db.submissions.c.id).where(db.submissions.c.organisation == "ROT-NHS")
        ).scalar_one()
    withdraw(engine, nhs, actor="ada", reason="loaded under the wrong quarter")
    assert status_of(engine)["changed_since_publication"] > 0  # the organisation breakdown
    assert public_known(engine) == 50
    with pytest.raises(publication.QuarterIncomplete):
        publication.publish(engine, area="rotherham", period=Q1, by="ada", reason="fewer")


def test_the_year_is_published_with_its_fourth_quarter(engine):
    for quarter in ("2024-25 Q3", "2024-25 Q4"):
        load_quarter(engine, quarter)
    publication.publish(engine, area="rotherham", period="2024-25 Q3", by="ada")
    assert public_known(engine, "2024-25") is None
    publication.publish(engine, area="rotherham", period="2024-25 Q4", by="ada")
    assert public_known(engine, "2024-25") == 50


def test_withdrawing_a_publication_leaves_a_public_notice(engine):
    load_quarter(engine, Q1)
    before = stored(engine)
    with pytest.raises(publication.NotPublished):
        publication.withdraw(engine, area="rotherham", period=Q1, by="ada", notice="x")
    assert stored(engine) == before
    publication.publish(engine, area="rotherham", period=Q1, by="ada")
    with pytest.raises(publication.ReasonRequired, match="notice"):
        publication.withdraw(engine, area="rotherham", period=Q1, by="ada", notice="  ")
    publication.withdraw(
        engine, area="rotherham", period=Q1, by="ada", notice="A supplier's figures were wrong."
    )
    assert public_known(engine) is None
    with engine.connect() as conn:
        public = conn.execute(sa.select(db.public_periods)).mappings().one()
    assert public["status"] == "withdrawn"
    assert public["withdrawal_notice"] == "A supplier's figures were wrong."
    assert status_of(engine)["state"] == "withdrawn"
    with pytest.raises(publication.NotPublished):
        publication.withdraw(engine, area="rotherham", period=Q1, by="ada", notice="twice")
    again = publication.publish(engine, area="rotherham", period=Q1, by="ada")
    assert again.action == "published" and public_known(engine) == 50


def test_a_publication_scheduled_for_later_is_published_when_its_time_comes(engine):
    load_quarter(engine, Q1)
    with pytest.raises(publication.BadSchedule, match="has passed"):
        publication.schedule(
            engine,
            area="rotherham",
            period=Q1,
            by="ada",
            publish_at=datetime.now(UTC) - timedelta(minutes=1),
        )
    at = datetime.now(UTC) + timedelta(hours=2)
    publication.schedule(engine, area="rotherham", period=Q1, by="ada", publish_at=at)
    row = status_of(engine)
    assert row["state"] == "scheduled" and row["scheduled_by"] == "ada"
    assert publication.publish_due(engine) == []
    assert public_known(engine) is None
    lines = publication.publish_due(engine, at=at + timedelta(seconds=1))
    assert lines == ["rotherham 2024-25 Q1 published as scheduled by ada"]
    assert public_known(engine) == 50
    actions = api.publication_history(engine, area="rotherham")["action"].tolist()
    assert actions == ["published", "scheduled"]


def test_a_scheduled_quarter_that_became_incomplete_is_not_published(engine):
    load_quarter(engine, Q1)
    at = datetime.now(UTC) + timedelta(hours=1)
    publication.schedule(engine, area="rotherham", period=Q1, by="ada", publish_at=at)
    with engine.connect() as conn:
        breaks = conn.execute(
            sa.select(db.submissions.c.id).where(db.submissions.c.extract == "breaks")
        ).scalar_one()
    withdraw(engine, breaks, actor="ada", reason="wrong organisation")
    lines = publication.publish_due(engine, at=at + timedelta(seconds=1))
    assert len(lines) == 1
    assert lines[0].startswith("rotherham 2024-25 Q1 not published: 2024-25 Q1 is incomplete")
    assert "missing: ROT-ASC breaks" in lines[0]
    assert public_known(engine) is None
    assert status_of(engine)["state"] == "provisional"
    history = api.publication_history(engine, area="rotherham")
    assert history.iloc[0]["action"] == "schedule_failed"
    assert "incomplete" in history.iloc[0]["reason"]


def test_two_admins_publishing_at_once_publish_once(engine):
    load_quarter(engine, Q1)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def admin(name: str) -> None:
        start.wait()
        try:
            publication.publish(engine, area="rotherham", period=Q1, by=name)
            outcomes.append("published")
        except publication.AlreadyPublished:
            outcomes.append("already")

    threads = [threading.Thread(target=admin, args=(n,)) for n in ("ada", "bo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already", "published"]
    history = api.publication_history(engine, area="rotherham")
    assert history["action"].tolist() == ["published"]
    with engine.connect() as conn:
        snapshots = conn.execute(
            sa.select(sa.func.count(sa.distinct(db.published_values.c.publication_id)))
        ).scalar()
    assert snapshots == 1

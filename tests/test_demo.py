"""The demo database is built through the real pipeline and shows every measure."""

from __future__ import annotations

from datetime import date

import pytest

from carers_impact import db
from carers_impact.periods import Quarter
from etl.demo import build_demo
from etl.load import history
from measures import api
from measures.domain.catalogue import load_catalogue


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    engine = db.make_engine(f"sqlite:///{folder / 'demo.db'}")
    db.upgrade(engine)
    summary = build_demo(
        engine, inbox=folder / "inbox", areas=["rotherham"], first="2020-21 Q4", last="2022-23 Q1"
    )
    yield engine, summary, folder / "inbox"
    engine.dispose()


def test_the_faulty_file_is_rejected_and_its_correction_becomes_current(demo):
    engine, summary, inbox = demo
    assert "1 rejected" in summary
    report = inbox / "rejected" / "carers_ROT-ASC_2021-22_Q3.csv.report.txt"
    assert "25-65" in report.read_text()
    subs = history(engine, organisation="ROT-ASC", extract="carers", period="2021-22 Q3")
    assert list(subs["status"]) == ["accepted", "rejected"]
    assert list(subs["current"]) == [True, False]


def test_every_core_measure_has_a_value_for_every_quarter_with_data(demo):
    engine, _, _ = demo
    table = api.measure_table(engine, area="rotherham")
    whole = table[table.breakdown == "all"]
    quarters = {p for p in whole.period if "Q" in p}
    assert {"2020-21 Q4", "2021-22 Q1", "2022-23 Q1"} <= quarters
    core = set(load_catalogue())
    for quarter in sorted(quarters):
        present = set(whole[(whole.period == quarter) & whole.value.notna()].measure_id)
        # carers_assessed_12m needs four quarters of assessments before it has a value
        expected = core - ({"carers_assessed_12m"} if quarter < "2021-22 Q3" else set())
        assert expected <= present, (quarter, expected - present)


def test_the_scorecard_gives_every_measure_a_status(demo):
    engine, _, _ = demo
    card = api.scorecard(engine, area="rotherham")
    assert set(load_catalogue()) <= set(card.measure_id)
    assert (
        card["status"]
        .isin(["on track", "close", "off track", "no target", "not enough data"])
        .all()
    )
    with_targets = card[card.target_2025.notna()]
    assert not with_targets.empty
    assert with_targets["status"].isin(["on track", "close", "off track"]).all()


def test_building_again_without_rebuild_changes_nothing(demo):
    engine, _, inbox = demo
    before = len(history(engine, limit=10_000))
    message = build_demo(
        engine, inbox=inbox, areas=["rotherham"], first="2020-21 Q4", last="2022-23 Q1"
    )
    assert "already holds submissions" in message
    assert len(history(engine, limit=10_000)) == before


def test_the_demo_publishes_all_but_the_latest_quarter_and_has_accounts(demo):
    from carers_impact.sign_in import authenticate
    from etl.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    engine, summary, _ = demo
    status = api.publication_status(engine, area="rotherham")
    published = sorted(status.loc[status["state"] == "published", "period"])
    assert published[0] == "2020-21 Q4" and published[-1] == "2021-22 Q4"  # 2022-23 Q1 is not
    public = api.measure_table(engine, area="rotherham", public=True)
    assert not public.empty and "2022-23 Q1" not in set(public.period)
    for name, role, _ in DEMO_ACCOUNTS:
        assert authenticate(engine, name, DEMO_PASSWORD).role == role
        assert name in summary


def test_the_demo_has_a_history_a_partnership_would_have(demo):
    from etl import quality

    engine, _, _ = demo
    runs = quality.read_job_runs(engine)
    assert {"poll_inbox", "late_submission_check", "publish_scheduled"} <= set(runs["job_id"])
    assert (runs["outcome"] == "success").all()
    submitted = quality.read_submissions(engine, area="rotherham")
    assert submitted["submitted_at"].dt.date.nunique() > 10  # returns arrive over time
    matrix = quality.area_matrix(
        engine, area=api.get_area("rotherham"), last=6, today=date(2022, 9, 1)
    )
    states = set(matrix["state"])
    assert {"received", "late"} <= states
    status = api.publication_status(engine, area="rotherham")
    published = status[status["state"] == "published"]
    ended = published["period"].map(lambda p: Quarter.parse(p).end)
    assert (published["first_published_at"].dt.date > ended).all()
    assert not api.comments(engine, area="rotherham").empty
    assert not api.action_updates(engine, area="rotherham").empty
    stories = api.stories(engine, area="rotherham", measure_id="known_carers")
    latest = stories.iloc[0]
    assert latest["event"] == "Carers' hub opened in the town centre"
    assert len(latest["partners"]) == 3 and latest["actions"]


@pytest.fixture(scope="module")
def recent_demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recent")
    engine = db.make_engine(f"sqlite:///{folder / 'demo.db'}")
    db.upgrade(engine)
    build_demo(
        engine, inbox=folder / "inbox", areas=["rotherham"], first="2024-25 Q3", last="2025-26 Q2"
    )
    yield engine
    engine.dispose()


def test_a_correction_after_publication_is_published_again_as_a_revision(recent_demo):
    status = api.publication_status(recent_demo, area="rotherham").set_index("period")
    revised = status[status["revised_at"].notna()]
    assert "2024-25 Q4" in revised.index
    assert "corrected assessments file" in revised.loc["2024-25 Q4", "revision_reason"]
    assert (revised["revised_at"] > revised["first_published_at"]).all()
    assert (status.loc[status["state"] == "published", "changed_since_publication"] == 0).all()


def test_the_latest_quarter_waits_for_its_missing_return(recent_demo):
    from etl import quality

    status = api.publication_status(recent_demo, area="rotherham").set_index("period")
    assert status.loc["2025-26 Q2", "state"] == "provisional"
    found = quality.completeness(
        recent_demo, area=api.get_area("rotherham"), periods=["2025-26 Q2"]
    )["2025-26 Q2"]
    assert found.missing == (("ROT-CC", "outcomes"),)

"""The demo database is built through the real pipeline and shows every measure."""

from __future__ import annotations

import pytest

from carers_impact import db
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
    from carers_impact.accounts import authenticate
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

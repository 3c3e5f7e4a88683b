"""Pages open on the latest complete quarter and say when the one shown is incomplete."""

from __future__ import annotations

import pytest

from carers_impact import accounts, db
from etl.pipeline import submit
from tests.dashboard_data import PASSWORD, as_user, texts
from tests.files import carers_csv, rotherham_quarter

COMPLETE, PARTIAL = "2024-25 Q1", "2024-25 Q2"


@pytest.fixture(scope="module", autouse=True)
def database(tmp_path_factory):
    """Rotherham with every expected extract of 2024-25 Q1, and only one of Q2."""
    url = f"sqlite:///{tmp_path_factory.mktemp('complete') / 'complete.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    for name, content in rotherham_quarter(COMPLETE):
        assert submit(engine, content, filename=name, submitted_by="t").status == "accepted"
    partial = carers_csv(45, identified="2024-08-01", prefix="R")
    assert submit(engine, partial, filename="carers_ROT-ASC_2024-25_Q2.csv", submitted_by="t")
    for name, role in (("vera", "viewer"), ("ada", "admin")):
        accounts.create_user(engine, name, password=PASSWORD, role=role)
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARERS_DB_URL", url)
        yield url


def test_the_scorecard_opens_on_the_latest_complete_quarter_and_says_why():
    at = as_user("vera", "views/scorecard.py", area="rotherham")
    assert at.selectbox(key="picker_period").value == COMPLETE
    assert f"Showing {COMPLETE}, the latest quarter with every expected extract loaded" in texts(at)


def test_an_incomplete_quarter_chosen_says_which_extracts_and_measures_it_lacks():
    at = as_user("vera", "views/measure.py", area="rotherham", period=PARTIAL)
    warning = " ".join(w.value for w in at.warning)
    assert f"{PARTIAL} is incomplete: 1 of 6 expected extracts loaded" in warning
    assert "missing: ROT-ASC assessments, ROT-ASC breaks" in warning
    assert "Carers' assessments and reviews completed" in warning


def test_publishing_offers_the_latest_complete_quarter_first():
    at = as_user("ada", "views/admin.py", area="rotherham", section="Publishing")
    assert at.selectbox(key="publish_quarter").value == COMPLETE

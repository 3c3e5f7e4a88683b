"""Stored measures, publishing a quarter, and what the public may see."""

from __future__ import annotations

import json

import pytest

from carers_impact import cli
from etl import publication
from etl.pipeline import submit
from measures import api
from measures.storage.publishing import AlreadyPublished, NothingToPublish
from tests.files import carers_csv

INCOMPLETE = "test data: only some of the expected extracts"


def load(engine, content: bytes, name: str = "carers_ROT-ASC_2024-25_Q1.csv") -> None:
    result = submit(engine, content, filename=name, submitted_by="t")
    assert result.status == "accepted", result.report.to_text()


def value(table, measure_id: str, period: str = "2024-25 Q1", breakdown: str = "all"):
    rows = table[
        (table.measure_id == measure_id) & (table.period == period) & (table.breakdown == breakdown)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_a_load_recomputes_the_area_and_internal_figures_are_exact(engine):
    load(engine, carers_csv(12))
    table = api.measure_table(engine, area="rotherham")
    assert value(table, "known_carers").value == 12
    expected_rate = 12 / 26313 * 100
    assert value(table, "identification_rate").value == pytest.approx(expected_rate)


def test_a_revert_or_correction_changes_the_stored_figures(engine):
    load(engine, carers_csv(12))
    load(engine, carers_csv(20))
    assert value(api.measure_table(engine, area="rotherham"), "known_carers").value == 20


def test_nothing_is_public_until_the_quarter_is_published(engine):
    load(engine, carers_csv(12))
    assert api.measure_table(engine, area="rotherham", public=True).empty
    done = publication.publish(
        engine, area="rotherham", period="2024-25_Q1", by="admin", override_reason=INCOMPLETE
    )
    assert (done.period, done.action) == ("2024-25 Q1", "published")
    public = api.measure_table(engine, area="rotherham", public=True)
    assert set(public["period"]) == {"2024-25 Q1"}
    assert value(public, "known_carers").value == 10  # 12 rounded to the nearest 5


def test_public_figures_suppress_small_counts_and_leave_out_internal_measures(engine):
    load(engine, carers_csv(3))
    publication.publish(
        engine, area="rotherham", period="2024-25 Q1", by="admin", override_reason=INCOMPLETE
    )
    public = api.measure_table(engine, area="rotherham", public=True)
    known = value(public, "known_carers")
    assert known.suppressed and known.value != known.value  # missing, never zero
    shown = public[public["value"].notna() & (public["breakdown"] != "all")]
    counts = shown[shown.measure_id == "known_carers"]["value"]
    assert not counts.between(1, 7).any()
    assert public["numerator"].isna().all() and public["denominator"].isna().all()
    from measures.domain.catalogue import load_catalogue

    internal_only = {m.id for m in load_catalogue().values() if not m.public}
    assert internal_only and not internal_only & set(public["measure_id"])


def test_publishing_needs_figures_and_happens_once(engine):
    with pytest.raises(NothingToPublish, match="load its extracts"):
        publication.publish(
            engine, area="rotherham", period="2024-25 Q1", by="admin", override_reason=INCOMPLETE
        )
    load(engine, carers_csv(12))
    publication.publish(
        engine, area="rotherham", period="2024-25 Q1", by="admin", override_reason=INCOMPLETE
    )
    with pytest.raises(AlreadyPublished):
        publication.publish(
            engine, area="rotherham", period="2024-25 Q1", by="admin", override_reason=INCOMPLETE
        )
    with pytest.raises(api.UnknownArea, match="rotherham"):
        publication.publish(
            engine, area="atlantis", period="2024-25 Q1", by="admin", override_reason=INCOMPLETE
        )


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARERS_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "carers_ROT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(12))
    assert cli.main(["etl", "run", "--inbox", str(inbox)]) == 0
    return tmp_path


def test_measures_command_prints_csv_and_json_with_the_spec_columns(cli_db, capsys):
    capsys.readouterr()
    assert cli.main(["measures", "--area", "rotherham", "--period", "2024-25 Q1"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header == (
        "measure_id,area,period,breakdown,breakdown_value,value,numerator,"
        "denominator,lower_ci,upper_ci"
    )
    assert cli.main(["measures", "--area", "rotherham", "--format", "json"]) == 0
    printed = capsys.readouterr()
    records = json.loads(printed.out)
    known = [
        r
        for r in records
        if r["measure_id"] == "known_carers"
        and r["breakdown"] == "all"
        and r["period"] == "2024-25 Q1"
    ]
    assert known[0]["value"] == 12
    note = printed.err
    assert "note: 2024-25 Q1 is incomplete: 1 of 6 expected extracts loaded" in note


def test_measures_command_public_and_publish(cli_db, capsys):
    assert cli.main(["measures", "--area", "rotherham", "--public"]) == 1
    assert "published" in capsys.readouterr().err
    capsys.readouterr()
    assert cli.main(["publish", "--area", "rotherham", "--period", "2024-25 Q1"]) == 1
    refused = capsys.readouterr().err
    assert "2024-25 Q1 is incomplete for Rotherham: 1 of 6 expected extracts loaded" in refused
    assert "ROT-NHS carers" in refused and "override" in refused
    override = ["--override-incomplete", "only the council's register so far"]
    assert cli.main(["publish", "--area", "rotherham", "--period", "2024-25 Q1", *override]) == 0
    assert cli.main(["publish", "--area", "rotherham", "--period", "2024-25 Q1", *override]) == 1
    assert "have not changed" in capsys.readouterr().err
    assert cli.main(["measures", "--area", "rotherham", "--public", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records and all("suppressed" in r for r in records)


def test_measures_command_rejects_an_unknown_area(cli_db, capsys):
    assert cli.main(["measures", "--area", "atlantis"]) == 2
    assert "not a configured area" in capsys.readouterr().err

"""The disclosure check, on demand (`carers-impact disclosure-check`) and before publishing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from carers_impact import cli, db
from etl import publication
from etl.pipeline import submit
from measures import api
from measures.domain.catalogue import load_catalogue
from measures.storage.public_table import DisclosureRisk, rewrite_public
from tests.files import carers_csv

INCOMPLETE = "test data: only some of the expected extracts"


def published(engine) -> None:
    """Rotherham with 2024-25 Q1 published and Q2 loaded, not published."""
    for period, count in (("2024-25_Q1", 120), ("2024-25_Q2", 130)):
        start = "2024-05-01" if period.endswith("Q1") else "2024-08-01"
        result = submit(
            engine,
            carers_csv(count, identified=start),
            filename=f"carers_ROT-ASC_{period}.csv",
            submitted_by="t",
        )
        assert result.status == "accepted", result.report.to_text()
    publication.publish(
        engine, area="rotherham", period="2024-25 Q1", by="admin", override_reason=INCOMPLETE
    )


def plant_figure_made_the_old_way(engine) -> None:
    """A percentage and its exact Wilson interval, as the public table once held them:
    30.0% (10.8 to 60.3) can only be 3 of 10."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(db.public_measure_values).values(
                measure_id="satisfied_pct",
                area="rotherham",
                period="2024-25 Q1",
                breakdown="organisation",
                breakdown_value="ROT-CC",
                unit="percent",
                value=30.0,
                lower_ci=10.8,
                upper_ci=60.3,
                suppressed=False,
                published_at=datetime.now(UTC),
            )
        )


def rows(engine, table) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table))]


def test_the_check_of_a_published_area_finds_nothing(engine):
    published(engine)
    check = api.disclosure_check(engine, area="rotherham")
    assert check.found.empty and check.cells > 0
    text = check.text()
    assert "Tried:" in text and "interval inversion" in text
    assert text.endswith("Found: nothing can be worked out.")


def test_the_check_names_what_a_figure_made_the_old_way_gives_away(engine):
    published(engine)
    plant_figure_made_the_old_way(engine)
    check = api.disclosure_check(engine, area="rotherham")
    found = check.found[["measure_id", "breakdown_value", "count", "recovered"]].values.tolist()
    assert found == [
        ["satisfied_pct", "ROT-CC", "numerator", 3.0],
        ["satisfied_pct", "ROT-CC", "others", 7.0],  # the 7 of 10 not satisfied
    ]
    assert "satisfied_pct rotherham 2024-25 Q1 organisation=ROT-CC: the numerator is 3" in (
        check.text()
    )


def test_publishing_refuses_with_the_report_and_stores_nothing(engine):
    published(engine)
    plant_figure_made_the_old_way(engine)
    before = {t.name: rows(engine, t) for t in (db.publications, db.published_periods)}
    before_public = rows(engine, db.public_measure_values)
    with pytest.raises(DisclosureRisk, match="the numerator is 3") as refused:
        publication.publish(
            engine, area="rotherham", period="2024-25 Q2", by="admin", override_reason=INCOMPLETE
        )
    assert "nothing was published" in str(refused.value)
    assert {t.name: rows(engine, t) for t in (db.publications, db.published_periods)} == before
    assert rows(engine, db.public_measure_values) == before_public


def test_making_the_public_table_again_removes_what_the_old_way_gave_away(engine):
    published(engine)
    plant_figure_made_the_old_way(engine)
    with engine.begin() as conn:
        assert rewrite_public(conn, catalogue=load_catalogue()) == 1
    assert api.disclosure_check(engine, area="rotherham").found.empty


def test_the_command_checks_a_quarter_as_it_would_be_published_and_stores_nothing(
    tmp_path, monkeypatch, capsys
):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CARERS_DB_URL", url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    published(engine)
    before = rows(engine, db.public_measure_values)
    assert cli.main(["disclosure-check", "--area", "rotherham", "--period", "2024-25_Q2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Disclosure check of rotherham with 2024-25 Q2 published now:")
    assert "Found: nothing can be worked out." in out
    assert rows(engine, db.public_measure_values) == before

    plant_figure_made_the_old_way(engine)
    assert cli.main(["disclosure-check", "--area", "rotherham"]) == 1
    assert "the numerator is 3" in capsys.readouterr().out
    publish = ["publish", "--area", "rotherham", "--period", "2024-25 Q2"]
    assert cli.main([*publish, "--override-incomplete", INCOMPLETE]) == 1
    assert "nothing was published" in capsys.readouterr().err

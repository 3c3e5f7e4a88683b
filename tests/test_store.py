"""Recomputing an area's stored values, with just-loaded rows taken from memory."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt

from carers_impact import db
from etl import load
from etl.pipeline import check_file, identify, submit
from measures.storage import values as store
from tests.files import carers_csv
from tests.public_data import AREA, FILES


def _submit_all(engine) -> None:
    for name, content in FILES:
        result = submit(engine, content, filename=name, submitted_by="tests")
        assert result.status == "accepted", result.report.to_text()


def _spy_on_stored_reads(monkeypatch) -> list[list[int]]:
    """The real reader, recording which submission ids each call reads from the database."""
    calls: list[list[int]] = []
    real = store._stored_rows

    def recording(conn, extract, ids):
        calls.append(list(ids))
        return real(conn, extract, ids)

    monkeypatch.setattr(store, "_stored_rows", recording)
    return calls


def test_rows_just_loaded_are_not_read_back_and_give_the_same_values(engine, monkeypatch):
    _submit_all(engine)  # every extract type, with blanks, dates and whole numbers
    reads = _spy_on_stored_reads(monkeypatch)

    from_memory = store.compute_area(engine, store.load_areas()[AREA])
    assert [ids for ids in reads if ids] == []  # all eight submissions came from memory

    from_database = store.compute_area(engine, store.load_areas()[AREA])
    assert sorted(i for ids in reads for i in ids) == list(range(1, len(FILES) + 1))

    assert len(from_memory) > 100
    pdt.assert_frame_equal(from_memory, from_database)


def test_records_from_memory_and_from_the_database_are_typed_alike(engine):
    _submit_all(engine)
    in_memory = store.load_records(engine, AREA)
    stored = store.load_records(engine, AREA)
    for name in ("carers", "assessments", "breaks", "outcomes"):
        left, right = getattr(in_memory, name), getattr(stored, name)
        assert len(left) > 0
        pdt.assert_frame_equal(left, right)
    assert pd.api.types.is_datetime64_any_dtype(in_memory.carers["date_identified"])
    assert str(in_memory.breaks["nights"].dtype) == "Int64"


def test_a_superseded_submission_kept_in_memory_is_not_used(engine):
    name = "carers_ROT-ASC_2024-25_Q1.csv"
    assert submit(engine, carers_csv(12), filename=name, submitted_by="t").status == "accepted"
    assert submit(engine, carers_csv(20), filename=name, submitted_by="t").status == "accepted"
    store.recompute_area(engine, AREA)
    known = store.read_values(engine, area=AREA, measure_id="known_carers", breakdown="all")
    assert known.set_index("period").loc["2024-25 Q1", "value"] == 20


def test_rows_kept_for_one_database_are_never_used_for_another(engine, tmp_path):
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    db.upgrade(other)
    name = "carers_ROT-ASC_2024-25_Q1.csv"
    # Submission 1 in the other database: 30 carers, kept in memory and never recomputed.
    assert submit(other, carers_csv(30), filename=name, submitted_by="t").submission_id == 1
    # Submission 1 here: 12 carers, stored without offering its rows to the recompute.
    content = carers_csv(12)
    report, key = identify(name)
    rows = check_file(content, key=key, report=report)
    sid, _ = load.load_accepted(
        engine,
        key=key,
        frame=rows,
        filename=name,
        content=content,
        report=report,
        submitted_by="t",
        source="cli",
    )
    assert sid == 1
    store.recompute_area(engine, AREA)
    known = store.read_values(engine, area=AREA, measure_id="known_carers", breakdown="all")
    assert known.set_index("period").loc["2024-25 Q1", "value"] == 12
    other.dispose()


def test_the_oldest_kept_rows_go_first_beyond_the_budget():
    kept = store._LoadedRows(budget=5)
    three = pd.DataFrame({"x": [1, 2, 3]})
    kept.keep(("db", 1, "carers", "a"), three)
    kept.keep(("db", 2, "carers", "b"), three)  # 6 rows: the first entry goes
    kept.keep(("db", 3, "carers", "c"), pd.DataFrame({"x": range(6)}))  # over budget alone
    assert kept.take(("db", 1, "carers", "a")) is None
    assert kept.take(("db", 2, "carers", "b")) is three
    assert kept.take(("db", 2, "carers", "b")) is None  # taken once
    assert kept.take(("db", 3, "carers", "c")) is None

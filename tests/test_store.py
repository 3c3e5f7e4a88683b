"""Recomputing an area's stored values: rows handed over by a load, and the stale mark."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt

from etl.pipeline import check_file, identify, submit
from measures.domain.area_files import load_areas
from measures.storage import values as store
from tests.files import carers_csv, load_without_recompute
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


def _loaded_rows() -> dict[int, pd.DataFrame]:
    """Each test file's checked rows, by the submission id `_submit_all` gives it."""
    rows = {}
    for number, (name, content) in enumerate(FILES, start=1):
        report, key = identify(name)
        rows[number] = check_file(content, key=key, report=report)
    return rows


def test_rows_handed_over_are_not_read_back_and_give_the_same_values(engine, monkeypatch):
    _submit_all(engine)  # every extract type, with blanks, dates and whole numbers
    loaded = _loaded_rows()
    reads = _spy_on_stored_reads(monkeypatch)
    area = load_areas()[AREA]

    handed_over = store.compute_area(engine, area, loaded=loaded)
    assert [ids for ids in reads if ids] == []  # all eight submissions came from `loaded`

    from_database = store.compute_area(engine, area)
    assert sorted(i for ids in reads for i in ids) == list(range(1, len(FILES) + 1))

    assert len(handed_over) > 100
    pdt.assert_frame_equal(handed_over, from_database)


def test_records_handed_over_and_from_the_database_are_typed_alike(engine):
    _submit_all(engine)
    in_memory = store.load_records(engine, AREA, loaded=_loaded_rows())
    stored = store.load_records(engine, AREA)
    for name in ("carers", "assessments", "breaks", "outcomes"):
        left, right = getattr(in_memory, name), getattr(stored, name)
        assert len(left) > 0
        pdt.assert_frame_equal(left, right)
    assert pd.api.types.is_datetime64_any_dtype(in_memory.carers["date_identified"])
    assert str(in_memory.breaks["nights"].dtype) == "Int64"


def test_rows_of_a_superseded_submission_are_not_used(engine):
    name = "carers_ROT-ASC_2024-25_Q1.csv"
    assert submit(engine, carers_csv(12), filename=name, submitted_by="t").status == "accepted"
    stale_rows = {1: _loaded_rows()[1]}  # the first submission's rows, no longer current
    assert submit(engine, carers_csv(20), filename=name, submitted_by="t").status == "accepted"
    store.recompute_area(engine, AREA, loaded=stale_rows)
    known = store.read_values(engine, area=AREA, measure_id="known_carers", breakdown="all")
    assert known.set_index("period").loc["2024-25 Q1", "value"] == 20


def test_a_load_marks_its_area_stale_until_the_recompute_stores_new_values(engine):
    name = "carers_ROT-ASC_2024-25_Q1.csv"
    load_without_recompute(engine, carers_csv(12), name)  # as if killed before recomputing
    assert store.stale_areas(engine) == [AREA]
    assert store.read_values(engine, area=AREA).empty
    assert store.recompute_stale(engine) == [AREA]
    assert store.stale_areas(engine) == []
    known = store.read_values(engine, area=AREA, measure_id="known_carers", breakdown="all")
    assert known.set_index("period").loc["2024-25 Q1", "value"] == 12


def test_a_change_made_while_recomputing_keeps_the_area_stale(engine, monkeypatch):
    name = "carers_ROT-ASC_2024-25_Q1.csv"
    load_without_recompute(engine, carers_csv(12), name)
    real = store.compute_area

    def compute_while_another_file_arrives(the_engine, area, *, loaded=None):
        values = real(the_engine, area, loaded=loaded)
        load_without_recompute(engine, carers_csv(20), "carers_ROT-ASC_2024-25_Q2.csv")
        return values

    monkeypatch.setattr(store, "compute_area", compute_while_another_file_arrives)
    store.recompute_area(engine, AREA)
    assert store.stale_areas(engine) == [AREA]  # the second file is not in the stored values
    monkeypatch.setattr(store, "compute_area", real)
    store.recompute_stale(engine)
    assert store.stale_areas(engine) == []
    periods = set(store.read_values(engine, area=AREA, measure_id="known_carers")["period"])
    assert {"2024-25 Q1", "2024-25 Q2"} <= periods

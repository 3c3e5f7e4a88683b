"""The inbox pass: every file once, and each changed area's measures recomputed once."""

from __future__ import annotations

from etl.inbox import process_inbox
from measures.storage import values as store
from tests.files import carers_csv, load_without_recompute


def test_each_changed_area_is_recomputed_once_after_the_whole_pass(engine, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for org in ("ROT-ASC", "ROT-CC", "ROT-CSC"):
        (inbox / f"carers_{org}_2024-25_Q1.csv").write_bytes(carers_csv(3, prefix=org))
    (inbox / "carers_SOT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    (inbox / "carers_SAN-ASC_2024-25_Q1.csv").write_bytes(b"")  # rejected: no recompute
    recomputed: list[tuple[str, int]] = []
    real = store.write_area

    def recording(the_engine, area_id, frame, **options):
        recomputed.append((area_id, len(store.stale_areas(the_engine))))
        return real(the_engine, area_id, frame, **options)

    monkeypatch.setattr(store, "write_area", recording)
    run = process_inbox(engine, inbox)
    assert [r.status for _, r in run.results].count("accepted") == 4
    assert run.recomputed == ["rotherham", "southampton"]
    assert [area for area, _ in recomputed] == ["rotherham", "southampton"]
    assert recomputed[0][1] == 2  # both areas marked stale until their recompute
    assert store.stale_areas(engine) == []
    known = store.read_values(engine, area="rotherham", measure_id="known_carers", breakdown="all")
    assert known.set_index("period").loc["2024-25 Q1", "value"] == 9


def test_an_area_left_stale_by_a_stopped_process_is_recomputed_by_the_next_pass(engine, tmp_path):
    load_without_recompute(engine, carers_csv(12), "carers_ROT-ASC_2024-25_Q1.csv")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    run = process_inbox(engine, inbox)  # nothing to do but the stale area
    assert run.recomputed == ["rotherham"]
    assert store.stale_areas(engine) == []
    assert not store.read_values(engine, area="rotherham").empty

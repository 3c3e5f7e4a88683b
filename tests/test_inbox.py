"""The inbox pass: every file once, and each changed area's measures recomputed once."""

from __future__ import annotations

from etl.inbox import process_inbox
from tests.files import carers_csv


def test_each_changed_area_is_recomputed_once_after_the_whole_pass(engine, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for org in ("ROT-ASC", "ROT-CC", "ROT-CSC"):
        (inbox / f"carers_{org}_2024-25_Q1.csv").write_bytes(carers_csv(3, prefix=org))
    (inbox / "carers_SOT-ASC_2024-25_Q1.csv").write_bytes(carers_csv(3))
    (inbox / "carers_SAN-ASC_2024-25_Q1.csv").write_bytes(b"")  # rejected: no recompute
    recomputed: list[str] = []

    def record(_engine, area: str) -> None:
        recomputed.append(area)

    run = process_inbox(engine, inbox, on_loaded=record)
    assert [r.status for _, r in run.results].count("accepted") == 4
    assert recomputed == ["rotherham", "southampton"]

"""Small extract files for tests, built the way a council system would write them."""

from __future__ import annotations

import csv
import io

SPEC_MEASURE_IDS = (  # SPEC section 4, in its order
    "known_carers",
    "new_carers",
    "young_carers_known",
    "identification_rate",
    "assessments_completed",
    "assessment_timeliness",
    "carers_assessed_12m",
    "carers_with_break",
    "respite_nights",
    "unplanned_breaks_pct",
    "crqol_score",
    "social_contact_pct",
    "time_for_self_pct",
    "satisfied_pct",
    "info_easy_pct",
    "involved_pct",
    "prepared_pct",
)

CARERS_HEADER = [
    "carer_id",
    "date_identified",
    "age_band",
    "sex",
    "locality",
    "hours_band",
    "date_closed",
]


def csv_bytes(
    header: list[str], rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def carers_csv(
    n: int = 3,
    *,
    prefix: str = "C",
    identified: str = "2024-05-01",
    age_band: str = "25-64",
    extra_rows: list[list[str]] | None = None,
) -> bytes:
    """A valid carers extract for 2024-25 Q1 with n carers."""
    rows = [[f"{prefix}{i:05d}", identified, age_band, "Female", "", "20-49", ""] for i in range(n)]
    return csv_bytes(CARERS_HEADER, rows + (extra_rows or []))


def assessments_csv(n: int = 2) -> bytes:
    header = [
        "assessment_id",
        "carer_id",
        "date_requested",
        "date_completed",
        "assessment_type",
        "outcome",
    ]
    rows = [
        [f"A{i}", f"C{i:05d}", "2024-04-02", "2024-04-20", "new", "support plan"] for i in range(n)
    ]
    return csv_bytes(header, rows)


def load_without_recompute(engine, content: bytes, name: str) -> int:
    """Check and store a file as the pipeline does, but stop before the recompute (a crash)."""
    from etl import load
    from etl.pipeline import check_file, identify

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
    return sid


def rotherham_quarter(quarter: str, *, known: int = 40) -> list[tuple[str, bytes]]:
    """A valid file of every extract Rotherham's configuration expects for a quarter."""
    from carers_impact.periods import Quarter
    from measures.domain.area_files import load_areas

    q = Quarter.parse(quarter)
    start, mid, label = q.start.isoformat(), (q.start.replace(day=20)).isoformat(), q.label
    name = label.replace(" ", "_")
    register = [[f"R{i:05d}", start, "25-64", "Female", "", "20-49", ""] for i in range(known)]
    young = [[f"Y{i:05d}", start, "0-17", "Male", "", "0-19", ""] for i in range(12)]
    assessments = csv_bytes(
        [
            "assessment_id",
            "carer_id",
            "date_requested",
            "date_completed",
            "assessment_type",
            "outcome",
        ],
        [[f"A{i}", f"R{i:05d}", start, mid, "new", "support plan"] for i in range(15)],
    )
    breaks = csv_bytes(
        ["break_id", "carer_id", "start_date", "break_type", "planned", "nights"],
        [[f"B{i}", f"R{i:05d}", mid, "residential respite", "yes", "2"] for i in range(14)],
    )
    qol = [
        "qol_occupation",
        "qol_control",
        "qol_self_care",
        "qol_safety",
        "qol_social",
        "qol_support",
    ]
    outcomes = csv_bytes(
        ["response_id", "carer_id", "response_date", *qol],
        [[f"S{i}", f"R{i:05d}", mid, *(["2"] * 6)] for i in range(20)],
    )
    files = {
        ("ROT-ASC", "carers"): csv_bytes(CARERS_HEADER, register),
        ("ROT-ASC", "assessments"): assessments,
        ("ROT-ASC", "breaks"): breaks,
        ("ROT-CSC", "carers"): csv_bytes(CARERS_HEADER, young),
        ("ROT-CC", "outcomes"): outcomes,
        ("ROT-NHS", "carers"): csv_bytes(CARERS_HEADER, register[:10]),
    }
    expected = load_areas()["rotherham"].expected_extracts(q)
    return [(f"{extract}_{org}_{name}.csv", files[(org, extract)]) for org, extract in expected]

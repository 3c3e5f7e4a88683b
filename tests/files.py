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

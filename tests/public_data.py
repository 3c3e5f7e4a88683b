"""A small database for the public view's tests, built through the real pipeline.

Rotherham has two published quarters a year apart and one later quarter that is
loaded but not published. The published quarters hold small numbers that
disclosure control must hide (3 and 4 young carers, 3 newly identified carers,
a survey question answered by 6 people) and the internal-only measures
(assessment timeliness, nights of respite) are computed for them, so each way
a figure could leak is present in the data.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from carers_impact import db
from etl import publication
from etl.pipeline import submit
from measures.domain.catalogue import load_catalogue
from tests.files import CARERS_HEADER, csv_bytes

INCOMPLETE = "test data: only some of the expected extracts"

AREA = "rotherham"
YEAR_EARLIER = "2023-24 Q1"
LATEST = "2024-25 Q1"
UNPUBLISHED = "2024-25 Q2"
PUBLISHED = (YEAR_EARLIER, LATEST)

OUTCOMES_HEADER = [
    "response_id",
    "carer_id",
    "response_date",
    "qol_occupation",
    "qol_control",
    "qol_self_care",
    "qol_safety",
    "qol_social",
    "qol_support",
    "qol_time_for_self",
    "satisfaction",
    "info_ease",
    "involved",
    "prepared_for_future",
]
ASSESSMENTS_HEADER = [
    "assessment_id",
    "carer_id",
    "date_requested",
    "date_completed",
    "assessment_type",
    "outcome",
]
BREAKS_HEADER = [
    "break_id",
    "carer_id",
    "start_date",
    "end_date",
    "break_type",
    "planned",
    "nights",
]


@dataclass(frozen=True)
class PublicFixture:
    """What the tests need to know about the database they read."""

    full_db: Path  # every table, as the pipeline left it
    public_db: Path  # a copy holding only public_measure_values

    @property
    def public_url(self) -> str:
        return f"sqlite:///{self.public_db}"


def _carers(*, adults: int, young: int, new_adults: int, quarter_start: str) -> bytes:
    rows = []
    for i in range(adults):
        identified = quarter_start if i < new_adults else "2022-01-10"
        locality = "Wentworth North" if i < 2 else "Rotherham North"
        rows.append([f"C{i:05d}", identified, "25-64", "Female", locality, "20-49", ""])
    for i in range(young):
        rows.append([f"Y{i:05d}", quarter_start, "0-17", "Male", "Rotherham South", "0-19", ""])
    return csv_bytes(CARERS_HEADER, rows)


def _assessments(n: int, *, requested: str, completed: str) -> bytes:
    rows = [
        [f"A{i}", f"C{i:05d}", requested if i % 3 else "", completed, "new", "support plan"]
        for i in range(n)
    ]
    return csv_bytes(ASSESSMENTS_HEADER, rows)


def _breaks(n: int, *, start: str) -> bytes:
    rows = [
        [f"B{i}", f"C{i:05d}", start, "", "residential respite", "no" if i == 0 else "yes", "3"]
        for i in range(n)
    ]
    rows[0][-1] = "7"  # 37 nights in all: an exact internal-only total
    return csv_bytes(BREAKS_HEADER, rows)


def _outcomes(n: int, *, day: str, good: int, info_answers: int) -> bytes:
    rows = []
    for i in range(n):
        score = "2" if i < good else "1"
        info = "very easy" if i < info_answers and i % 2 == 0 else ""
        if i < info_answers and i % 2:
            info = "fairly difficult"
        satisfied = "1" if i < good else "4"
        prepared = "yes" if i < good else "no"
        qol = [score, score, "2", "2", score, "1", score]
        rows.append([f"R{i}", f"C{i:05d}", day, *qol, satisfied, info, "usually", prepared])
    return csv_bytes(OUTCOMES_HEADER, rows)


FILES: tuple[tuple[str, bytes], ...] = (
    (
        "carers_ROT-ASC_2023-24_Q1.csv",
        _carers(adults=20, young=3, new_adults=0, quarter_start="2023-05-02"),
    ),
    (
        "assessments_ROT-ASC_2023-24_Q1.csv",
        _assessments(12, requested="2023-04-03", completed="2023-04-20"),
    ),
    ("outcomes_ROT-CC_2023-24_Q1.csv", _outcomes(12, day="2023-05-10", good=3, info_answers=12)),
    (
        "carers_ROT-ASC_2024-25_Q1.csv",
        _carers(adults=40, young=4, new_adults=20, quarter_start="2024-05-01"),
    ),
    (
        "assessments_ROT-ASC_2024-25_Q1.csv",
        _assessments(9, requested="2024-04-02", completed="2024-06-20"),
    ),
    ("breaks_ROT-ASC_2024-25_Q1.csv", _breaks(11, start="2024-05-06")),
    ("outcomes_ROT-CC_2024-25_Q1.csv", _outcomes(15, day="2024-05-10", good=12, info_answers=6)),
    (
        "carers_ROT-ASC_2024-25_Q2.csv",
        _carers(adults=97, young=6, new_adults=50, quarter_start="2024-08-01"),
    ),
)

INTERNAL_ONLY_TITLES = tuple(m.title for m in load_catalogue().values() if not m.public)
INTERNAL_ONLY_IDS = tuple(m.id for m in load_catalogue().values() if not m.public)


def load_and_publish(engine: sa.Engine) -> None:
    """Load every file through the pipeline, then publish the two published quarters."""
    for name, content in FILES:
        result = submit(engine, content, filename=name, submitted_by="tests")
        assert result.status == "accepted", result.report.to_text()
    for period in PUBLISHED:
        publication.publish(
            engine, area=AREA, period=period, by="tests", override_reason=INCOMPLETE
        )


def keep_only_public_tables(source: Path, target: Path) -> None:
    """Copy a database, then drop every table but the public ones (figures and publications).

    The public view pointed at the copy fails if it reads anything else.
    """
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    connection = sqlite3.connect(target)
    try:
        connection.execute("PRAGMA foreign_keys=OFF")
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name in tables:
            if name not in (db.public_measure_values.name, db.public_periods.name):
                connection.execute(f'DROP TABLE "{name}"')
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()


def build_public_fixture(folder: Path) -> PublicFixture:
    """Both databases, in `folder`."""
    full = folder / "full.db"
    engine = db.make_engine(f"sqlite:///{full}")
    try:
        db.upgrade(engine)
        load_and_publish(engine)
    finally:
        engine.dispose()
    public = folder / "public_only.db"
    keep_only_public_tables(full, public)
    return PublicFixture(full_db=full, public_db=public)


_BUILT: dict[str, PublicFixture] = {}


def shared_public_fixture(tmp_path_factory) -> PublicFixture:
    """Build the databases once per test session, however many modules ask for them."""
    if "fixture" not in _BUILT:
        _BUILT["fixture"] = build_public_fixture(tmp_path_factory.mktemp("public_view"))
    return _BUILT["fixture"]

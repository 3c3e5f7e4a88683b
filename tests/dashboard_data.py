"""A small dashboard database built through the real pipeline, and AppTest helpers.

The database is built once per test process (extracts submitted with
`etl.pipeline.submit`, measures recomputed, accounts created) and each test
module gets its own copy, so modules cannot disturb one another.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from carers_impact import accounts, db
from carers_impact.periods import Quarter
from etl.pipeline import submit
from tests.files import CARERS_HEADER, assessments_csv, csv_bytes

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PASSWORD = "a long test password"
USERS = {
    "vera": ("viewer", ()),
    "uma": ("uploader", ("ROT-ASC",)),
    "ada": ("admin", ()),
}
"""username: (role, organisations); every one has PASSWORD."""
ROTHERHAM_QUARTERS = ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4", "2024-25 Q1"]
ROTHERHAM_KNOWN = [40, 44, 47, 52, 55]
"""Carers on ROT-ASC's register at the end of each quarter."""
SOUTHAMPTON_KNOWN = 30

_template: Path | None = None


def carers_file(known: int, quarter: str, *, prefix: str = "C", age_band: str = "25-64") -> bytes:
    """A register snapshot of `known` carers; those past the previous count are new this quarter."""
    q = Quarter.parse(quarter)
    earlier = q.previous().start.isoformat()
    rows = []
    for i in range(known):
        identified = q.start.isoformat() if i >= known - 4 else earlier
        band = "0-17" if i % 10 == 0 else age_band
        sex = "Male" if i % 3 == 0 else "Female"
        rows.append([f"{prefix}{i:05d}", identified, band, sex, "", "20-49", ""])
    return csv_bytes(CARERS_HEADER, rows)


def bad_carers_file() -> bytes:
    """A carers extract with an age band that is not allowed, on file rows 3 and 5."""
    rows = [
        ["B00001", "2024-05-01", "25-64", "Female", "", "20-49", ""],
        ["B00002", "2024-05-01", "25-65", "Female", "", "20-49", ""],
        ["B00003", "2024-05-01", "65+", "Male", "", "0-19", ""],
        ["B00004", "2024-05-01", "25-65", "Male", "", "0-19", ""],
    ]
    return csv_bytes(CARERS_HEADER, rows)


def _load(engine, content: bytes, filename: str, *, by: str = "uma") -> None:
    result = submit(engine, content, filename=filename, submitted_by=by)
    assert result.status == "accepted", result.report.to_text()


def build(path: Path) -> str:
    """Build the database at `path` through the pipeline; returns its URL."""
    url = f"sqlite:///{path}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    for quarter, known in zip(ROTHERHAM_QUARTERS, ROTHERHAM_KNOWN, strict=True):
        name = f"carers_ROT-ASC_{quarter.replace(' ', '_')}.csv"
        _load(engine, carers_file(known, quarter), name)
    _load(engine, assessments_csv(3), "assessments_ROT-ASC_2024-25_Q1.csv")
    _load(
        engine,
        carers_file(SOUTHAMPTON_KNOWN, "2024-25 Q1", prefix="S"),
        "carers_SOT-ASC_2024-25_Q1.csv",
        by="ada",
    )
    rejected = submit(
        engine, bad_carers_file(), filename="carers_ROT-CC_2024-25_Q1.csv", submitted_by="ada"
    )
    assert rejected.status == "rejected"
    for username, (role, organisations) in USERS.items():
        accounts.create_user(
            engine, username, password=PASSWORD, role=role, organisations=organisations
        )
    engine.dispose()
    return url


def database_copy(folder: Path) -> str:
    """A fresh copy of the dashboard database in `folder`; returns its URL."""
    global _template
    if _template is None or not _template.exists():
        template_dir = Path(tempfile.mkdtemp(prefix="dashboard-db-"))
        atexit.register(shutil.rmtree, template_dir, ignore_errors=True)
        build(template_dir / "template.db")
        _template = template_dir / "template.db"
    target = folder / "dashboard.db"
    shutil.copyfile(_template, target)
    return f"sqlite:///{target}"


def dashboard_database(name: str):
    """A module's autouse fixture: a fresh copy of the dashboard database as CARERS_DB_URL."""

    @pytest.fixture(scope="module", autouse=True)
    def database(tmp_path_factory):
        with pytest.MonkeyPatch.context() as patch:
            url = database_copy(tmp_path_factory.mktemp(name))
            patch.setenv("CARERS_DB_URL", url)
            yield url

    return database


def page_table(at: AppTest, css_class: str) -> str:
    """The HTML of the page's table drawn inside the element with `css_class`."""
    return next(
        h.proto.body for h in at.html if css_class in h.proto.body and "<table" in h.proto.body
    )


def table_row(html: str, header: str) -> str:
    """The table row whose row header is `header`."""
    start = html.index(f'<th scope="row">{header}</th>')
    return html[start : html.index("</tr>", start)]


def open_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60)


def as_user(username: str | None, page: str | None = None, **query: str) -> AppTest:
    """The app signed in as `username` (None: not signed in), on `page` with `query`.

    The page is asked for first, as when following a link: the sign-in form
    shows on it, and signing in runs the page itself.
    """
    at = open_app()
    if page is not None:
        at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if username is not None:
        sign_in(at, username)
    return at


def sign_in(at, username: str, password: str = PASSWORD):
    """Fill in and send the sign-in form of an AppTest that shows it."""
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="sign_in_submit").click().run()
    return at


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_read(markdown: str) -> str:
    """Markdown written through `dashboard.text.plain` as a reader sees it: no escapes."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")


def table_as_read(element) -> pd.DataFrame:
    """An AppTest `st.table` (cells written through `plain_table`) as a reader sees it."""
    frame = element.value.copy()
    frame.columns = [as_read(str(c)) for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].map(lambda v: as_read(v) if isinstance(v, str) else v)
    return frame


def texts(at) -> str:
    """Everything an AppTest page wrote as text, as a reader sees it, in one string to search."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "success",
        "info",
        "warning",
        "error",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [e.proto.body for e in at.html]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return as_read("\n".join(parts))

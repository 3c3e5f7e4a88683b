"""The public view's PostgreSQL role reads published, disclosure-controlled figures only."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from carers_impact import db
from carers_impact.public_role import (
    SQL_FILE,
    InvalidRoleName,
    NotPostgres,
    create_public_role,
    drop_public_role,
    role_statements,
)
from measures import public
from tests.conftest import POSTGRES_URL, postgres_engine_in_new_schema
from tests.public_data import AREA, FILES, LATEST, load_and_publish

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "it's 100% secret; really"  # a quote, a percent sign and a semicolon
FORBIDDEN_TABLES = (
    "measure_values",
    "submissions",
    "current_submissions",
    "carers_rows",
    "outcomes_rows",
    "users",
    "published_periods",
    "alembic_version",
)


# -- without a database ----------------------------------------------------------------


def test_the_documented_sql_is_the_shipped_file():
    doc = (ROOT / "docs" / "public-role.md").read_text()
    statements = [
        line
        for line in SQL_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("--")
    ]
    assert statements and all(line in doc for line in statements)


def test_the_role_grants_select_on_the_public_table_only():
    statements = role_statements(role="carers_public", password="x", schema="s", dbname="d")
    grants = [s for s in statements if s.startswith("GRANT")]
    assert grants == [
        'GRANT CONNECT ON DATABASE "d" TO "carers_public"',
        'GRANT USAGE ON SCHEMA "s" TO "carers_public"',
        'GRANT SELECT ON TABLE "s".public_measure_values TO "carers_public"',
        'GRANT SELECT ON TABLE "s".public_periods TO "carers_public"',
    ]
    assert 'ALTER ROLE "carers_public" SET default_transaction_read_only = on' in statements


def test_a_password_is_quoted_as_a_literal():
    statements = role_statements(role="carers_public", password=PASSWORD, schema="s", dbname="d")
    assert "PASSWORD 'it''s 100% secret; really'" in statements[0]


@pytest.mark.parametrize("role", ["Public", "x; DROP TABLE users", "1role", ""])
def test_a_role_name_must_be_a_plain_identifier(role):
    with pytest.raises(InvalidRoleName):
        role_statements(role=role, password="x", schema="s", dbname="d")


def test_sqlite_has_no_roles(sqlite_engine):
    with pytest.raises(NotPostgres, match="PostgreSQL"):
        create_public_role(sqlite_engine, role="carers_public", password="x")


# -- on PostgreSQL ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def owner():
    """A migrated schema with one published quarter (and one that is not), as its owner."""
    if not POSTGRES_URL:
        pytest.skip("CARERS_TEST_POSTGRES_URL is not set")
    engine, cleanup = postgres_engine_in_new_schema()
    try:
        db.upgrade(engine)
        load_and_publish(engine)
        yield engine
    finally:
        cleanup()


@pytest.fixture(scope="module")
def role(owner):
    name = f"carers_public_{uuid.uuid4().hex[:10]}"
    create_public_role(owner, role=name, password=PASSWORD)
    try:
        yield name
    finally:
        drop_public_role(owner, role=name)


@pytest.fixture(scope="module")
def as_role(owner, role):
    """An engine signed in as the public role (search path set by the role itself)."""
    url = make_url(POSTGRES_URL).set(username=role, password=PASSWORD)
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def _refused(engine, statement: str, *, read_write: bool = False) -> str:
    with engine.connect() as conn:
        if read_write:
            conn.exec_driver_sql("SET TRANSACTION READ WRITE")
        with pytest.raises(sa.exc.DBAPIError) as caught:
            conn.exec_driver_sql(statement)
        conn.rollback()
    return str(caught.value.orig)


@pytest.mark.postgres
def test_the_role_reads_the_public_figures(as_role):
    with as_role.connect() as conn:
        user = conn.execute(sa.text("SELECT current_user")).scalar()
        rows = conn.execute(
            sa.text("SELECT measure_id, period, value, suppressed FROM public_measure_values")
        ).all()
    assert user.startswith("carers_public_")
    assert rows
    assert {r.period for r in rows} == {"2023-24 Q1", LATEST}


@pytest.mark.postgres
def test_the_public_views_reads_work_through_the_role(as_role):
    assert public.public_area_ids(as_role) == [AREA]
    figures = public.read_figures(as_role, area=AREA)
    assert public.published_quarters(figures) == ["2023-24 Q1", LATEST]
    known = figures[(figures.measure_id == "known_carers") & (figures.breakdown == "all")]
    assert list(known.sort_values("period")["value"]) == [25.0, 45.0]  # 23 and 44, rounded


@pytest.mark.postgres
@pytest.mark.parametrize("table", FORBIDDEN_TABLES)
def test_the_role_cannot_read_any_other_table(as_role, table):
    assert "permission denied" in _refused(as_role, f"SELECT * FROM {table} LIMIT 1")


@pytest.mark.postgres
def test_exact_figures_of_published_quarters_stay_out_of_reach(owner, as_role):
    with owner.connect() as conn:
        exact = conn.execute(
            sa.text(
                "SELECT value FROM measure_values WHERE measure_id = 'known_carers' "
                "AND breakdown = 'all' AND period = :p"
            ),
            {"p": LATEST},
        ).scalar()
    assert exact == 44
    with as_role.connect() as conn:
        values = conn.execute(
            sa.text(
                "SELECT value FROM public_measure_values WHERE measure_id = 'known_carers' "
                "AND breakdown = 'all' AND period = :p"
            ),
            {"p": LATEST},
        ).scalars()
        assert list(values) == [45]
        measures = set(
            conn.execute(sa.text("SELECT DISTINCT measure_id FROM public_measure_values")).scalars()
        )
    assert not measures & {"assessment_timeliness", "respite_nights"}


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO public_measure_values (area, measure_id, period, breakdown, breakdown_value,"
        " unit, value, suppressed, published_at) VALUES ('x', 'x', 'x', 'all', 'all', 'count', 1,"
        " false, now())",
        "UPDATE public_measure_values SET value = 0",
        "DELETE FROM public_measure_values",
        "DELETE FROM submissions",
        "UPDATE users SET role = 'admin'",
        "INSERT INTO published_periods VALUES ('rotherham', '2024-25 Q2', now(), 'x')",
    ],
)
def test_the_role_cannot_write(as_role, statement):
    assert "read-only transaction" in _refused(as_role, statement)
    # Even in a transaction switched to read-write, the privilege is missing.
    assert "permission denied" in _refused(as_role, statement, read_write=True)


@pytest.mark.postgres
def test_the_role_cannot_create_tables(as_role):
    refused = _refused(as_role, "CREATE TABLE leak (x int)", read_write=True)
    assert "permission denied" in refused


@pytest.mark.postgres
def test_tables_created_later_are_not_readable(owner, as_role):
    with owner.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE added_later (secret text)")
        conn.exec_driver_sql("INSERT INTO added_later VALUES ('exact figures')")
    assert "permission denied" in _refused(as_role, "SELECT * FROM added_later")


@pytest.mark.postgres
def test_the_test_data_has_an_unpublished_quarter(owner):
    """The checks above would prove little if nothing were held back."""
    with owner.connect() as conn:
        periods = set(conn.execute(sa.text("SELECT DISTINCT period FROM measure_values")).scalars())
    assert "2024-25 Q2" in periods and len(FILES) > 2

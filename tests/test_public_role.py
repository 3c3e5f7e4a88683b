"""The public view's PostgreSQL role reads published, disclosure-controlled figures only."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from carers_impact import db
from carers_impact.public_role import (
    PUBLIC_TABLES,
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


def _statements(**overrides) -> list[str]:
    values = {"role": "carers_public", "password": "x", "schema": "s", "dbname": "d", "owner": "o"}
    return role_statements(**(values | overrides))


def test_the_documented_sql_is_the_shipped_file():
    doc = (ROOT / "docs" / "public-role.md").read_text()
    statements = [
        line
        for line in SQL_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("--")
    ]
    assert statements and all(line in doc for line in statements)


def test_the_role_grants_select_on_the_public_tables_only():
    grants = [s for s in _statements() if s.startswith("GRANT")]
    assert grants == [
        'GRANT CONNECT ON DATABASE "d" TO "carers_public"',
        'GRANT TEMPORARY ON DATABASE "d" TO "o"',
        'GRANT USAGE ON SCHEMA "s" TO "carers_public"',
        'GRANT SELECT ON TABLE "s"."public_measure_values", "s"."public_periods" '
        'TO "carers_public"',
    ]
    assert 'ALTER ROLE "carers_public" SET default_transaction_read_only = on' in _statements()


def test_the_documented_psql_command_lists_the_public_tables():
    doc = (ROOT / "docs" / "public-role.md").read_text()
    assert f"-v tables={','.join(f'public.{t}' for t in PUBLIC_TABLES)}" in doc


def test_a_password_is_quoted_as_a_literal():
    assert "PASSWORD 'it''s 100% secret; really'" in _statements(password=PASSWORD)[0]


def test_blocks_with_semicolons_stay_whole():
    blocks = [s for s in _statements() if s.startswith("DO $$")]
    assert len(blocks) == 2 and all(b.endswith("$$") for b in blocks)
    assert "current_setting('carers.public_role')" in blocks[0]


def test_the_connection_limit_is_filled_in():
    assert _statements(connection_limit=3)[0].endswith("CONNECTION LIMIT 3")
    with pytest.raises(ValueError, match="connection_limit"):
        _statements(connection_limit="3; DROP TABLE users")


@pytest.mark.parametrize("role", ["Public", "x; DROP TABLE users", "1role", ""])
def test_a_role_name_must_be_a_plain_identifier(role):
    with pytest.raises(InvalidRoleName):
        _statements(role=role)


def test_sqlite_has_no_roles(sqlite_engine):
    with pytest.raises(NotPostgres, match="PostgreSQL"):
        create_public_role(sqlite_engine, role="carers_public", password="x")


# -- on PostgreSQL ---------------------------------------------------------------------

CONNECTION_LIMIT = 3
_GUARD_LOCK = 7_310_013  # one holder at a time of the cluster-wide privileges below
_ACLS = """
    SELECT 'pg_database', oid, 0, datacl::text FROM pg_database
    UNION ALL
    SELECT 'pg_class', oid, 0, relacl::text FROM pg_class
    WHERE relnamespace = 'pg_catalog'::regnamespace
    UNION ALL
    SELECT 'pg_proc', oid, 0, proacl::text FROM pg_proc
    WHERE pronamespace = 'pg_catalog'::regnamespace
    UNION ALL
    SELECT 'pg_attribute', attrelid, attnum, attacl::text FROM pg_attribute
    WHERE attrelid = 'pg_catalog.pg_class'::regclass AND attnum > 0
"""
_RESTORE = {
    "pg_database": "UPDATE pg_database SET datacl = CAST(:acl AS aclitem[]) WHERE oid = :oid",
    "pg_class": "UPDATE pg_class SET relacl = CAST(:acl AS aclitem[]) WHERE oid = :oid",
    "pg_proc": "UPDATE pg_proc SET proacl = CAST(:acl AS aclitem[]) WHERE oid = :oid",
    "pg_attribute": "UPDATE pg_attribute SET attacl = CAST(:acl AS aclitem[]) "
    "WHERE attrelid = :oid AND attnum = :attnum",
}


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
def cluster(owner):
    """The shared test cluster's privileges, put back exactly as they were afterwards.

    Making the role takes CONNECT on the other databases, TEMPORARY on this one and
    the statistics views and functions from PUBLIC. Others use the same cluster, so
    one test process at a time holds them (an advisory lock) and every privilege
    list it touched is restored when the module ends.
    """
    admin = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    holder = admin.connect()
    holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _GUARD_LOCK})
    holder.commit()
    before = {(t, o, n): acl for t, o, n, acl in holder.execute(sa.text(_ACLS)).all()}
    holder.commit()
    try:
        yield
    finally:
        try:
            after = {(t, o, n): acl for t, o, n, acl in holder.execute(sa.text(_ACLS)).all()}
            holder.commit()
            with holder.begin():
                for (table, oid, attnum), acl in before.items():
                    if after.get((table, oid, attnum), acl) != acl:
                        holder.execute(
                            sa.text(_RESTORE[table]), {"acl": acl, "oid": oid, "attnum": attnum}
                        )
        finally:
            holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _GUARD_LOCK})
            holder.commit()
            holder.close()
            admin.dispose()


@pytest.fixture(scope="module")
def role(owner, cluster):
    name = f"carers_public_{uuid.uuid4().hex[:10]}"
    create_public_role(owner, role=name, password=PASSWORD, connection_limit=CONNECTION_LIMIT)
    try:
        yield name
    finally:
        drop_public_role(owner, role=name)


def _role_url(role: str, database: str | None = None):
    url = make_url(POSTGRES_URL).set(username=role, password=PASSWORD)
    return url.set(database=database) if database else url


@pytest.fixture(scope="module")
def as_role(owner, role):
    """An engine signed in as the public role (search path set by the role itself)."""
    engine = sa.create_engine(_role_url(role), poolclass=sa.pool.NullPool)
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
@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE leak (x int)",
        "CREATE TEMP TABLE leak (x int)",
        "CREATE TEMP VIEW leak AS SELECT 1 AS x",
        "CREATE TEMP SEQUENCE leak",
        "CREATE FUNCTION pg_temp.leak() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE SCHEMA leak",
        "SELECT lo_create(0)",
        "SELECT lo_from_bytea(0, 'exact figures')",
    ],
)
def test_the_role_cannot_create_anything_even_temporary(as_role, statement):
    """Not in a read-write transaction either: the privileges themselves are missing."""
    assert "permission denied" in _refused(as_role, statement, read_write=True)


@pytest.mark.postgres
def test_lifting_its_own_limits_leaves_nothing_to_write(as_role):
    """The attack as tried: no timeout, a read-write transaction, a temporary table."""
    with as_role.connect() as conn:
        conn.exec_driver_sql("SET statement_timeout = 0")
        conn.exec_driver_sql("SET default_transaction_read_only = off")
        conn.exec_driver_sql("SET TRANSACTION READ WRITE")
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.exec_driver_sql("CREATE TEMP TABLE stash AS SELECT * FROM public_measure_values")
        conn.rollback()


@pytest.mark.postgres
def test_what_the_role_can_change_for_itself_is_documented(as_role):
    """PostgreSQL lets any role change these for its own session; the guide says so."""
    with as_role.connect() as conn:
        for setting in ("statement_timeout", "default_transaction_read_only", "work_mem"):
            conn.exec_driver_sql(f"SET {setting} = DEFAULT")
        conn.exec_driver_sql("SET statement_timeout = 0")
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    doc = (ROOT / "docs" / "public-role.md").read_text()
    section = doc[doc.index("## What PostgreSQL cannot enforce") :]
    for setting in ("statement_timeout", "default_transaction_read_only", "work_mem"):
        assert f"`{setting}`" in section


@pytest.mark.postgres
def test_the_role_connects_to_its_own_database_only(owner, as_role, role):
    with owner.connect() as conn:
        others = list(
            conn.execute(
                sa.text(
                    "SELECT datname FROM pg_database "
                    "WHERE datallowconn AND datname <> current_database()"
                )
            ).scalars()
        )
    assert "postgres" in others
    for database in others:
        engine = sa.create_engine(_role_url(role, database), poolclass=sa.pool.NullPool)
        with pytest.raises(sa.exc.OperationalError, match="permission denied for database"):
            engine.connect()
        engine.dispose()
    with as_role.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    [
        "SELECT relname, n_live_tup, n_tup_ins FROM pg_stat_user_tables",
        "SELECT relname, n_tup_ins FROM pg_stat_all_tables",
        "SELECT relname, n_tup_ins FROM pg_stat_xact_user_tables",
        "SELECT relname, heap_blks_read FROM pg_statio_user_tables",
        "SELECT tup_inserted FROM pg_stat_database",
        "SELECT pg_stat_get_live_tuples('carers_rows'::regclass)",
        "SELECT pg_stat_get_tuples_inserted('submissions'::regclass)",
        "SELECT pg_relation_size('carers_rows')",
        "SELECT pg_total_relation_size('users')",
        "SELECT pg_database_size(current_database())",
        "SELECT relname, reltuples FROM pg_class",
        "SELECT relpages FROM pg_class WHERE relname = 'carers_rows'",
    ],
)
def test_the_role_sees_no_table_statistics(as_role, query):
    assert "permission denied" in _refused(as_role, query)


@pytest.mark.postgres
def test_the_role_still_looks_up_names_in_the_catalogue(as_role):
    """Client libraries read pg_class's names; only the statistics columns are closed."""
    with as_role.connect() as conn:
        names = set(
            conn.execute(
                sa.text(
                    "SELECT relname FROM pg_class "
                    "WHERE relnamespace = current_schema()::regnamespace"
                )
            ).scalars()
        )
    assert set(PUBLIC_TABLES) <= names


@pytest.mark.postgres
def test_the_role_has_a_capped_number_of_connections(as_role, role):
    import psycopg

    url = _role_url(role)
    dsn = {
        "host": url.host,
        "port": url.port,
        "dbname": url.database,
        "user": url.username,
        "password": url.password,
    }
    connections = []
    try:
        for _ in range(CONNECTION_LIMIT):
            connections.append(psycopg.connect(**dsn))
        with pytest.raises(psycopg.OperationalError, match="too many connections for role"):
            connections.append(psycopg.connect(**dsn))
    finally:
        for connection in connections:
            connection.close()


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

"""The schema comes from the migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlalchemy as sa

from carers_impact import db


def test_migrations_create_every_table(engine):
    tables = set(sa.inspect(engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert db.current_revision(engine) is not None


def test_schema_from_migrations_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_upgrading_a_database_from_the_first_release_keeps_its_data(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0001")
    assert "users" not in sa.inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(db.published_periods).values(
                area="rotherham",
                period="2024-25 Q1",
                published_at=sa.func.now(),
                published_by="admin",
            )
        )
    db.upgrade(engine)
    assert "users" in sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(db.published_periods.c.period)).scalars().all()
    assert rows == ["2024-25 Q1"]
    db.upgrade(engine)  # upgrading an up-to-date database changes nothing
    assert db.current_revision(engine) == db.head_revision()


def _content_compression(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'submissions'::regclass AND attname = 'content'"
            )
        ).scalar_one()


def test_postgresql_compresses_stored_files_with_lz4():
    from alembic import command

    from tests.conftest import postgres_engine_in_new_schema

    engine, cleanup = postgres_engine_in_new_schema()
    try:
        db.upgrade(engine)
        assert _content_compression(engine) == "l"  # lz4: faster than pglz on large files
        command.downgrade(db.alembic_config(engine), "0003")
        assert _content_compression(engine) == ""  # the server's default again
    finally:
        cleanup()

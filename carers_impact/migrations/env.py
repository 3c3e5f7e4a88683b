"""Alembic environment: migrations run on the engine handed in by `db.upgrade`."""

from alembic import context

from carers_impact import db

config = context.config
engine = config.attributes.get("engine") or db.make_engine()


def _include_object(obj, name, type_, reflected, compare_to):
    # APScheduler manages its own job-store table.
    return not (type_ == "table" and name.startswith("apscheduler"))


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

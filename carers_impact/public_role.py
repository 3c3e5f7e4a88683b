"""The PostgreSQL role the public view connects as: it may read public figures, nothing more.

The SQL lives in ``carers_impact/sql/public_role.sql`` (see ``docs/public-role.md``),
written with psql variables (``:"role"``, ``:'password'``, ``:"schema"``,
``:"dbname"``) so an administrator can run it with psql; this module runs the
same file from Python, quoting each value for PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact.errors import UserError

SQL_FILE = Path(__file__).resolve().parent / "sql" / "public_role.sql"

_ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_IDENTIFIER = re.compile(r':"(\w+)"')
_LITERAL = re.compile(r":'(\w+)'")


class InvalidRoleName(UserError, ValueError):
    """A role name that is not lower-case letters, digits and underscores."""


class NotPostgres(UserError, ValueError):
    """Database roles exist only on PostgreSQL; SQLite has no users."""


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a password cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


def role_statements(*, role: str, password: str, schema: str, dbname: str) -> list[str]:
    """The statements of the SQL file with its variables filled in, one per item."""
    if not _ROLE_RE.match(role):
        raise InvalidRoleName(
            f"{role!r} is not a role name to use here; use lower-case letters, digits "
            "and underscores, starting with a letter, e.g. carers_public"
        )
    identifiers = {"role": role, "schema": schema, "dbname": dbname}
    literals = {"password": password}
    lines = [
        line for line in SQL_FILE.read_text().splitlines() if not line.lstrip().startswith("--")
    ]
    # Split the template, not the filled-in text: a password may hold a semicolon.
    templates = [t.strip() for t in "\n".join(lines).split(";") if t.strip()]
    return [
        _LITERAL.sub(
            lambda m: _quote_literal(literals[m[1]]),
            _IDENTIFIER.sub(lambda m: _quote_identifier(identifiers[m[1]]), template),
        )
        for template in templates
    ]


def create_public_role(
    engine: Engine, *, role: str, password: str, schema: str | None = None
) -> None:
    """Create the public view's read-only login role, in one transaction.

    Run as the owner of the tables. `schema` defaults to the connection's current
    schema, where the migrations created the tables.
    """
    if engine.dialect.name != "postgresql":
        raise NotPostgres(
            f"the public role is a PostgreSQL role; this database is {engine.dialect.name}"
        )
    with engine.begin() as conn:
        current_schema, dbname = conn.execute(
            sa.text("SELECT current_schema(), current_database()")
        ).one()
        statements = role_statements(
            role=role, password=password, schema=schema or current_schema, dbname=dbname
        )
        # Straight to the driver without parameters, so a % in the password is just a %.
        cursor = conn.connection.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()


def drop_public_role(engine: Engine, *, role: str) -> None:
    """Remove the role and every privilege it holds in this database."""
    if not _ROLE_RE.match(role):
        raise InvalidRoleName(f"{role!r} is not a role name created here")
    quoted = _quote_identifier(role)
    with engine.begin() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if exists:
            conn.exec_driver_sql(f"DROP OWNED BY {quoted}")
            conn.exec_driver_sql(f"DROP ROLE {quoted}")

"""The PostgreSQL role the public view connects as: it may read public figures, nothing more.

The SQL lives in ``carers_impact/sql/public_role.sql`` (see ``docs/public-role.md``),
written with psql variables (``:"role"``, ``:'password'``, ``:"schema"``, ...) so
an administrator can run it with psql; this module runs the same file from
Python, quoting each value for PostgreSQL. ``PUBLIC_TABLES`` is the one list of
tables the role may read.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from carers_impact.errors import UserError

SQL_FILE = Path(__file__).resolve().parent / "sql" / "public_role.sql"

PUBLIC_TABLES: tuple[str, ...] = ("public_measure_values", "public_periods")
"""The tables the public view reads, and so the only ones its role may read."""

DEFAULT_CONNECTION_LIMIT = 20

_ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_IDENTIFIER = re.compile(r':"(\w+)"')
_LITERAL = re.compile(r":'(\w+)'")
_VERBATIM = re.compile(r"(?<![:\w]):(tables|connection_limit)\b")
_DOLLAR_QUOTE = re.compile(r"\$\$.*?\$\$", re.DOTALL)


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


def _check_role(role: str) -> str:
    if not _ROLE_RE.match(role):
        raise InvalidRoleName(
            f"{role!r} is not a role name to use here; use lower-case letters, digits "
            "and underscores, starting with a letter, e.g. carers_public"
        )
    return role


def _templates() -> list[str]:
    """The file's statements, unfilled: split on semicolons outside $$-quoted blocks.

    The template is split, not the filled-in text: a password may hold a semicolon.
    """
    lines = [
        line for line in SQL_FILE.read_text().splitlines() if not line.lstrip().startswith("--")
    ]
    text = "\n".join(lines)
    blocks = {}

    def hold(match: re.Match) -> str:
        blocks[f"\x00{len(blocks)}\x00"] = match[0]
        return f"\x00{len(blocks) - 1}\x00"

    held = _DOLLAR_QUOTE.sub(hold, text)
    statements = [t.strip() for t in held.split(";") if t.strip()]
    for key, block in blocks.items():
        statements = [s.replace(key, block) for s in statements]
    return statements


def role_statements(
    *,
    role: str,
    password: str,
    schema: str,
    dbname: str,
    owner: str,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
) -> list[str]:
    """The statements of the SQL file with its variables filled in, one per item."""
    _check_role(role)
    if not isinstance(connection_limit, int) or connection_limit < 1:
        raise ValueError(
            f"connection_limit must be a whole number above 0, not {connection_limit!r}"
        )
    identifiers = {"role": role, "schema": schema, "dbname": dbname, "owner": owner}
    literals = {"password": password, "role": role, "owner": owner}
    verbatim = {
        "tables": ", ".join(
            f"{_quote_identifier(schema)}.{_quote_identifier(t)}" for t in PUBLIC_TABLES
        ),
        "connection_limit": str(connection_limit),
    }
    return [
        _VERBATIM.sub(
            lambda m: verbatim[m[1]],
            _LITERAL.sub(
                lambda m: _quote_literal(literals[m[1]]),
                _IDENTIFIER.sub(lambda m: _quote_identifier(identifiers[m[1]]), template),
            ),
        )
        for template in _templates()
    ]


def create_public_role(
    engine: Engine,
    *,
    role: str,
    password: str,
    schema: str | None = None,
    owner: str | None = None,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
) -> None:
    """Create the public view's read-only login role, in one transaction.

    Run as a superuser connected to the product's database. `schema` defaults to
    the connection's current schema, where the migrations created the tables;
    `owner` to the role that owns those tables (it keeps what PUBLIC loses).
    """
    if engine.dialect.name != "postgresql":
        raise NotPostgres(
            f"the public role is a PostgreSQL role; this database is {engine.dialect.name}"
        )
    with engine.begin() as conn:
        current_schema, dbname = conn.execute(
            sa.text("SELECT current_schema(), current_database()")
        ).one()
        schema = schema or current_schema
        if owner is None:
            owner = conn.execute(
                sa.text(
                    "SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = :t"
                ),
                {"s": schema, "t": PUBLIC_TABLES[0]},
            ).scalar()
        if owner is None:
            raise LookupError(
                f"there is no table {PUBLIC_TABLES[0]} in schema {schema!r}; run "
                "`carers-impact db-upgrade` first, or name the schema"
            )
        statements = role_statements(
            role=role,
            password=password,
            schema=schema,
            dbname=dbname,
            owner=owner,
            connection_limit=connection_limit,
        )
        # Straight to the driver without parameters, so a % in the password is just a %.
        cursor = conn.connection.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()


def drop_public_role(engine: Engine, *, role: str) -> None:
    """Remove the role and every privilege it holds (in this database and on databases)."""
    quoted = _quote_identifier(_check_role(role))
    with engine.begin() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if exists:
            conn.exec_driver_sql(f"DROP OWNED BY {quoted}")
            conn.exec_driver_sql(f"DROP ROLE {quoted}")

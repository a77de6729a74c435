"""INSERT … ON CONFLICT for the database in use. PostgreSQL's construct is imported only on
PostgreSQL: its dialect package loads every PostgreSQL driver's module, a tenth of a second of a
start that SQLite never needs."""

from __future__ import annotations

from typing import Any

from storage.db import Executor, dialect_name


def insert(session: Executor, table: Any) -> Any:
    """An INSERT into `table` that can take ON CONFLICT, in the session's dialect."""
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)

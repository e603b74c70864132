"""The project's DuckDB file: creation, the single-writer lock, and small catalog queries."""

from __future__ import annotations

import re
from pathlib import Path

from sbdk.errors import SbdkError

RAW_SCHEMA = "raw"
RAW_TABLES = ("raw_users", "raw_events", "raw_orders")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def lock_error_message(path: Path, error: BaseException | str) -> str | None:
    """A readable message if `error` is DuckDB refusing a file another process holds."""
    text = str(error)
    if "Could not set lock" not in text and "Conflicting lock" not in text:
        return None
    holder = _LOCK_HOLDER.search(text)
    who = f"{holder['program']} (PID {holder['pid']})" if holder else "another process"
    return (
        f"the warehouse {path} is locked by {who}; close that program "
        "(a DuckDB shell, notebook or BI tool) or open it read-only, then retry"
    )


def connect(path: Path, read_only: bool = False):
    """Open the warehouse, turning DuckDB's lock error into a one-line SbdkError."""
    import duckdb

    if read_only and not path.exists():
        raise SbdkError(f"no warehouse at {path}: run `sbdk run` first")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as error:
        message = lock_error_message(path, error)
        if message:
            raise SbdkError(message) from None
        raise SbdkError(f"cannot open the warehouse {path}: {error}") from None


def create_warehouse(path: Path) -> None:
    """Create the DuckDB file with its `raw` schema (idempotent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as connection:
        connection.execute(f"create schema if not exists {RAW_SCHEMA}")


def ensure_writable(path: Path) -> None:
    """Fail early, before minutes of work, if another process holds the warehouse."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connect(path).close()


def raw_row_counts(path: Path) -> dict[str, int]:
    with connect(path, read_only=True) as connection:
        present = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [RAW_SCHEMA],
            ).fetchall()
        }
        missing = [t for t in RAW_TABLES if t not in present]
        if missing:
            raise SbdkError(
                f"the warehouse has no {RAW_SCHEMA}.{missing[0]} yet: run `sbdk run` first "
                "(without --skip-generate) to load data"
            )
        return {
            table: connection.execute(f"select count(*) from {RAW_SCHEMA}.{table}").fetchone()[0]
            for table in RAW_TABLES
        }

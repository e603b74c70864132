"""Per-stream cursors, kept in the warehouse next to the data they describe.

A cursor is the key (path below the stream's folder) of the last landed file whose batch was
processed successfully. Files sort by partition (year=/month=/day=) and then name, so every
file after the cursor is new.
"""

from __future__ import annotations

from pathlib import Path

from sbdk import warehouse

STATE_SCHEMA = "sbdk_state"
CURSOR_TABLE = f"{STATE_SCHEMA}.stream_cursors"


def _ensure_table(connection) -> None:
    connection.execute(f"create schema if not exists {STATE_SCHEMA}")
    connection.execute(
        f"""
        create table if not exists {CURSOR_TABLE} (
            stream varchar primary key,
            last_file varchar not null,
            files_processed bigint not null,
            updated_at timestamp not null,
            -- true from a processed batch until the models downstream are rebuilt
            downstream_pending boolean not null
        )
        """
    )


def read_cursors(path: Path) -> dict[str, str]:
    with warehouse.connect(path) as connection:
        _ensure_table(connection)
        return dict(connection.execute(f"select stream, last_file from {CURSOR_TABLE}").fetchall())


def peek_cursors(path: Path) -> dict[str, str]:
    """The cursors, read without taking the warehouse's write lock: for pollers (sensors)
    that must neither block nor be blocked by someone reading the warehouse."""
    with warehouse.connect(path, read_only=True) as connection:
        (exists,) = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema || '.' || table_name = ?",
            [CURSOR_TABLE],
        ).fetchone()
        if not exists:
            return {}
        return dict(connection.execute(f"select stream, last_file from {CURSOR_TABLE}").fetchall())


def advance_cursor(path: Path, stream: str, last_file: str, files: int) -> None:
    """Record that every file up to `last_file` has been processed."""
    with warehouse.connect(path) as connection:
        _ensure_table(connection)
        connection.execute(
            f"""
            insert into {CURSOR_TABLE} values (?, ?, ?, now()::timestamp, true)
            on conflict (stream) do update set
                last_file = excluded.last_file,
                files_processed = {CURSOR_TABLE}.files_processed + excluded.files_processed,
                updated_at = excluded.updated_at,
                downstream_pending = true
            """,
            [stream, last_file, files],
        )


def drop_tables(path: Path, tables: list[str]) -> None:
    with warehouse.writing(path) as connection:
        for table in tables:
            connection.execute(f"drop table if exists {table}")


def publish_refresh(
    path: Path, swaps: dict[str, str], positions: dict[str, tuple[str, int]]
) -> None:
    """In one transaction: replace each table by its rebuilt copy (`schema.copy` -> `name`,
    in the same schema) and set every cursor to where the rebuild stopped. A stream missing
    from `positions` had no file: its cursor is removed."""
    with warehouse.writing(path) as connection:
        _ensure_table(connection)
        connection.execute("begin")
        for copy, name in swaps.items():
            schema = copy.split(".", 1)[0]
            connection.execute(f"drop table if exists {schema}.{name}")
            connection.execute(f"alter table {copy} rename to {name}")
        connection.execute(f"delete from {CURSOR_TABLE}")
        connection.executemany(
            f"insert into {CURSOR_TABLE} values (?, ?, ?, now()::timestamp, true)",
            [[stream, key, files] for stream, (key, files) in positions.items()],
        )
        connection.execute("commit")


def pending_downstream(path: Path) -> list[str]:
    """Streams whose processed data is newer than the models built from it."""
    with warehouse.connect(path) as connection:
        _ensure_table(connection)
        rows = connection.execute(
            f"select stream from {CURSOR_TABLE} where downstream_pending order by stream"
        ).fetchall()
        return [stream for (stream,) in rows]


def clear_pending_downstream(path: Path, streams: list[str]) -> None:
    with warehouse.connect(path) as connection:
        _ensure_table(connection)
        connection.execute(
            f"update {CURSOR_TABLE} set downstream_pending = false where list_contains(?, stream)",
            [streams],
        )

"""The mode (full or incremental) the warehouse's models were last built in, kept in the
warehouse itself.

The two modes build the same models from different inputs (the raw tables, or the processed
ones) and test them differently (cross-stream tests warn in incremental mode), and the mode of
a run can come from a flag rather than from sbdk.toml. So `sbdk test` asks the warehouse,
not the configuration, which mode its models are in. Every run that builds models records
its mode before dbt starts: a build stopped half-way has already replaced models.
"""

from __future__ import annotations

from pathlib import Path

from sbdk import warehouse
from sbdk.errors import SbdkError
from sbdk.incremental.cursors import STATE_SCHEMA

FULL, INCREMENTAL = "full", "incremental"
MODES = (FULL, INCREMENTAL)
BUILD_TABLE = f"{STATE_SCHEMA}.warehouse_build"


def record_built_mode(path: Path, mode: str, run_id: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    with warehouse.connect(path) as connection:
        connection.execute(f"create schema if not exists {STATE_SCHEMA}")
        connection.execute(
            f"create table if not exists {BUILD_TABLE} "
            "(mode varchar not null, run_id varchar not null, built_at timestamp not null)"
        )
        connection.execute("begin")
        connection.execute(f"delete from {BUILD_TABLE}")
        connection.execute(
            f"insert into {BUILD_TABLE} values (?, ?, now()::timestamp)", [mode, run_id]
        )
        connection.execute("commit")


def built_mode(path: Path) -> str | None:
    """The mode recorded by the last build, None if no build was recorded; read-only, and
    never creates a warehouse (a missing one is an SbdkError saying to run `sbdk run`)."""
    with warehouse.connect(path, read_only=True) as connection:
        (exists,) = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema || '.' || table_name = ?",
            [BUILD_TABLE],
        ).fetchone()
        if not exists:
            return None
        row = connection.execute(f"select mode from {BUILD_TABLE}").fetchone()
        return row[0] if row else None


def mode_to_test(path: Path, asked: str | None) -> str:
    """The mode `sbdk test` runs in: the one the warehouse was last built in. `asked` (a
    flag) must agree with it: testing models of one mode as the other fails on correct data."""
    built = built_mode(path)
    if built is None:
        raise SbdkError(f"the warehouse {path} has no models built yet: run `sbdk run` first")
    if asked is not None and asked != built:
        raise SbdkError(
            f"the warehouse was last built in {built} mode, so its models cannot be tested in "
            f"{asked} mode: run `sbdk run --{asked}` first, or test without --{asked}"
        )
    return built

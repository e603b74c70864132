"""Failing rows of data tests, stored only for the tests that fail.

dbt's `store_failures` makes every test write its rows to a table on every run: ~20 ms of
dbt work per test, and ~150 empty tables for a run where everything passes. Instead the
tests run without storing anything, and the ones that failed or warned run a second time
with `--store-failures`, so `test_failures.<test>` holds their rows exactly as dbt stores
them. A test that passes has its table from an earlier failure dropped: the schema never
shows rows of a problem that is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from sbdk import warehouse
from sbdk.statuses import NODE_WITH_ROWS
from sbdk.transform import DbtResult


def store(
    result: DbtResult,
    rerun_storing: Callable[[Sequence[str]], DbtResult],
    warehouse_path: Path,
) -> DbtResult:
    """`result` of a `dbt test` with the failing rows of its failed tests stored (through
    `rerun_storing`, which runs the tests named with `--store-failures`) and the tables of
    its passed tests dropped."""
    if result.error:
        return result
    # Only data tests have a failures_table: a unit test's rows are not stored.
    failing = [n for n in result.nodes if n.failures_table and n.status in NODE_WITH_ROWS]
    stored: dict[str, str] = {}
    if failing:
        rerun = rerun_storing([node.name for node in failing])
        stored = {
            node.unique_id: node.failures_table
            for node in rerun.nodes
            if node.failures_table and node.status in NODE_WITH_ROWS
        }
    drop_tables(
        warehouse_path, [n.failures_table for n in result.nodes if n.failures_table and n.ok]
    )
    nodes = [
        replace(node, failures_relation=stored[node.unique_id])
        if node.unique_id in stored
        else node
        for node in result.nodes
    ]
    return replace(result, nodes=nodes)


def drop_tables(warehouse_path: Path, tables: Sequence[str]) -> None:
    """Drop those of `tables` (`schema.name`) that exist."""
    if not tables or not warehouse_path.exists():
        return
    wanted = {tuple(table.split(".", 1)) for table in tables}
    schemas = sorted({schema for schema, _ in wanted})
    with warehouse.writing(warehouse_path) as connection:
        existing = connection.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)})",
            schemas,
        ).fetchall()
        for schema, name, kind in existing:
            if (schema, name) in wanted:
                noun = "view" if kind == "VIEW" else "table"
                connection.execute(f'drop {noun} if exists "{schema}"."{name}"')

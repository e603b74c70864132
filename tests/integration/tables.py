"""What a warehouse holds, table by table, for comparing two projects or two versions of sbdk.

`snapshot` reads every row (sorted) of every table and view of some schemas; `fingerprints`
reduces each to (rows, an order-independent hash) inside DuckDB; `digests` turns a snapshot
into (rows, MD5 of the rows' Python values), stable across processes and DuckDB versions, for
the committed digests of tests/integration/golden/.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

MODEL_SCHEMAS = ("staging", "intermediate", "marts", "analytics")
ALL_SCHEMAS = ("raw", "processed", *MODEL_SCHEMAS)
INCREMENTAL_SCHEMAS = ("processed", *MODEL_SCHEMAS)  # what incremental runs build
# Columns that differ between two correct runs: build times, and the load ids in the names of
# landed files (a day landed again, or in another project, gets new ones).
BUILD_TIME_COLUMNS = frozenset({"dbt_updated_at"})
LANDING_RUN_COLUMNS = frozenset({"_batch_id", "_source_file"})
VOLATILE_COLUMNS = BUILD_TIME_COLUMNS | LANDING_RUN_COLUMNS


def warehouse_file(root: Path) -> Path:
    return root / "data" / "warehouse.duckdb"


def _relations(db, schemas) -> list[tuple[str, str]]:
    """The tables and views of `schemas`, sbdk's and dlt's own (`_...`) left out."""
    placeholders = ", ".join("?" for _ in schemas)
    return db.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({placeholders}) "
        "and table_name not like '\\_%' escape '\\' order by 1, 2",
        list(schemas),
    ).fetchall()


def _kept_columns(db, relation: str, ignore) -> list[str]:
    columns = db.execute(f"select column_name from (describe {relation})").fetchall()
    return [f'"{column}"' for (column,) in columns if column not in ignore]


def snapshot(root: Path, schemas=ALL_SCHEMAS, ignore=VOLATILE_COLUMNS) -> dict[str, list[tuple]]:
    """`schema.table` -> its rows, sorted, without the columns in `ignore`."""
    tables = {}
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as db:
        for schema, table in _relations(db, schemas):
            relation = f'{schema}."{table}"'
            kept = ", ".join(_kept_columns(db, relation, ignore))
            tables[f"{schema}.{table}"] = db.execute(
                f"select {kept} from {relation} order by all"
            ).fetchall()
    return tables


def fingerprints(
    root: Path, schemas=ALL_SCHEMAS, ignore=VOLATILE_COLUMNS
) -> dict[str, tuple[int, int]]:
    """`schema.table` -> (rows, order-independent hash of every row), computed in DuckDB:
    cheap, but only comparable within one DuckDB version."""
    found = {}
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as db:
        for schema, table in _relations(db, schemas):
            relation = f'{schema}."{table}"'
            hashed = ", ".join(_kept_columns(db, relation, ignore))
            rows, digest = db.execute(
                f"select count(*), coalesce(sum(hash({hashed})), 0) from {relation}"
            ).fetchall()[0]
            found[f"{schema}.{table}"] = (rows, int(digest))
    return found


def digests(tables: dict[str, list[tuple]]) -> dict[str, list]:
    """`schema.table` -> [rows, MD5 of the repr of its sorted rows]."""
    return {
        name: [len(rows), hashlib.md5(repr(rows).encode()).hexdigest()]
        for name, rows in sorted(tables.items())
    }

"""Landing the mock sources as raw tables `raw.{tenant}_{platform}__{object}`, typed exactly as
their contracts say, all in one transaction: a failed or interrupted landing leaves the raw
tables as they were."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sbdk import warehouse
from sbdk.multitenant.platform import RAW_SCHEMA, SourceTable


@dataclass(frozen=True)
class LandingResult:
    row_counts: dict[str, int]  # landed table -> rows


def land(path: Path, tables: Mapping[SourceTable, pa.Table]) -> LandingResult:
    with warehouse.writing(path) as connection:
        connection.execute("begin")
        connection.execute(f"create schema if not exists {RAW_SCHEMA}")
        for table, data in tables.items():
            casts = ", ".join(
                f'cast("{name}" as {kind}) as "{name}"'
                for name, kind in table.contract.columns().items()
            )
            connection.register("landing_arrow", data)
            connection.execute(
                f'create or replace table {RAW_SCHEMA}."{table.name}" as '
                f"select {casts} from landing_arrow"
            )
            connection.unregister("landing_arrow")
        connection.execute("commit")
    return LandingResult({table.name: data.num_rows for table, data in tables.items()})


def landed_row_counts(path: Path, tables: list[SourceTable]) -> dict[str, int]:
    """The rows of each source table already landed (for a run on what is there)."""
    return warehouse.raw_row_counts(
        path, [table.name for table in tables], "to land the tenants' sources"
    )

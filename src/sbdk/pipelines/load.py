"""Load Arrow tables into the warehouse's `raw` schema with dlt, replacing what was there.

The new tables are published all at once: dlt loads them under loading names
(`raw._loading_raw_users`, ...), and only when all of them are complete does one DuckDB
transaction swap them in for the old ones. Whatever stops a load (Ctrl-C, kill -9, a full
disk, another process holding the file), the `raw` schema holds either the previous run's
tables or the new ones, never a mix and never a half-loaded table.

Every load starts from a clean slate: full mode replaces everything, so nothing of an earlier
load is worth resuming. dlt's working folder for the pipeline is emptied and the leftovers of
an interrupted load in the warehouse are dropped first; an earlier failure can never block
the next load. dlt keeps its working files inside the project (`.sbdk/dlt`), never in `~/.dlt`.

dlt gets each table as a Parquet file that sbdk writes (`write_parquet_files`) and dlt imports
into its load package as it is (`dlt.mark.with_file_import`), its columns taken from the Arrow
schema as for the table itself: dlt's own writer would take longer than the load to write them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sbdk import warehouse
from sbdk.errors import SbdkError
from sbdk.orchestration import interrupts
from sbdk.pipelines.dlt_support import (
    naive_timestamp_hints,
    project_local_dlt,
    root_cause,
    run_stoppably,
    write_parquet_files,
)
from sbdk.warehouse import RAW_SCHEMA, lock_error_message

PIPELINE_NAME = "sbdk_raw"
LOADING_PREFIX = "_loading_"
# dlt's record of the schemas it created tables for: without it dlt looks the tables up again
# instead of trusting that the loading tables (renamed away at every publish) still exist.
DLT_VERSION_TABLE = "_dlt_version"
FILES_DIR = "parquet_files"  # the tables as Parquet, for dlt to import


@dataclass(frozen=True)
class LoadResult:
    row_counts: dict[str, int]
    load_id: str


def load_raw(tables: dict[str, pa.Table], warehouse_path: Path, state_dir: Path) -> LoadResult:
    """Replace `raw.<name>` with each table, all of them at once."""
    pipelines_dir = state_dir / "dlt" / "pipelines"
    files_dir = state_dir / "dlt" / FILES_DIR
    for folder in (pipelines_dir / PIPELINE_NAME, files_dir):
        shutil.rmtree(folder, ignore_errors=True)
    _drop_loading_tables(warehouse_path, tables)
    try:
        files = _write_files(tables, files_dir)
        with project_local_dlt(state_dir):
            load_id = _run_pipeline(tables, files, warehouse_path, pipelines_dir)
    finally:
        shutil.rmtree(files_dir, ignore_errors=True)
    # Once the new tables are in, the load is done: a stop from here on must not report it
    # as stopped before publishing (the runner sees the request when the step returns).
    with interrupts.deferred():
        published = _publish(warehouse_path, tables)
        # Its packages are copies of what is now in the warehouse: keep none between runs.
        shutil.rmtree(pipelines_dir / PIPELINE_NAME, ignore_errors=True)
    return LoadResult(row_counts=published, load_id=load_id)


def loading_name(table: str) -> str:
    return f"{LOADING_PREFIX}{table}"


def _write_files(tables: dict[str, pa.Table], folder: Path) -> dict[str, Path]:
    try:
        return write_parquet_files(tables, folder)
    except OSError as error:
        raise SbdkError(f"writing the raw tables for dlt into {folder} failed: {error}") from error


def _run_pipeline(
    tables: dict[str, pa.Table],
    files: dict[str, Path],
    warehouse_path: Path,
    pipelines_dir: Path,
) -> str:
    import dlt
    from dlt.pipeline.exceptions import PipelineStepFailed

    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=dlt.destinations.duckdb(str(warehouse_path)),
        dataset_name=RAW_SCHEMA,
        pipelines_dir=str(pipelines_dir),
        progress=None,
    )
    resources = [
        dlt.resource(
            # The table's schema gives dlt the columns, as the table itself would.
            [dlt.mark.with_file_import(str(files[name]), "parquet", table.num_rows, table[:0])],
            name=loading_name(name),
            write_disposition="replace",
            columns=naive_timestamp_hints(table.schema),
        )
        for name, table in tables.items()
    ]
    try:
        info = run_stoppably(pipeline, resources)  # a stop raises before anything is published
    except PipelineStepFailed as error:
        cause = root_cause(error)
        message = lock_error_message(warehouse_path, cause)
        raise SbdkError(
            message or f"loading raw data failed at dlt's {error.step} step: {cause}"
        ) from error
    return info.loads_ids[-1] if info.loads_ids else ""


def _drop_loading_tables(warehouse_path: Path, tables: dict[str, pa.Table]) -> None:
    """Drop what an interrupted load left: half-loaded tables and dlt's schema record."""
    with warehouse.writing(warehouse_path) as connection:
        connection.execute(f"create schema if not exists {RAW_SCHEMA}")
        for name in [*(loading_name(table) for table in tables), DLT_VERSION_TABLE]:
            connection.execute(f'drop table if exists {RAW_SCHEMA}."{name}"')


def _publish(warehouse_path: Path, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Swap the loaded tables in for the old ones in one transaction; return their rows."""
    with warehouse.writing(warehouse_path) as connection:
        counts = {
            name: connection.execute(
                f'select count(*) from {RAW_SCHEMA}."{loading_name(name)}"'
            ).fetchall()[0][0]
            for name in tables
        }
        short = {name: rows for name, rows in counts.items() if rows != tables[name].num_rows}
        if short:
            name, rows = next(iter(short.items()))
            raise SbdkError(
                f"dlt loaded {rows:,} rows into {RAW_SCHEMA}.{name} instead of "
                f"{tables[name].num_rows:,}; the previous raw data is kept"
            )
        connection.execute("begin")
        for name in tables:
            connection.execute(f'drop table if exists {RAW_SCHEMA}."{name}"')
            connection.execute(
                f'alter table {RAW_SCHEMA}."{loading_name(name)}" rename to "{name}"'
            )
        connection.execute("commit")
    return counts

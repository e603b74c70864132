"""Load Arrow tables into the warehouse's `raw` schema with dlt, replacing what was there.

dlt keeps all of its working files inside the project (`.sbdk/dlt`), never in `~/.dlt`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sbdk.errors import SbdkError
from sbdk.pipelines.dlt_support import (
    innermost_error,
    naive_timestamp_hints,
    project_local_dlt,
    root_cause,
)
from sbdk.warehouse import RAW_SCHEMA, lock_error_message

PIPELINE_NAME = "sbdk_raw"


@dataclass(frozen=True)
class LoadResult:
    row_counts: dict[str, int]
    load_id: str


def load_raw(tables: dict[str, pa.Table], warehouse: Path, state_dir: Path) -> LoadResult:
    """Replace `raw.<name>` with each table, in one dlt load package."""
    with project_local_dlt(state_dir):
        return _run_pipeline(tables, warehouse, state_dir)


def _run_pipeline(tables: dict[str, pa.Table], warehouse: Path, state_dir: Path) -> LoadResult:
    import dlt
    from dlt.common.exceptions import SignalReceivedException
    from dlt.common.runtime import signals
    from dlt.pipeline.exceptions import PipelineStepFailed

    pipelines_dir = state_dir / "dlt" / "pipelines"
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name=RAW_SCHEMA,
        pipelines_dir=str(pipelines_dir),
        progress=None,
    )
    # A package left by an interrupted run holds older data; every run replaces everything.
    pipeline.abort_packages()
    resources = [
        dlt.resource(
            table,
            name=name,
            write_disposition="replace",
            columns=naive_timestamp_hints(table.schema),
        )
        for name, table in tables.items()
    ]
    try:
        # dlt defers Ctrl-C until a step ends and may then finish the load; holding the
        # interception ourselves lets us see the signal and stop the run after this stage.
        with signals.intercepted_signals():
            info = pipeline.run(resources)
            if signals.was_signal_received():
                raise KeyboardInterrupt
    except PipelineStepFailed as error:
        if isinstance(innermost_error(error), SignalReceivedException):
            raise KeyboardInterrupt from None
        cause = root_cause(error)
        message = lock_error_message(warehouse, cause)
        raise SbdkError(
            message or f"loading raw data failed at dlt's {error.step} step: {cause}"
        ) from error
    finally:
        # Loaded packages are a copy of data that now lives in DuckDB; keep no history of them.
        shutil.rmtree(Path(pipeline.working_dir) / "load" / "loaded", ignore_errors=True)
    return LoadResult(
        row_counts={name: table.num_rows for name, table in tables.items()},
        load_id=info.loads_ids[-1] if info.loads_ids else "",
    )

"""What every dlt pipeline of sbdk shares: its environment, column hints, error unwrapping."""

from __future__ import annotations

import signal
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from sbdk.environment import scoped_environment
from sbdk.orchestration import interrupts

PARQUET_WRITERS = 2


def dlt_environment(state_dir: Path) -> dict[str, str]:
    """Keep dlt quiet and inside the project (never ~/.dlt or /var/dlt)."""
    return {
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "DLT_DATA_DIR": str(state_dir / "dlt"),
        "RUNTIME__LOG_LEVEL": "WARNING",  # into the project log (library_logs.py)
        "LOAD__DELETE_COMPLETED_JOBS": "true",
        # sbdk's pipelines start from an empty working folder every time (nothing of an
        # earlier, maybe interrupted, load is resumed): no state to fetch from the destination.
        "RESTORE_FROM_DESTINATION": "false",
        # Load packages are transient copies deleted after the load: skip compressing them.
        "DATA_WRITER__COMPRESSION": "none",
    }


@contextmanager
def project_local_dlt(state_dir: Path, **settings: str) -> Iterator[None]:
    """Run dlt with `dlt_environment` (plus `settings`) and every file it touches in the project.

    Environment variables are not enough: each time a pipeline step ends, dlt builds a
    telemetry event, even with telemetry off (it checks only before sending), and that
    reads or creates `.anonymous_id` in its *global* directory: ~/.dlt, /var/dlt for root,
    /tmp/dlt without a writable home. DLT_DATA_DIR does not move that directory; the run
    context's global dir, which dlt lets an instance set, does. It is also where dlt looks
    for a global config.toml and secrets.toml, so a user's ~/.dlt cannot change a run.
    """
    with scoped_environment({**dlt_environment(state_dir), **settings}):
        from dlt.common.runtime import run_context

        context = run_context.active()
        previous = context._global_dir
        context._global_dir = str(state_dir / "dlt")
        try:
            yield
        finally:
            context._global_dir = previous


def run_stoppably(pipeline: Any, data: Any, **options: Any) -> Any:
    """`pipeline.run(data, **options)`, stopped by Ctrl-C or SIGTERM like sbdk's own steps.

    dlt intercepts both signals: it defers them to the end of its current step, and may
    then finish the load, or turns them into its own step exception. Holding the
    interception here lets sbdk see the signal: it is noted (interrupts) and raised as
    KeyboardInterrupt before anything is published. Other failures raise dlt's
    PipelineStepFailed, for the caller to explain.
    """
    from dlt.common.exceptions import SignalReceivedException
    from dlt.common.runtime import signals
    from dlt.pipeline.exceptions import PipelineStepFailed

    try:
        with signals.intercepted_signals():
            info = pipeline.run(data, **options)
            if signals.was_signal_received():
                interrupts.note(signals.exception_for_signal().signal_code)
                raise KeyboardInterrupt
    except PipelineStepFailed as error:
        inner = innermost_error(error)
        if isinstance(inner, SignalReceivedException | KeyboardInterrupt):
            interrupts.note(getattr(inner, "signal_code", signal.SIGINT))
            raise KeyboardInterrupt from None
        raise
    return info


def write_parquet_files(tables: Mapping[str, pa.Table], folder: Path) -> dict[str, Path]:
    """Each table as a Parquet file in `folder`, for dlt to import (`dlt.mark.with_file_import`).

    dlt's own writer asks Parquet to dictionary-encode and keep statistics of every column,
    which at tens of millions of rows costs more than the rest of its extract step: unique
    ids, timestamps and JSON texts gain nothing from a dictionary, and the load reads every
    row, so no statistics are needed. Only the columns that already are Arrow dictionaries
    keep one. The tables are written side by side (pyarrow writes without the GIL).
    """
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.parquet" for name in tables}

    def write(name: str) -> None:
        table = tables[name]
        dictionaries = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
        pq.write_table(
            table,
            paths[name],
            compression="none",
            use_dictionary=dictionaries,
            write_statistics=False,
        )

    with ThreadPoolExecutor(max_workers=PARQUET_WRITERS) as pool:
        list(pool.map(write, paths))
    return paths


def naive_timestamp_hints(schema: pa.Schema) -> dict[str, dict]:
    """Keep naive timestamps naive: dlt would otherwise store them with a UTC time zone."""
    return {
        field.name: {"data_type": "timestamp", "timezone": False, "precision": 6}
        for field in schema
        if pa.types.is_timestamp(field.type) and field.type.tz is None
    }


def innermost_error(error: BaseException) -> BaseException:
    """dlt wraps failures in step exceptions; the cause at the bottom says what happened."""
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def root_cause(error: BaseException) -> str:
    """The first line of the innermost cause, for a one-line message."""
    error = innermost_error(error)
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

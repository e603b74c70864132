"""What every dlt pipeline of sbdk shares: its environment, column hints, error unwrapping."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa


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

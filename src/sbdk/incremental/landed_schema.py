"""Check landed files against their stream's columns before any of them is processed.

The processed models read a batch's files with `union_by_name`: a file of another shape (an
orders file copied into the users' folder, a source that renamed a column) would be read with
this stream's columns as nulls and its ids taken for this stream's ids, and the cursor would
move past it. So every new file's Parquet footer (its schema and row count: a few kilobytes,
also on S3) is compared with the columns the landing writer writes (landing/writer.FILE_SCHEMAS),
with the key and version columns of the stream's config.

Extra columns are allowed: the processed models select their columns by name, so a column
they do not know is never read and cannot overwrite anything, and sources add columns over
time (an ELT tool's schema evolution), which must not stop a stream. A file of another
stream is still caught: it lacks this stream's own columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sbdk.incremental.discovery import LandedFile
from sbdk.incremental.streams import StreamConfig
from sbdk.landing.writer import FILE_SCHEMAS

DEFAULT_KEY = "id"
SHOWN_NAMES = 4


def column_kind(data_type: pa.DataType) -> str:
    """What a column holds, as far as the processed models' casts care: int32 or int64 are both
    integers, string or large_string both strings; an integer is not a string."""
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    if pa.types.is_integer(data_type):
        return "integer"
    if pa.types.is_floating(data_type) or pa.types.is_decimal(data_type):
        return "number"
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return "string"
    if pa.types.is_timestamp(data_type):
        # DuckDB would shift a zoned timestamp into the session's time zone when casting it
        return "timestamp" if data_type.tz is None else "timestamp with time zone"
    return str(data_type)


def expected_columns(stream: StreamConfig) -> dict[str, str | None]:
    """Column -> kind (None: any kind) that every landed file of `stream` must hold."""
    columns = {field.name: column_kind(field.type) for field in FILE_SCHEMAS[stream.name]}
    if stream.unique_key and stream.unique_key != DEFAULT_KEY:
        columns[stream.unique_key] = columns.pop(DEFAULT_KEY)
    if stream.cursor_column and stream.cursor_column not in columns:
        columns[stream.cursor_column] = None  # only compared with itself: any kind orders
    return columns


def schema_difference(schema: pa.Schema, expected: Mapping[str, str | None]) -> str | None:
    """How `schema` differs from the `expected` columns, in one line; None if it fits."""
    actual = {field.name: column_kind(field.type) for field in schema}
    missing = [name for name in expected if name not in actual]
    wrong = [
        f"{name} is {actual[name]}, not {kind}"
        for name, kind in expected.items()
        if kind is not None and name in actual and actual[name] != kind
    ]
    if not missing and not wrong:
        return None
    parts = []
    if missing:
        parts.append(f"missing {_listed(missing)}")
    if wrong:
        parts.append(_listed(wrong))
    unexpected = [name for name in actual if name not in expected]
    if unexpected:  # allowed alone, but they tell what the file is
        parts.append(f"unexpected {_listed(unexpected)}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Inspection:
    """What the footers of a stream's new files tell before any of them is processed."""

    rows: list[int]  # per file, in order, up to the first misfit
    misfit: str | None = None  # the first file without the stream's columns, in one line


def inspect_files(files: Sequence[LandedFile], stream: StreamConfig, filesystem: Any) -> Inspection:
    """Each of `files`' row count, up to the first that does not hold `stream`'s columns (or
    is no Parquet file): the footer holds both, a few kilobytes per file, also on S3."""
    import pyarrow.parquet as pq

    expected = expected_columns(stream)
    rows: list[int] = []
    for file in files:
        try:
            with filesystem.open(file.url, "rb") as handle:
                metadata = pq.read_metadata(handle)
            schema = metadata.schema.to_arrow_schema()
        except (OSError, pa.ArrowException) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
            return Inspection(rows, f"cannot read landed file {file.url} as Parquet: {reason}")
        difference = schema_difference(schema, expected)
        if difference:
            misfit = f"landed file {file.url} does not have the columns of stream {stream.name}: "
            return Inspection(rows, misfit + difference)
        rows.append(metadata.num_rows)
    return Inspection(rows)


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")

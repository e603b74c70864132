"""Find landed files newer than a stream's cursor, in partition order, and batch them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sbdk.errors import SbdkError

PARTITION_GLOB = "year=*/month=*/day=*/*.parquet"


@dataclass(frozen=True)
class LandedFile:
    key: str  # path below the stream's folder: year=YYYY/month=MM/day=DD/<name>.parquet
    url: str  # what DuckDB reads: an absolute path or an s3:// URL


def landing_filesystem(root: str, storage_options: dict[str, Any] | None = None):
    """An fsspec filesystem for the landing root (local or S3-compatible) and its base path."""
    from fsspec.core import url_to_fs

    try:
        return url_to_fs(root, **(storage_options or {}))
    except ImportError as error:
        raise SbdkError(f"cannot read {root}: {error}") from None


def list_landed_files(
    root: str, source: str, stream: str, storage_options: dict[str, Any] | None = None
) -> list[LandedFile]:
    filesystem, base = landing_filesystem(root, storage_options)
    stream_dir = f"{base.rstrip('/')}/{source}/{stream}"
    # s3fs caches listings per (shared) filesystem instance; files may have landed since.
    filesystem.invalidate_cache()
    found = sorted(filesystem.glob(f"{stream_dir}/{PARTITION_GLOB}"))
    scheme = root.split("://", 1)[0] + "://" if "://" in root else ""
    return [
        LandedFile(key=path[len(stream_dir) + 1 :], url=f"{scheme}{path}" if scheme else path)
        for path in found
    ]


def files_after(files: Sequence[LandedFile], cursor: str | None) -> list[LandedFile]:
    return [f for f in files if cursor is None or f.key > cursor]


def batches(
    files: Sequence[LandedFile],
    size: int | None = None,
    rows: Sequence[int] | None = None,
    row_budget: int | None = None,
) -> list[list[LandedFile]]:
    """`files` in order, cut into batches of at most `size` files and, with each file's
    `rows`, at most `row_budget` rows; a file bigger than the budget is a batch of its own."""
    found: list[list[LandedFile]] = []
    batch: list[LandedFile] = []
    batch_rows = 0
    for index, file in enumerate(files):
        file_rows = rows[index] if rows is not None else 0
        full = size is not None and len(batch) >= size
        over = row_budget is not None and batch_rows + file_rows > row_budget
        if batch and (full or over):
            found.append(batch)
            batch, batch_rows = [], 0
        batch.append(file)
        batch_rows += file_rows
    if batch:
        found.append(batch)
    return found

"""Land days of the synthetic world as Parquet files, the way an incremental-append sync to S3
would: one dlt load per landing day into the filesystem destination, Hive-partitioned by the
landing (extraction) day.

    <root>/app/<stream>/year=YYYY/month=MM/day=DD/<load_id>.<file_id>.parquet

`<root>` is a local directory or an S3-compatible URL (`s3://bucket/prefix`). dlt also keeps
its own bookkeeping under `<root>/app/` (`init`, `_dlt_loads/`, `_dlt_pipeline_state/`,
`_dlt_version/`), never inside the stream folders, and its working files in
`<state_dir>/dlt` (never `~/.dlt`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sbdk.catalogue import SOURCE, STREAM_NAMES
from sbdk.config import DataSection
from sbdk.errors import SbdkError
from sbdk.landing.daily_extracts import (
    ROW_SCHEMAS,
    SYNC_HOUR,
    LandingHistory,
    days_in_window,
)
from sbdk.pipelines.dlt_support import (
    naive_timestamp_hints,
    project_local_dlt,
    root_cause,
    run_stoppably,
)

PIPELINE_NAME = "sbdk_landing"
LAYOUT = "{table_name}/year={YYYY}/month={MM}/day={DD}/{load_id}.{file_id}.{ext}"
# A file the layout names: dlt's load id (seconds.fraction) and file id, e.g.
# 1796239130.9203234.9ff2e3d846.parquet
LANDED_FILE_NAME = re.compile(r"^\d+\.\d+\.[0-9a-f]+\.parquet$")
# Landed files are kept: compress them (dlt_environment turns compression off for the
# transient packages of the warehouse load).
PARQUET_COMPRESSION = "snappy"
BATCH_ID = "_batch_id"
# What each stream's landed files hold: the source's rows and the id of the landing run.
FILE_SCHEMAS = {
    stream: schema.append(pa.field(BATCH_ID, pa.string())) for stream, schema in ROW_SCHEMAS.items()
}

DayLanded = Callable[[date, Mapping[str, int]], None]


@dataclass(frozen=True)
class LandingResult:
    days: list[date]  # the landing days written, in order (days outside the window are skipped)
    files: dict[str, list[str]] = field(default_factory=dict)  # stream -> paths or URLs
    rows: dict[str, int] = field(default_factory=dict)  # stream -> rows landed


def land_days(
    data: DataSection,
    days: Iterable[date],
    root: str,
    state_dir: Path,
    storage_options: Mapping[str, Any] | None = None,
    on_day_landed: DayLanded | None = None,
) -> LandingResult:
    """Land the given days (those inside the landing window) under `root`, one load per day.

    `storage_options` are fsspec/s3fs options for an `s3://` root (`key`, `secret`,
    `endpoint_url` or `client_kwargs.endpoint_url`, ...). `on_day_landed(day, rows)` is
    called after each day's files are written, so a caller can advance its clock day by day.
    """
    wanted = days_in_window(data, days)
    result = LandingResult(
        days=[], files={s: [] for s in STREAM_NAMES}, rows=dict.fromkeys(STREAM_NAMES, 0)
    )
    if not wanted:
        return result

    from sbdk.pipelines.synthetic import generate

    history = LandingHistory(generate(data), data)
    rows_by_day = history.rows_landing_on(wanted)
    with (
        project_local_dlt(state_dir, DATA_WRITER__COMPRESSION=PARQUET_COMPRESSION),
        _DayWriter(root, state_dir, storage_options or {}) as writer,
    ):
        for day in wanted:
            tables = rows_by_day[day]
            files = writer.write(day, tables)
            result.days.append(day)
            for stream, table in tables.items():
                result.rows[stream] += table.num_rows
                result.files[stream].extend(files.get(stream, []))
            if on_day_landed is not None:
                on_day_landed(day, {s: t.num_rows for s, t in tables.items()})
    return result


class _DayWriter:
    """One dlt pipeline whose filesystem destination reads the simulated clock."""

    def __init__(self, root: str, state_dir: Path, storage_options: Mapping[str, Any]) -> None:
        import dlt

        self._now = None
        # dlt would resolve a relative local path against its own working directory.
        self._root = root if "://" in root else str(Path(root).expanduser().absolute())
        self._storage_options = dict(storage_options)
        credentials, fs_kwargs = _destination_options(root, storage_options)
        destination = dlt.destinations.filesystem(
            bucket_url=self._root,
            credentials=credentials,
            layout=LAYOUT,
            current_datetime=lambda: self._now,
            kwargs=fs_kwargs or None,
        )
        pipelines_dir = state_dir / "dlt" / "pipelines"
        # A package left by an interrupted or failed landing belongs to a day the clock does
        # not count as landed: that day is landed again from scratch. Starting from an empty
        # working folder means no leftover can ever block the next landing.
        shutil.rmtree(pipelines_dir / PIPELINE_NAME, ignore_errors=True)
        self.pipeline = dlt.pipeline(
            pipeline_name=PIPELINE_NAME,
            destination=destination,
            dataset_name=SOURCE,
            pipelines_dir=str(pipelines_dir),
            progress=None,
        )

    def __enter__(self) -> _DayWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        # Its packages are copies of the landed files: keep none between runs.
        shutil.rmtree(self.pipeline.working_dir, ignore_errors=True)

    def write(self, day: date, tables: Mapping[str, pa.Table]) -> dict[str, list[str]]:
        """Write one landing day's tables (empty ones are skipped); returns stream -> files."""
        import dlt
        import pendulum
        from dlt.pipeline.exceptions import PipelineStepFailed

        resources = [
            dlt.resource(
                _with_batch_id(table),
                name=stream,
                write_disposition="append",
                columns=naive_timestamp_hints(table.schema),
            )
            for stream, table in tables.items()
            if table.num_rows
        ]
        if not resources:
            return {}
        self._remove_leftovers(day)
        # Only the date shows in the layout; the time is the sync's.
        self._now = pendulum.datetime(day.year, day.month, day.day, SYNC_HOUR, tz="UTC")
        try:
            info = run_stoppably(self.pipeline, resources, loader_file_format="parquet")
        except PipelineStepFailed as error:
            raise SbdkError(
                f"landing {day} to {self._root} failed at dlt's {error.step} step: "
                f"{root_cause(error)}"
            ) from error
        return self._written_files(info)

    def _remove_leftovers(self, day: date) -> None:
        """Remove the landing's own files from `day`'s partitions: the clock does not count
        the day as landed, so they are what a landing stopped half-way through the day left
        (a kill, a full disk), and the day is landed whole again, never twice. Files named
        otherwise are not the landing's and stay."""
        from sbdk.incremental.discovery import landing_filesystem

        filesystem, base = landing_filesystem(self._root, self._storage_options)
        filesystem.invalidate_cache()  # s3fs caches listings per shared instance
        partition = f"year={day:%Y}/month={day:%m}/day={day:%d}"
        for stream in STREAM_NAMES:
            found = filesystem.glob(f"{base.rstrip('/')}/{SOURCE}/{stream}/{partition}/*")
            leftovers = [path for path in found if LANDED_FILE_NAME.match(path.rsplit("/", 1)[-1])]
            if leftovers:
                filesystem.rm(leftovers)

    def _written_files(self, info) -> dict[str, list[str]]:
        files: dict[str, list[str]] = {}
        for load_id in info.loads_ids:
            for step_metrics in info.metrics.get(load_id, []):
                for job in step_metrics["job_metrics"].values():
                    if job.table_name in STREAM_NAMES and job.remote_url:
                        files.setdefault(job.table_name, []).append(_local_or_url(job.remote_url))
        return {stream: sorted(paths) for stream, paths in files.items()}


def _with_batch_id(table: pa.Table):
    """Yield `table` with `_batch_id` = the id of the dlt load writing it (the file's prefix)."""

    def rows():
        import dlt

        load_id = dlt.current.load_package_state()["load_id"]
        batch_id = pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(table.num_rows, dtype=np.int32)), pa.array([load_id], pa.string())
        )
        yield table.append_column(BATCH_ID, batch_id.cast(pa.string()))

    return rows


def _destination_options(
    root: str, storage_options: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Split fsspec-style options into dlt's AWS credentials and plain fsspec kwargs."""
    if not root.startswith("s3://"):
        return None, dict(storage_options)
    options = dict(storage_options)
    client_kwargs = dict(options.pop("client_kwargs", None) or {})
    endpoint_url = options.pop("endpoint_url", None) or client_kwargs.pop("endpoint_url", None)
    credentials = {
        "aws_access_key_id": options.pop("key", None),
        "aws_secret_access_key": options.pop("secret", None),
        "aws_session_token": options.pop("token", None),
        "endpoint_url": endpoint_url,
        "region_name": client_kwargs.pop("region_name", None),
    }
    if client_kwargs:
        options["client_kwargs"] = client_kwargs
    return {k: v for k, v in credentials.items() if v is not None} or None, options


def _local_or_url(remote_url: str) -> str:
    if remote_url.startswith("file://"):
        from dlt.common.storages.configuration import FilesystemConfiguration

        return FilesystemConfiguration.make_local_path(remote_url)
    return remote_url

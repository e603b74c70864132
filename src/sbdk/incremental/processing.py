"""Process landed files stream by stream, in batches, then rebuild what depends on them.

For each stream: list the files after the stream's cursor, check that each holds the
stream's columns (a misfit stops the stream before anything is written), run the stream's
processed model over each batch of them (`dbt run --select tag:<source>__<stream>` with the
batch's files as a var), and advance the cursor only after the batch succeeded. A batch is
as many files as fit in `batch_rows` rows (and `batch_size` files, when set): each dbt
invocation costs ~0.4 s whatever it reads, so a catch-up on a year of daily files is a few
batches, not a hundred. A failed batch leaves the cursor where it was; the next run
processes the batch again, and delete+insert on the unique key makes that idempotent. A
failed stream does not stop the others: each processed model reads only its own stream's
files. Then the models downstream of every stream that changed are rebuilt (`dbt run
--select tag:<tag>+`) and tested (`dbt test`); the streams stay "downstream pending" until
both succeed, so a run after a failure rebuilds them.

A full refresh rebuilds every processed table from all landed files *aside*, under
`<model>__refresh`, and swaps the new tables in, with the cursors that describe them, in one
transaction once every stream is complete. Until then, and for good if any stream fails or
the run is stopped, the processed tables and cursors stay as they were: nothing reads a
half-rebuilt table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.incremental import cursors
from sbdk.incremental.discovery import (
    LandedFile,
    batches,
    files_after,
    landing_filesystem,
    list_landed_files,
)
from sbdk.incremental.landed_schema import inspect_files
from sbdk.incremental.streams import StreamConfig, read_stream_configs
from sbdk.transform import DbtProject, DbtResult, ProgressCallback

MODE_VARS = {"sbdk_mode": "incremental"}
# The processed models are named `<model><suffix>` (their `alias`): a full refresh builds
# them under `<model>__refresh`, beside the tables staging reads.
REFRESH_SUFFIX = "__refresh"
REFRESH_VARS = {**MODE_VARS, "sbdk_processed_suffix": REFRESH_SUFFIX}
# Processed models read only the files they are given; downstream builds must not run them.
PROCESSED_MODELS = "resource_type:model,tag:processed"
PROCESSED_SCHEMA = "processed"
# (stream, last file of the batch, files in it): a refresh's progress, kept until the swap.
RefreshProgress = Callable[[str, str, int], None]


@dataclass
class StreamOutcome:
    stream: str
    new_files: int
    processed_files: int = 0
    batches: int = 0
    failure: str | None = None


@dataclass
class DownstreamResult:
    streams: list[str]  # the streams whose descendants were rebuilt or tested
    dbt: DbtResult | None  # None when nothing was pending


@dataclass(frozen=True)
class PendingWork:
    """What a sensor looks for: files after each stream's cursor, and rebuilds still owed."""

    new_files: dict[str, int]
    downstream: list[str]

    def __bool__(self) -> bool:
        return any(self.new_files.values()) or bool(self.downstream)

    def describe(self) -> str:
        parts = [
            f"{count} new {stream} file(s)" for stream, count in self.new_files.items() if count
        ]
        if self.downstream:
            parts.append(f"downstream of {', '.join(self.downstream)} not yet rebuilt")
        return ", ".join(parts)


class StreamProcessor:
    def __init__(
        self, settings: Settings, dbt: DbtProject, storage_options: dict | None = None
    ) -> None:
        self.settings = settings
        self.dbt = dbt
        self.storage_options = storage_options or {}  # fsspec options of the landing root
        self.streams = read_stream_configs(settings.streams_dir)

    def process_new_files(
        self,
        full_refresh: bool = False,
        progress: ProgressCallback | None = None,
        only: Sequence[str] | None = None,
    ) -> list[StreamOutcome]:
        """Run each stream's new files (of the streams named in `only`, if given) through its
        processed model. A stream stops at its first misfit file or failed batch; the other
        streams still go on."""
        warehouse_path = self.settings.warehouse_path
        # What a stopped refresh left aside is never resumed: a refresh starts from scratch.
        cursors.drop_tables(warehouse_path, self._refresh_tables())
        if full_refresh:
            if only is not None:
                raise ValueError("a full refresh rebuilds every stream")
            return self._refresh_aside(progress)
        positions = cursors.read_cursors(warehouse_path)
        return [
            self._process_stream(stream, positions.get(stream.name), progress)
            for stream in self.streams
            if only is None or stream.name in only
        ]

    def _refresh_aside(self, progress: ProgressCallback | None) -> list[StreamOutcome]:
        """Rebuild every processed table from all landed files under its refresh name, then
        swap them all in with their cursors at once; on any failure keep the current ones."""
        positions: dict[str, tuple[str, int]] = {}
        outcomes = [
            self._process_stream(
                stream, None, progress, refresh=lambda s, key, n: _add(positions, s, key, n)
            )
            for stream in self.streams
        ]
        warehouse_path = self.settings.warehouse_path
        if any(outcome.failure for outcome in outcomes):
            cursors.drop_tables(warehouse_path, self._refresh_tables())
            return outcomes
        swaps = {
            f"{PROCESSED_SCHEMA}.{stream.model}{REFRESH_SUFFIX}": stream.model
            for stream in self.streams
            if stream.name in positions
        }
        cursors.publish_refresh(warehouse_path, swaps, positions)
        return outcomes

    def _refresh_tables(self) -> list[str]:
        return [f"{PROCESSED_SCHEMA}.{stream.model}{REFRESH_SUFFIX}" for stream in self.streams]

    def pending_work(self, full_refresh: bool = False) -> PendingWork:
        """New files per stream (every landed file with `full_refresh`) and owed rebuilds."""
        positions = {} if full_refresh else cursors.read_cursors(self.settings.warehouse_path)
        new_files = {
            stream.name: len(self._new_files(stream, positions.get(stream.name)))
            for stream in self.streams
        }
        return PendingWork(new_files, cursors.pending_downstream(self.settings.warehouse_path))

    def build_downstream(
        self, full_refresh: bool = False, progress: ProgressCallback | None = None
    ) -> DownstreamResult:
        """Rebuild the models downstream of every stream with unconsumed changes; with
        `full_refresh`, incremental ones (stg_events) from everything processed rather than
        by merging their recent window."""
        pending = cursors.pending_downstream(self.settings.warehouse_path)
        selectors = self._downstream_selectors(pending)
        if not selectors:
            return DownstreamResult(streams=[], dbt=None)
        result = self.dbt.run(
            selectors,
            exclude=[PROCESSED_MODELS],
            variables=MODE_VARS,
            full_refresh=full_refresh,
            progress=progress,
            parse_with=MODE_VARS,  # the manifest the batches were run with: no re-parse
        )
        return DownstreamResult(streams=pending, dbt=result)

    def test_downstream(
        self, streams: list[str], progress: ProgressCallback | None = None
    ) -> DownstreamResult:
        """Test the processed models of `streams` and everything built on them; once the
        tests pass, the streams' changes are consumed."""
        selectors = self._downstream_selectors(streams)
        if not selectors:
            return DownstreamResult(streams=[], dbt=None)
        result = self.dbt.test(selectors, progress, variables=MODE_VARS, parse_with=MODE_VARS)
        if result.success:
            cursors.clear_pending_downstream(self.settings.warehouse_path, streams)
        return DownstreamResult(streams=streams, dbt=result)

    def _downstream_selectors(self, streams: list[str]) -> list[str]:
        return [f"tag:{s.tag}+" for s in self.streams if s.name in streams]

    def _new_files(self, stream: StreamConfig, cursor: str | None) -> list[LandedFile]:
        """The files after the stream's cursor. Its own file must still be there: files landed
        again after the landing area was deleted would sort before it and be skipped."""
        landed = list_landed_files(
            self.settings.landing_root, stream.source, stream.name, self.storage_options
        )
        if cursor is not None and all(file.key != cursor for file in landed):
            raise SbdkError(
                f"stream {stream.name}: the last file processed, {cursor}, is no longer in the "
                f"landing area {self.settings.landing_root} (deleted or replaced): run "
                "`sbdk run --incremental --full-refresh` to process what it holds from scratch"
            )
        return files_after(landed, cursor)

    def _process_stream(
        self,
        stream: StreamConfig,
        cursor: str | None,
        progress: ProgressCallback | None,
        refresh: RefreshProgress | None = None,
    ) -> StreamOutcome:
        """Process the files after `cursor` batch by batch, advancing the cursor after each;
        with `refresh`, into the refresh table, reporting progress there instead."""
        new_files = self._new_files(stream, cursor)
        outcome = StreamOutcome(stream.name, new_files=len(new_files))
        filesystem, _ = landing_filesystem(self.settings.landing_root, self.storage_options)
        inspection = inspect_files(new_files, stream, filesystem)
        outcome.failure = inspection.misfit
        if outcome.failure:
            return outcome  # before any batch: nothing of the stream is written
        settings = self.settings.config.incremental
        size = stream.batch_size or settings.batch_size
        parse_with = REFRESH_VARS if refresh else MODE_VARS
        cut = batches(new_files, size, inspection.rows, settings.batch_rows)
        for number, batch in enumerate(cut):
            variables = {**parse_with, **stream.model_vars, "files": [f.url for f in batch]}
            run = self.dbt.run(
                [f"tag:{stream.tag}"], variables=variables, progress=progress, parse_with=parse_with
            )
            if not run.success:
                outcome.failure = _describe_failure(run, number, batch[0].key)
                return outcome
            if refresh is not None:
                refresh(stream.name, batch[-1].key, len(batch))
            else:
                cursors.advance_cursor(
                    self.settings.warehouse_path, stream.name, batch[-1].key, len(batch)
                )
            outcome.processed_files += len(batch)
            outcome.batches += 1
        return outcome


def _add(positions: dict[str, tuple[str, int]], stream: str, key: str, files: int) -> None:
    _, before = positions.get(stream, ("", 0))
    positions[stream] = (key, before + files)


def _describe_failure(run: DbtResult, number: int, first_file: str) -> str:
    detail = run.error or "; ".join(f"{n.name}: {n.message}" for n in run.failed) or "failed"
    return f"batch {number + 1} (from {first_file}) failed: {detail}"

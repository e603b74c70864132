"""Process landed files stream by stream, in batches, then rebuild what depends on them.

For each stream (seed 001's feeder): list the files after the stream's cursor, run the
stream's processed model over each batch of them (`dbt run --select tag:<source>__<stream>`
with the batch's files as a var), and advance the cursor only after the batch succeeded. A
failed batch leaves the cursor where it was; the next run processes the batch again, and
delete+insert on the unique key makes that idempotent. Then the models downstream of every
stream that changed are rebuilt and tested (`dbt build --select tag:<tag>+`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sbdk.config import Settings
from sbdk.incremental import cursors
from sbdk.incremental.discovery import batches, files_after, list_landed_files
from sbdk.incremental.streams import StreamConfig, read_stream_configs
from sbdk.transform import DbtProject, DbtResult, ProgressCallback

MODE_VARS = {"sbdk_mode": "incremental"}
# Processed models read only the files they are given; downstream builds must not run them.
PROCESSED_MODELS = "resource_type:model,tag:processed"


@dataclass
class StreamOutcome:
    stream: str
    new_files: int
    processed_files: int = 0
    batches: int = 0
    failure: str | None = None


@dataclass
class DownstreamResult:
    streams: list[str]  # the streams whose descendants were rebuilt
    dbt: DbtResult | None  # None when nothing was pending


class StreamProcessor:
    def __init__(
        self, settings: Settings, dbt: DbtProject, storage_options: dict | None = None
    ) -> None:
        self.settings = settings
        self.dbt = dbt
        self.storage_options = storage_options or {}  # fsspec options of the landing root
        self.streams = read_stream_configs(settings.streams_dir)

    def process_new_files(
        self, full_refresh: bool = False, progress: ProgressCallback | None = None
    ) -> list[StreamOutcome]:
        """Run each stream's new files through its processed model; stop at a failed batch."""
        warehouse_path = self.settings.warehouse_path
        if full_refresh:
            cursors.reset_cursors(warehouse_path)
        positions = cursors.read_cursors(warehouse_path)
        outcomes: list[StreamOutcome] = []
        for stream in self.streams:
            outcome = self._process_stream(
                stream, positions.get(stream.name), full_refresh, progress
            )
            outcomes.append(outcome)
            if outcome.failure:
                break  # what depends on the failed stream must wait for it
        return outcomes

    def rebuild_downstream(
        self, full_refresh: bool = False, progress: ProgressCallback | None = None
    ) -> DownstreamResult:
        """Build and test the models downstream of every stream with unconsumed changes.

        With `full_refresh`, incremental models downstream (dim_customers) are rebuilt from
        scratch too, not merged into: a full refresh trusts nothing built before it.
        """
        warehouse_path = self.settings.warehouse_path
        pending = cursors.pending_downstream(warehouse_path)
        tags = [f"tag:{s.tag}+" for s in self.streams if s.name in pending]
        if not tags:
            return DownstreamResult(streams=[], dbt=None)
        result = self.dbt.build(
            tags,
            progress,
            exclude=[PROCESSED_MODELS],
            variables=MODE_VARS,
            full_refresh=full_refresh,
        )
        if result.success:
            cursors.clear_pending_downstream(warehouse_path, pending)
        return DownstreamResult(streams=pending, dbt=result)

    def _process_stream(
        self,
        stream: StreamConfig,
        cursor: str | None,
        full_refresh: bool,
        progress: ProgressCallback | None,
    ) -> StreamOutcome:
        landed = list_landed_files(
            self.settings.landing_root,
            stream.source,
            stream.name,
            self.storage_options,
        )
        new_files = files_after(landed, cursor)
        outcome = StreamOutcome(stream.name, new_files=len(new_files))
        size = stream.batch_size or self.settings.config.incremental.batch_size
        for number, batch in enumerate(batches(new_files, size)):
            variables = {**MODE_VARS, **stream.model_vars, "files": [f.url for f in batch]}
            run = self.dbt.run(
                [f"tag:{stream.tag}"],
                variables=variables,
                full_refresh=full_refresh and number == 0,
                progress=progress,
                parse_with=MODE_VARS,
            )
            if not run.success:
                outcome.failure = _describe_failure(run, number, batch[0].key)
                return outcome
            cursors.advance_cursor(
                self.settings.warehouse_path, stream.name, batch[-1].key, len(batch)
            )
            outcome.processed_files += len(batch)
            outcome.batches += 1
        return outcome


def _describe_failure(run: DbtResult, number: int, first_file: str) -> str:
    detail = run.error or "; ".join(f"{n.name}: {n.message}" for n in run.failed) or "failed"
    return f"batch {number + 1} (from {first_file}) failed: {detail}"

"""The jobs behind `sbdk run` and `sbdk test`: stages in order, timed, reported, returned.

Core code never prints: it reports through a `Reporter` (the CLI renders it with Rich;
tests and other tools pass `SilentReporter`) and returns plain results.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from sbdk import warehouse
from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.incremental.processing import (
    MODE_VARS,
    DownstreamResult,
    StreamOutcome,
    StreamProcessor,
)
from sbdk.transform import DbtProject, DbtResult, NodeProgress, dbt_log_path

GENERATE, LOAD, BUILD, TEST = "generate", "load", "dbt build", "dbt test"
LAND, PROCESS = "land", "process"


class Reporter(Protocol):
    def stage_started(self, stage: str, description: str) -> None: ...

    def stage_finished(self, stage: str, seconds: float, detail: str) -> None: ...

    def node_progress(self, progress: NodeProgress) -> None: ...


class SilentReporter:
    def stage_started(self, stage: str, description: str) -> None:
        pass

    def stage_finished(self, stage: str, seconds: float, detail: str) -> None:
        pass

    def node_progress(self, progress: NodeProgress) -> None:
        pass


@dataclass
class RunSummary:
    warehouse: Path
    dbt_log: Path
    raw_rows: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    dbt: DbtResult | None = None
    incremental: IncrementalSummary | None = None

    @property
    def success(self) -> bool:
        if self.incremental is not None:
            return self.incremental.success
        return self.dbt is not None and self.dbt.success

    @property
    def total_seconds(self) -> float:
        return sum(self.stage_seconds.values())


@dataclass
class IncrementalSummary:
    landed_days: list[date] = field(default_factory=list)
    landed_rows: dict[str, int] = field(default_factory=dict)
    streams: list[StreamOutcome] = field(default_factory=list)
    downstream: DownstreamResult | None = None

    @property
    def success(self) -> bool:
        if any(stream.failure for stream in self.streams):
            return False
        return self.downstream is None or self.downstream.dbt is None or self.downstream.dbt.success

    @property
    def files_processed(self) -> int:
        return sum(stream.processed_files for stream in self.streams)


@dataclass(frozen=True)
class RunOptions:
    skip_generate: bool = False  # in incremental mode: land nothing, process what is there
    select: Sequence[str] = ()
    incremental: bool | None = None  # None: the project's [incremental] enabled setting
    full_refresh: bool = False


class Workspace:
    """One project's settings plus a reusable dbt runner; run it as often as you like."""

    def __init__(self, settings: Settings, reporter: Reporter | None = None) -> None:
        self.settings = settings
        self.reporter = reporter or SilentReporter()
        self.dbt = DbtProject(settings)

    @property
    def incremental(self) -> bool:
        return self.settings.config.incremental.enabled

    def run(self, options: RunOptions = RunOptions()) -> RunSummary:
        """generate -> load -> dbt build (models and tests); with skip_generate, build only.
        In incremental mode (the project's setting, or `options.incremental`): see
        `run_incremental`."""
        incremental = self.incremental if options.incremental is None else options.incremental
        if incremental:
            return self.run_incremental(options)
        if options.full_refresh:
            raise SbdkError("--full-refresh applies to incremental mode (add --incremental)")
        path = self.settings.warehouse_path
        summary = RunSummary(path, self._dbt_log)
        warehouse.ensure_writable(path)
        if options.skip_generate:
            summary.raw_rows = warehouse.raw_row_counts(path)
        else:
            tables = self._stage(summary, GENERATE, "Generating synthetic data", self._generate)
            loaded = self._stage(
                summary, LOAD, "Loading raw tables with dlt", lambda: self._load(tables)
            )
            summary.raw_rows = loaded.row_counts
        summary.dbt = self._stage(
            summary, BUILD, "Building models and running tests",
            lambda: self.dbt.build(options.select, progress=self.reporter.node_progress),
        )  # fmt: skip
        return summary

    def run_incremental(self, options: RunOptions) -> RunSummary:
        """land the next days -> process new files per stream -> rebuild what they feed."""
        if options.select:
            raise SbdkError("--select is not available in incremental mode: streams decide")
        path = self.settings.warehouse_path
        summary = RunSummary(path, self._dbt_log)
        summary.incremental = state = IncrementalSummary()
        warehouse.ensure_writable(path)
        # Read once per run; an s3:// root without s3fs fails here, before any work.
        storage_options = self.settings.landing_storage_options()
        processor = StreamProcessor(self.settings, self.dbt, storage_options)
        if not options.skip_generate:
            landed = self._stage(
                summary, LAND, "Landing new files", lambda: self._land(storage_options)
            )
            state.landed_days, state.landed_rows = landed.days, landed.rows
        state.streams = self._stage(
            summary, PROCESS, "Processing new files",
            lambda: processor.process_new_files(options.full_refresh, self.reporter.node_progress),
        )  # fmt: skip
        if state.success:
            state.downstream = self._stage(
                summary, BUILD, "Rebuilding downstream models",
                lambda: processor.rebuild_downstream(
                    options.full_refresh, self.reporter.node_progress
                ),
            )  # fmt: skip
            summary.dbt = state.downstream.dbt
        return summary

    def test(self, select: Sequence[str] = ()) -> RunSummary:
        """Run the data tests (and dbt unit tests) against the current warehouse."""
        path = self.settings.warehouse_path
        summary = RunSummary(path, self._dbt_log)
        variables = MODE_VARS if self.incremental else None
        if not self.incremental:
            summary.raw_rows = warehouse.raw_row_counts(path)
        warehouse.ensure_writable(path)  # tests store their failing rows
        summary.dbt = self._stage(
            summary, TEST, "Running data tests",
            lambda: self.dbt.test(select, self.reporter.node_progress, variables=variables),
        )  # fmt: skip
        return summary

    @property
    def _dbt_log(self) -> Path:
        return dbt_log_path(self.settings.dbt_dir)

    def _generate(self):
        from sbdk.pipelines.synthetic import generate

        return generate(self.settings.config.data)

    def _land(self, storage_options: dict):
        from sbdk.landing import LandingClock, land_days

        data = self.settings.config.data
        clock = LandingClock(self.settings.state_dir)
        return land_days(
            data,
            clock.next_days(self.settings.config.incremental.step_days, data),
            self.settings.landing_root,
            self.settings.state_dir,
            storage_options=storage_options,
            # the clock moves day by day, so a run stopped half-way resumes where it stopped
            on_day_landed=lambda day, rows: clock.advance([day], data),
        )

    def _load(self, tables):
        from sbdk.pipelines.load import load_raw

        return load_raw(tables.by_raw_name(), self.settings.warehouse_path, self.settings.state_dir)

    def _stage(self, summary: RunSummary, stage: str, description: str, work):
        self.reporter.stage_started(stage, description)
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        summary.stage_seconds[stage] = seconds
        self.reporter.stage_finished(stage, seconds, _detail(stage, result))
        return result


def _detail(stage: str, result) -> str:
    if stage == GENERATE:
        return ", ".join(
            f"{t.num_rows:,} {n.removeprefix('raw_')}" for n, t in result.by_raw_name().items()
        )
    if stage == LOAD:
        return f"{sum(result.row_counts.values()):,} rows into raw"
    if stage == LAND:
        if not result.days:
            return "no new days: the simulated clock has reached the end of the window"
        span = f"{result.days[0]}" + (f" .. {result.days[-1]}" if len(result.days) > 1 else "")
        rows = ", ".join(f"{rows:,} {stream}" for stream, rows in result.rows.items())
        return f"{span}: {rows}"
    if stage == PROCESS:
        if not any(outcome.new_files for outcome in result):
            return "no new files"
        return ", ".join(
            f"{o.stream} {o.processed_files}/{o.new_files} files" for o in result if o.new_files
        )
    if isinstance(result, DownstreamResult):
        if result.dbt is None:
            return "nothing changed"
        result = result.dbt
    if isinstance(result, DbtResult):
        if result.error:
            return "failed"
        parts = [f"{len(result.models)} models"] if result.models else []
        parts.append(f"{result.tests_passed}/{len(result.tests)} tests passed")
        return ", ".join(parts)
    return ""


def require_success(summary: RunSummary) -> None:
    """Raise the one-line error for a dbt invocation that could not run at all."""
    if summary.dbt is not None and summary.dbt.error:
        raise SbdkError(f"dbt {summary.dbt.command} failed: {summary.dbt.error}")

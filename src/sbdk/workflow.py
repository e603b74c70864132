"""The jobs behind `sbdk run` and `sbdk test`: stages in order, timed, reported, returned.

Core code never prints: it reports through a `Reporter` (the CLI renders it with Rich;
tests and other tools pass `SilentReporter`) and returns plain results.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sbdk import warehouse
from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.transform import DbtProject, DbtResult, NodeProgress, dbt_log_path

GENERATE, LOAD, BUILD, TEST = "generate", "load", "dbt build", "dbt test"


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
    generated: bool = True

    @property
    def success(self) -> bool:
        return self.dbt is not None and self.dbt.success

    @property
    def total_seconds(self) -> float:
        return sum(self.stage_seconds.values())


@dataclass(frozen=True)
class RunOptions:
    skip_generate: bool = False
    select: Sequence[str] = ()


class Workspace:
    """One project's settings plus a reusable dbt runner; run it as often as you like."""

    def __init__(self, settings: Settings, reporter: Reporter | None = None) -> None:
        self.settings = settings
        self.reporter = reporter or SilentReporter()
        self.dbt = DbtProject(settings)

    def run(self, options: RunOptions = RunOptions()) -> RunSummary:
        """generate -> load -> dbt build (models and tests); with skip_generate, build only."""
        path = self.settings.warehouse_path
        summary = RunSummary(path, self._dbt_log, generated=not options.skip_generate)
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

    def test(self, select: Sequence[str] = ()) -> RunSummary:
        """Run the data tests (and dbt unit tests) against the current warehouse."""
        path = self.settings.warehouse_path
        summary = RunSummary(path, self._dbt_log, generated=False)
        summary.raw_rows = warehouse.raw_row_counts(path)
        warehouse.ensure_writable(path)  # tests store their failing rows
        summary.dbt = self._stage(
            summary, TEST, "Running data tests",
            lambda: self.dbt.test(select, progress=self.reporter.node_progress),
        )  # fmt: skip
        return summary

    @property
    def _dbt_log(self) -> Path:
        return dbt_log_path(self.settings.dbt_dir)

    def _generate(self):
        from sbdk.pipelines.synthetic import generate

        return generate(self.settings.config.data)

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

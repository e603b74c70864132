"""What a run did, computed from its step results alone: the summary a user sees, and the
record kept in the warehouse (orchestration/history.py).

A step's value is what its work returned (or, for a failed dbt step, the results it got
anyway): the generated tables, dlt's load, the landing, each stream's processing, dbt's
results. Nothing is written into the summary on the side while the steps run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sbdk import __version__, catalogue
from sbdk.build_mode import FULL, INCREMENTAL
from sbdk.incremental.processing import PROCESSED_SCHEMA, DownstreamResult, StreamOutcome
from sbdk.orchestration import history
from sbdk.orchestration.graph import StepResult
from sbdk.orchestration.jobs import GENERATE, LAND, LOAD, RECORD, RUN_COMMAND, TEST, Job
from sbdk.statuses import NODE_FAILING, NODE_REPORTED, NodeStatus, RunStatus, StepStatus
from sbdk.transform import DbtResult, NodeResult


@dataclass(frozen=True)
class IncrementalSummary:
    landed_days: list[date] = field(default_factory=list)
    landed_rows: dict[str, int] = field(default_factory=dict)
    streams: list[StreamOutcome] = field(default_factory=list)


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    command: str  # run | test
    mode: str  # full | incremental
    warehouse: Path
    dbt_log: Path
    steps: list[StepResult] = field(default_factory=list)
    # The raw tables' rows known before the steps ran (the job read them, it did not load).
    known_raw_rows: Mapping[str, int] = field(default_factory=dict)
    # Set when a Ctrl-C or SIGTERM stopped the run: what the project holds now, one line.
    stopped: str | None = None

    @classmethod
    def of(
        cls,
        job: Job,
        run_id: str,
        warehouse: Path,
        dbt_log: Path,
        steps: list[StepResult],
        stopped: str | None = None,
    ) -> RunSummary:
        return cls(run_id, job.command, job.mode, warehouse, dbt_log, steps, job.raw_rows, stopped)

    def step(self, name: str) -> StepResult | None:
        return next((step for step in self.steps if step.name == name), None)

    def value_of(self, name: str):
        """What step `name` produced, if it ran (and kept a value, even failing)."""
        step = self.step(name)
        return step.value if step is not None else None

    @property
    def status(self) -> RunStatus:
        if self.stopped is not None or any(
            step.status == StepStatus.INTERRUPTED or step.not_started_after_stop
            for step in self.steps
        ):
            return RunStatus.INTERRUPTED
        if self.failed_step is not None:
            return RunStatus.FAILED
        if any(step.ended_run for step in self.steps):
            return RunStatus.NO_NEW_DATA
        return RunStatus.SUCCESS

    @property
    def failed_step(self) -> StepResult | None:
        return next((step for step in self.steps if step.status == StepStatus.FAILED), None)

    @property
    def recorded(self) -> bool:
        record = self.step(RECORD)
        return record is not None and record.ok

    @property
    def raw_rows(self) -> Mapping[str, int]:
        """The raw tables' rows: as loaded by this run, or as the run found them."""
        loaded = self.step(LOAD)
        if self.mode == FULL and loaded is not None and loaded.ok:
            return loaded.value.row_counts
        return self.known_raw_rows

    @property
    def incremental(self) -> IncrementalSummary | None:
        if self.mode != INCREMENTAL or self.command != RUN_COMMAND:
            return None
        landed = self.step(LAND)
        landed_ok = landed is not None and landed.ok
        streams = self.value_of(LOAD)
        return IncrementalSummary(
            landed_days=list(landed.value.days) if landed_ok else [],
            landed_rows=dict(landed.value.rows) if landed_ok else {},
            streams=list(streams) if isinstance(streams, list) else [],
        )

    @property
    def dbt_results(self) -> list[tuple[str, DbtResult]]:
        """(step, result) of every step that ran dbt and got results back."""
        results = []
        for step in self.steps:
            value = step.value
            if isinstance(value, DownstreamResult):
                value = value.dbt
            if isinstance(value, DbtResult):
                results.append((step.name, value))
        return results

    @property
    def models(self) -> list[NodeResult]:
        return [node for _, result in self.dbt_results for node in result.models]

    @property
    def tests(self) -> list[NodeResult]:
        return [node for _, result in self.dbt_results for node in result.tests]

    @property
    def models_built(self) -> int:
        return sum(1 for node in self.models if node.ok)

    @property
    def models_failed(self) -> int:
        return sum(1 for node in self.models if node.status in NODE_FAILING)

    @property
    def tests_passed(self) -> int:
        return sum(1 for node in self.tests if node.ok)

    @property
    def tests_failed(self) -> int:
        return sum(1 for node in self.tests if node.status in NODE_FAILING)

    @property
    def tests_warned(self) -> int:
        return sum(1 for node in self.tests if node.status == NodeStatus.WARN)

    @property
    def tests_ran(self) -> bool:
        """Whether tests were run, even if none was selected (a test step that succeeded)."""
        test = self.step(TEST)
        return bool(self.tests) or (test is not None and test.ok)

    @property
    def stage_seconds(self) -> dict[str, float]:
        return {step.name: step.seconds for step in self.steps if step.started_at is not None}

    @property
    def total_seconds(self) -> float:
        return sum(self.stage_seconds.values())


def run_record(
    summary: RunSummary, started_at: datetime, finished_at: datetime
) -> history.RunRecord:
    """The run as the warehouse keeps it; `summary` holds every step but `record` itself,
    which is recorded as succeeding: the record commits, or nothing of it does."""
    failed = summary.failed_step
    invocations = {step: result.invocation_id for step, result in summary.dbt_results}
    return history.RunRecord(
        run_id=summary.run_id,
        command=summary.command,
        mode=summary.mode,
        status=summary.status,
        started_at=started_at,
        finished_at=finished_at,
        failed_step=failed.name if failed else None,
        message=failed.message if failed else None,
        models_built=summary.models_built,
        models_failed=summary.models_failed,
        tests_passed=summary.tests_passed,
        tests_failed=summary.tests_failed,
        tests_warned=summary.tests_warned,
        sbdk_version=__version__,
        steps=[
            *(
                history.StepRecord(
                    step.name, step.status, step.started_at, step.seconds, step.detail,
                    step.message, invocations.get(step.name),
                )
                for step in summary.steps
            ),
            history.StepRecord(RECORD, StepStatus.SUCCESS, finished_at, 0.0),
        ],
        tables=_table_records(summary),
        failures=[
            history.FailureRecord(
                step, node.name, node.resource_type, node.status, node.message, node.failures,
                node.failures_relation,
            )
            for step, result in summary.dbt_results
            for node in result.nodes
            if node.status in NODE_REPORTED
        ],
    )  # fmt: skip


def _table_records(summary: RunSummary) -> list[history.TableRecord]:
    records = []
    generated = summary.step(GENERATE)
    if generated is not None and generated.ok:
        records += [
            history.TableRecord(GENERATE, name, table.num_rows)
            for name, table in generated.value.by_raw_name().items()
        ]
    if summary.mode == FULL and summary.step(LOAD) is not None and summary.step(LOAD).ok:
        records += [
            history.TableRecord(LOAD, f"raw.{name}", rows)
            for name, rows in summary.raw_rows.items()
        ]
    incremental = summary.incremental
    if incremental is not None:
        records += [
            history.TableRecord(LAND, f"landing/{catalogue.stream(name).landed_dir}", rows)
            for name, rows in incremental.landed_rows.items()
        ]
        records += [
            history.TableRecord(
                LOAD,
                f"{PROCESSED_SCHEMA}.{catalogue.stream(s.stream).processed_model}",
                files=s.processed_files,
            )
            for s in incremental.streams
        ]
    return records

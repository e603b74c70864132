"""The context every command runs in: one project's settings, its warehouse, a reusable dbt
runner and a reporter, like SQLMesh's `Context`. It runs jobs (orchestration/jobs/), never
decides what they do.

Core code never prints: it reports through a `Reporter` (the CLI renders it with Rich;
tests and other tools pass `SilentReporter`) and returns plain results.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from sbdk import build_mode, project_lock, warehouse
from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.orchestration import history, interrupts
from sbdk.orchestration.graph import Step, StepResult, run_steps
from sbdk.orchestration.jobs import RECORD, Job, RunOptions
from sbdk.orchestration.jobs import full as full_job
from sbdk.orchestration.jobs import incremental as incremental_job
from sbdk.orchestration.jobs import multitenant as multitenant_job
from sbdk.orchestration.jobs import test as test_job
from sbdk.orchestration.summary import RunSummary, run_record
from sbdk.project_templates import MULTITENANT
from sbdk.statuses import StepStatus
from sbdk.transform import DbtProject, NodeProgress, dbt_log_path

__all__ = ["Reporter", "RunOptions", "RunSummary", "SilentReporter", "Workspace"]

JobFactory = Callable[["Workspace", RunOptions, str], Job]


class Reporter(Protocol):
    def step_started(self, step: str, description: str) -> None: ...

    def step_finished(self, result: StepResult) -> None: ...

    def node_progress(self, progress: NodeProgress) -> None: ...

    def run_finished(self, summary: RunSummary) -> None: ...


class SilentReporter:
    def step_started(self, step: str, description: str) -> None:
        pass

    def step_finished(self, result: StepResult) -> None:
        pass

    def node_progress(self, progress: NodeProgress) -> None:
        pass

    def run_finished(self, summary: RunSummary) -> None:
        pass


class Workspace:
    """One project's settings plus a reusable dbt runner; run it as often as you like."""

    def __init__(self, settings: Settings, reporter: Reporter | None = None) -> None:
        self.settings = settings
        self.reporter = reporter or SilentReporter()
        self.dbt = DbtProject(settings)

    # -- what jobs use -------------------------------------------------------------------

    def node_progress(self, progress: NodeProgress) -> None:
        self.reporter.node_progress(progress)

    def record_build_mode(self, mode: str, run_id: str) -> None:
        """Before dbt replaces models: `sbdk test` must test them in the mode they are in."""
        build_mode.record_built_mode(self.settings.warehouse_path, mode, run_id)

    # -- the commands --------------------------------------------------------------------

    def run(self, options: RunOptions | None = None) -> RunSummary:
        """`sbdk run`: the full or the incremental job (see orchestration/jobs/), recorded."""
        options = options or RunOptions()
        if self.settings.config.project.template == MULTITENANT:
            if options.incremental or options.full_refresh:
                raise SbdkError(
                    "the multitenant template has no incremental mode: every run lands and "
                    "routes the tenants' sources again, and the master models merge them"
                )
            return self.execute(multitenant_job.job, options)
        incremental = (
            self.settings.config.incremental.enabled
            if options.incremental is None
            else options.incremental
        )
        if incremental and options.select:
            raise SbdkError("--select is not available in incremental mode: streams decide")
        if not incremental and options.full_refresh:
            raise SbdkError("--full-refresh applies to incremental mode (add --incremental)")
        return self.execute(incremental_job.job if incremental else full_job.job, options)

    def test(self, options: RunOptions | None = None) -> RunSummary:
        """`sbdk test`: the data tests (and dbt unit tests) against the current warehouse, in
        the mode its models were last built in; `options.incremental` must agree with it."""
        return self.execute(test_job.job, options or RunOptions())

    def execute(self, declare: JobFactory, options: RunOptions) -> RunSummary:
        """Declare a job, run its steps and a last `record` step, and sum them up.

        The project's lock is held throughout: one sbdk process per project. Once it is
        held, a stop request (Ctrl-C, SIGTERM) only stops the job's declaration (which checks
        what the job needs, before any work) and the work of its steps; anywhere else it is
        remembered, so every step is accounted for and the run recorded.
        """
        run_id = history.new_run_id()
        with interrupts.deferred(), project_lock.exclusive(self.settings.state_dir):
            with interrupts.raising():  # nothing has started: a stop ends it here
                job = declare(self, options, run_id)
                # After the declaration: a job that cannot start creates no empty warehouse.
                warehouse.ensure_writable(
                    self.settings.warehouse_path, self.settings.config.warehouse.storage_version
                )
            started_at = _utc_now()

            def summarize(results: list[StepResult], stopped: str | None = None):
                return RunSummary.of(
                    job, run_id, self.settings.warehouse_path,
                    dbt_log_path(self.settings.dbt_dir), results, stopped,
                )  # fmt: skip

            def record(results: list[StepResult]) -> None:
                record = run_record(summarize(results), started_at, _utc_now())
                history.record_run(self.settings.warehouse_path, record)

            record_step = Step(
                RECORD, "Recording the run", record,
                depends_on=[step.name for step in job.steps], always=True,
                describe=lambda _: f"run {run_id}",
                if_interrupted="the run's work is complete, but the run was not recorded",
            )  # fmt: skip
            steps = [*job.steps, record_step]
            results = run_steps(steps, self.reporter)
            stopped = _stopped_state(steps, results) if interrupts.requested() else None
            summary = summarize(results, stopped)
            self.reporter.run_finished(summary)
            return summary


def _stopped_state(steps: list[Step], results: list[StepResult]) -> str | None:
    """Where a stopped run stopped, and what the project holds because of it; None if the
    stop came too late to stop anything (every step ran to its end)."""
    declared = {step.name: step for step in steps}
    for result in results:
        if result.status == StepStatus.INTERRUPTED:
            where = f"during step '{result.name}'"
        elif result.not_started_after_stop:
            where = f"before step '{result.name}'"
        else:
            continue
        state = declared[result.name].if_interrupted
        return f"{where}: {state}" if state else where
    return None


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)

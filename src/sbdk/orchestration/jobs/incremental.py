"""`sbdk run --incremental`: land what the source produced since the last run, process only the
new files, rebuild and test what depends on them.

    land -> sensor -> load -> build -> test        (--skip-generate: sensor -> load -> ...)

land writes the next simulated days as Hive-partitioned Parquet; the sensor waits for files
after each stream's cursor (or rebuilds still owed); load runs the new files through each
stream's processed model in batches, advancing its cursor; build rebuilds the models
downstream of every stream that changed, and test tests them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbdk.build_mode import INCREMENTAL
from sbdk.incremental.processing import (
    DownstreamResult,
    PendingWork,
    StreamOutcome,
    StreamProcessor,
)
from sbdk.orchestration.graph import Step, StepFailed
from sbdk.orchestration.jobs import (
    BUILD,
    LAND,
    LOAD,
    RUN_COMMAND,
    SENSOR,
    TEST,
    Job,
    RunOptions,
)
from sbdk.orchestration.jobs.dbt_steps import checked, describe_dbt
from sbdk.orchestration.sensor import SensorPolicy, wait_for

if TYPE_CHECKING:
    from sbdk.landing import LandingResult
    from sbdk.workspace import Workspace


def job(workspace: Workspace, options: RunOptions, run_id: str) -> Job:
    settings = workspace.settings
    # Read once per run; an s3:// root without s3fs fails here, before any work.
    storage_options = settings.landing_storage_options()
    processor = StreamProcessor(settings, workspace.dbt, storage_options)
    progress = workspace.node_progress
    policy = _sensor_policy(workspace, options)

    def land() -> LandingResult:
        from sbdk.landing import land_next_days  # dlt: only when landing

        return land_next_days(settings, storage_options)

    def sense() -> PendingWork:
        return wait_for(lambda: processor.pending_work(options.full_refresh), policy)

    def load() -> list[StreamOutcome]:
        outcomes = processor.process_new_files(options.full_refresh, progress)
        failed = [outcome for outcome in outcomes if outcome.failure]
        if failed:
            others = f" (also failed: {', '.join(o.stream for o in failed[1:])})"
            raise StepFailed(
                f"stream {failed[0].stream}: {failed[0].failure}"
                + (others if len(failed) > 1 else ""),
                value=outcomes,
            )
        return outcomes

    def build() -> DownstreamResult:
        workspace.record_build_mode(INCREMENTAL, run_id)
        result = processor.build_downstream(options.full_refresh, progress)
        if result.dbt is not None:
            checked(result.dbt, value=result)
        return result

    def test(build: DownstreamResult) -> DownstreamResult:
        result = processor.test_downstream(build.streams, progress)
        if result.dbt is not None:
            checked(result.dbt, value=result)
        return result

    steps = []
    if not options.skip_generate:
        steps.append(
            Step(LAND, "Landing new files", land, describe=_describe_landed,
                 if_interrupted="every day landed before the stop is kept and counted by "
                                "the landing clock; the next run lands the rest")
        )  # fmt: skip
    waiting = (
        f"Waiting for new files (up to {policy.timeout_seconds:g}s)"
        if policy.timeout_seconds
        else "Looking for new files"
    )
    steps += [
        Step(SENSOR, waiting, sense, depends_on=[LAND] if steps else [],
             describe=PendingWork.describe, if_interrupted="nothing was processed yet"),
        Step(LOAD, "Processing new files", load, depends_on=[SENSOR],
             describe=_describe_processed,
             if_interrupted="every batch processed before the stop is complete and its "
                            "cursor saved; the next run processes the rest",
             if_failed="a failed stream's cursor stays before its failed file or batch (the "
                       "other streams went on); fix the cause and run again"),
        Step(BUILD, "Rebuilding downstream models", build, depends_on=[LOAD],
             describe=_describe_downstream,
             if_interrupted="the processed tables are complete; the next run rebuilds the "
                            "models built on them"),
        Step(TEST, "Testing downstream models", test, inputs=[BUILD],
             describe=_describe_downstream,
             if_interrupted="the models are rebuilt; the next run tests them again"),
    ]  # fmt: skip
    return Job(RUN_COMMAND, INCREMENTAL, steps)


def _sensor_policy(workspace: Workspace, options: RunOptions) -> SensorPolicy:
    settings = workspace.settings.config.incremental
    poll = options.sensor_poll_seconds
    timeout = options.sensor_timeout_seconds
    return SensorPolicy(
        poll_seconds=settings.sensor_poll_seconds if poll is None else poll,
        timeout_seconds=settings.sensor_timeout_seconds if timeout is None else timeout,
    )


def _describe_landed(landed: LandingResult) -> str:
    if not landed.days:
        return "no new days: the simulated clock has reached the end of the window"
    days = landed.days
    span = f"{days[0]}" + (f" .. {days[-1]}" if len(days) > 1 else "")
    rows = ", ".join(f"{rows:,} {stream}" for stream, rows in landed.rows.items())
    return f"{span}: {rows}"


def _describe_processed(outcomes: list[StreamOutcome]) -> str:
    if not any(outcome.new_files for outcome in outcomes):
        return "no new files"
    return ", ".join(
        f"{o.stream} {o.processed_files}/{o.new_files} files" for o in outcomes if o.new_files
    )


def _describe_downstream(result: DownstreamResult) -> str:
    if result.dbt is None:
        return "nothing changed"
    return f"after {', '.join(result.streams)}: {describe_dbt(result.dbt)}"

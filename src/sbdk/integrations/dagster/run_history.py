"""Runs started from Dagster, in sbdk's run history (`sbdk history`) like sbdk's own runs.

When a run of the project's jobs ends, a run status sensor (one for success, one for failure)
reads what Dagster recorded of it and writes it into the warehouse's run history: command
`dagster`, the mode the definitions were built for, one step per asset op with its status and
time, the models built (materializations of dbt models), the tests passed, failed and warned
(asset checks, with the failing ones named) and the rows loaded or landed. The record is
written once, in one transaction, like sbdk's; a warehouse held by another run fails the
sensor's tick, and Dagster evaluates the run again at the next one.
"""

# No `from __future__ import annotations`: Dagster reads the sensor functions' annotations.

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster import DagsterEventType

from sbdk import __version__, catalogue
from sbdk.config import Settings
from sbdk.errors import one_line
from sbdk.incremental.processing import PROCESSED_SCHEMA
from sbdk.orchestration import history
from sbdk.statuses import NodeStatus, RunStatus, StepStatus
from sbdk.warehouse import RAW_SCHEMA

COMMAND = "dagster"
# The ops of the assets (full_mode.py, incremental_mode.py) and the sbdk step each one is.
OP_STEPS = {
    "raw_tables": "load",
    "landing": "land",
    "processed_models": "load",
    "dbt_models": "build",
}
DBT_OPS = {"processed_models", "dbt_models"}
_RUN_STATUS = {
    dg.DagsterRunStatus.SUCCESS: RunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE: RunStatus.FAILED,
    dg.DagsterRunStatus.CANCELED: RunStatus.INTERRUPTED,
}


def run_history_sensors(settings: Settings, mode: str) -> list[dg.SensorDefinition]:
    """The sensors that record every finished run of this code location."""

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        name="sbdk_history_success",
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Records each successful run in sbdk's run history (sbdk history).",
    )
    def record_success(context: dg.RunStatusSensorContext):
        record_dagster_run(settings, context.instance, context.dagster_run, mode)

    @dg.run_failure_sensor(
        name="sbdk_history_failure",
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Records each failed run in sbdk's run history (sbdk history).",
    )
    def record_failure(context: dg.RunFailureSensorContext):
        record_dagster_run(settings, context.instance, context.dagster_run, mode)

    return [record_success, record_failure]


def record_dagster_run(
    settings: Settings, instance: dg.DagsterInstance, run: dg.DagsterRun, mode: str
) -> history.RunRecord:
    record = dagster_run_record(instance, run, mode)
    history.record_run(settings.warehouse_path, record)
    return record


def dagster_run_record(
    instance: dg.DagsterInstance, run: dg.DagsterRun, mode: str
) -> history.RunRecord:
    """What Dagster recorded of `run`, as sbdk's run history keeps a run."""
    stats = instance.get_run_stats(run.run_id)
    steps = sorted(instance.get_run_step_stats(run.run_id), key=lambda s: s.start_time or 0)
    events = _events(instance, run.run_id)
    failures = [e for e in events if e.event_type == DagsterEventType.STEP_FAILURE]
    materialized = [e for e in events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION]
    checks = [
        e.event_specific_data
        for e in events
        if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    failed_step = next((f.step_key for f in failures), None)
    message = next((_failure_message(f) for f in failures), None)
    started = stats.start_time or stats.launch_time or 0.0
    record = history.RunRecord(
        run_id=run.run_id,
        command=COMMAND,
        mode=mode,
        status=_RUN_STATUS.get(run.status, RunStatus.FAILED),
        started_at=_utc(started),
        finished_at=_utc(stats.end_time or started),
        failed_step=failed_step,
        message=message,
        models_built=sum(1 for e in materialized if e.step_key in DBT_OPS),
        tests_passed=sum(1 for check in checks if check.passed),
        tests_failed=sum(1 for check in checks if _failed(check, dg.AssetCheckSeverity.ERROR)),
        tests_warned=sum(1 for check in checks if _failed(check, dg.AssetCheckSeverity.WARN)),
        sbdk_version=__version__,
    )
    record.steps = [
        history.StepRecord(
            step.step_key,
            _step_status(step.status),
            _utc(step.start_time) if step.start_time else None,
            (step.end_time or step.start_time or 0.0) - (step.start_time or 0.0),
            detail=OP_STEPS.get(step.step_key, ""),
            message=(message or "") if step.step_key == failed_step else "",
        )
        for step in steps
    ]
    record.tables = list(_table_records(materialized))
    record.failures = [
        history.FailureRecord(
            "test",
            check.check_name,
            "test",
            NodeStatus.WARN if check.severity == dg.AssetCheckSeverity.WARN else NodeStatus.FAIL,
            check.description or "",
        )
        for check in checks
        if not check.passed
    ]
    return record


def _events(instance: dg.DagsterInstance, run_id: str) -> list[Any]:
    kinds = {
        DagsterEventType.STEP_FAILURE,
        DagsterEventType.ASSET_MATERIALIZATION,
        DagsterEventType.ASSET_CHECK_EVALUATION,
    }
    records = instance.get_records_for_run(run_id, of_type=kinds).records
    return [record.event_log_entry.dagster_event for record in records]


def _table_records(materialized: Iterable[Any]) -> Iterable[history.TableRecord]:
    """Rows loaded into raw (raw_tables), rows landed (landing), files processed."""
    for event in materialized:
        path = event.asset_key.path
        metadata = {
            k: v.value for k, v in event.event_specific_data.materialization.metadata.items()
        }
        if event.step_key == "raw_tables" and path[0] == RAW_SCHEMA:
            yield history.TableRecord("load", f"{RAW_SCHEMA}.{path[-1]}", rows=metadata.get("rows"))
        elif event.step_key == "landing":
            stream = catalogue.stream(path[-1])
            yield history.TableRecord(
                "land", f"landing/{stream.landed_dir}", rows=metadata.get("rows")
            )
        elif event.step_key == "processed_models" and "processed_files" in metadata:
            yield history.TableRecord(
                "load", f"{PROCESSED_SCHEMA}.{path[-1]}", files=metadata["processed_files"]
            )


def _failed(check: Any, severity: dg.AssetCheckSeverity) -> bool:
    return not check.passed and check.severity == severity


def _failure_message(event: Any) -> str:
    error = event.step_failure_data.error
    text = error.message if error is not None else "failed"
    return one_line(text.split("\n\n")[0]) if text else "failed"


def _step_status(status: Any) -> StepStatus:
    name = getattr(status, "value", status)
    return {"SUCCESS": StepStatus.SUCCESS, "FAILURE": StepStatus.FAILED}.get(
        name, StepStatus.SKIPPED
    )


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)

"""The jobs as data, results passed along the step graph, and what the summary and the run
record make of the results: all without dbt, dlt or a generator run."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from sbdk.config import load_settings
from sbdk.incremental.processing import DownstreamResult, StreamOutcome
from sbdk.landing import LandingResult
from sbdk.orchestration import history
from sbdk.orchestration.graph import Step, StepFailed, StepResult, run_steps
from sbdk.orchestration.jobs import (
    BUILD,
    GENERATE,
    LAND,
    LOAD,
    RECORD,
    SENSOR,
    TEST,
    Job,
    RunOptions,
    full,
    incremental,
)
from sbdk.orchestration.summary import RunSummary, run_record
from sbdk.pipelines.load import LoadResult
from sbdk.pipelines.synthetic import SyntheticTables
from sbdk.project import scaffold_project
from sbdk.statuses import RunStatus, StepStatus
from sbdk.transform import DbtResult, NodeResult
from sbdk.workspace import Workspace

from .test_orchestration import Recorder


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "shop"
    scaffold_project(root)
    return root


def workspace(root: Path, flags: dict | None = None) -> Workspace:
    return Workspace(load_settings(root, {}, flags))


def shape(job: Job) -> list[tuple[str, list[str], list[str]]]:
    return [(step.name, list(step.inputs), list(step.depends_on)) for step in job.steps]


# -- results flow along the graph ------------------------------------------------------------


def test_each_step_gets_its_inputs_values_and_the_always_step_every_result():
    seen = {}

    def load(generate):
        seen["load"] = generate
        return len(generate)

    def record(results):
        seen["record"] = [(result.name, result.value) for result in results]

    results = run_steps(
        [
            Step("generate", "", lambda: ["a", "b"]),
            Step("load", "", load, inputs=["generate"]),
            Step("build", "", lambda: "built", depends_on=["load"]),
            Step("record", "", record, depends_on=["build"], always=True),
        ],
        Recorder(),
    )
    assert seen["load"] == ["a", "b"]
    assert seen["record"] == [("generate", ["a", "b"]), ("load", 2), ("build", "built")]
    assert [result.status for result in results] == [StepStatus.SUCCESS] * 4


def test_an_input_that_failed_blocks_the_step_that_takes_it():
    def generate():
        raise StepFailed("no memory", value="partial")

    results = run_steps(
        [Step("generate", "", generate), Step("load", "", pytest.fail, inputs=["generate"])],
        Recorder(),
    )
    assert [r.status for r in results] == [StepStatus.FAILED, StepStatus.UPSTREAM_FAILED]
    assert results[0].value == "partial"
    assert isinstance(results[0].error, StepFailed)  # kept for --debug's traceback


# -- the jobs' declarations -----------------------------------------------------------------


def test_the_full_job_generates_loads_builds_and_tests(project):
    job = full.job(workspace(project), RunOptions(), "run-1")
    assert (job.command, job.mode, dict(job.raw_rows)) == ("run", "full", {})
    assert shape(job) == [
        (GENERATE, [], []),
        (LOAD, [GENERATE], []),  # the generated tables are the load's input
        (BUILD, [], [LOAD]),
        (TEST, [], [BUILD]),
    ]
    assert all(step.if_interrupted for step in job.steps)


def test_the_full_job_without_generating_needs_raw_data_first(project):
    from sbdk.errors import SbdkError

    with pytest.raises(SbdkError, match="run `sbdk run` first"):
        full.job(workspace(project), RunOptions(skip_generate=True), "run-1")


def test_the_incremental_job_lands_senses_processes_builds_and_tests(project):
    flags = {"incremental": {"enabled": True}}
    job = incremental.job(workspace(project, flags), RunOptions(), "run-1")
    assert (job.command, job.mode) == ("run", "incremental")
    assert shape(job) == [
        (LAND, [], []),
        (SENSOR, [], [LAND]),
        (LOAD, [], [SENSOR]),
        (BUILD, [], [LOAD]),
        (TEST, [BUILD], []),  # tests the streams the build rebuilt
    ]
    skipping = incremental.job(workspace(project, flags), RunOptions(skip_generate=True), "r")
    assert [step.name for step in skipping.steps] == [SENSOR, LOAD, BUILD, TEST]
    assert skipping.steps[0].depends_on == []


# -- the summary and the record, from step results ------------------------------------------

STARTED = datetime(2026, 1, 1, 12, 0, 0)


def node(name: str, resource_type: str, status: str, **extra) -> NodeResult:
    return NodeResult(f"{resource_type}.{name}", name, resource_type, status, 0.1, **extra)


def result(name: str, status=StepStatus.SUCCESS, value=None, **extra) -> StepResult:
    return StepResult(name, status, started_at=STARTED, seconds=1.5, value=value, **extra)


def summary_of(job: Job, steps: list[StepResult], stopped: str | None = None) -> RunSummary:
    return RunSummary.of(job, "run-1", Path("/w.duckdb"), Path("/dbt.log"), steps, stopped)


def full_run_results(test_nodes: list[NodeResult]) -> list[StepResult]:
    tables = SyntheticTables(
        users=pa.table({"id": [1, 2]}),
        events=pa.table({"id": [1, 2, 3]}),
        orders=pa.table({"id": [7]}),
    )
    loaded = LoadResult({"raw_users": 2, "raw_events": 3, "raw_orders": 1}, "load-1")
    built = DbtResult("run", True, [node("stg_users", "model", "success")], invocation_id="i1")
    tested = DbtResult("test", False, test_nodes, invocation_id="i2")
    return [
        result(GENERATE, value=tables, detail="2 users"),
        result(LOAD, value=loaded),
        result(BUILD, value=built),
        result(TEST, StepStatus.FAILED, value=tested, message="1 test(s) failed"),
    ]


def test_a_full_run_record_is_made_of_its_steps_results():
    failing = node("unique_users_id", "test", "fail", failures=3, failures_relation="f.t")
    warned = node("orders_recent", "test", "warn", message="stale")
    steps = full_run_results([node("not_null", "test", "pass"), failing, warned])
    summary = summary_of(Job("run", "full", []), steps)

    assert summary.status == RunStatus.FAILED and summary.failed_step.name == TEST
    assert summary.raw_rows == {"raw_users": 2, "raw_events": 3, "raw_orders": 1}
    assert (summary.models_built, summary.tests_passed) == (1, 1)
    assert (summary.tests_failed, summary.tests_warned) == (1, 1)
    assert not summary.recorded  # no record step among the results

    record = run_record(summary, STARTED, datetime(2026, 1, 1, 12, 0, 9))
    assert (record.status, record.failed_step, record.message) == (
        "failed",
        TEST,
        "1 test(s) failed",
    )
    assert record.seconds == 9
    assert [(s.step, s.status, s.dbt_invocation_id) for s in record.steps] == [
        (GENERATE, "success", None),
        (LOAD, "success", None),
        (BUILD, "success", "i1"),
        (TEST, "failed", "i2"),
        (RECORD, "success", None),
    ]
    assert [(t.step, t.table_name, t.rows) for t in record.tables] == [
        (GENERATE, "raw_users", 2),
        (GENERATE, "raw_events", 3),
        (GENERATE, "raw_orders", 1),
        (LOAD, "raw.raw_users", 2),
        (LOAD, "raw.raw_events", 3),
        (LOAD, "raw.raw_orders", 1),
    ]
    assert [(f.node, f.status, f.failing_rows, f.failures_relation) for f in record.failures] == [
        ("unique_users_id", "fail", 3, "f.t"),
        ("orders_recent", "warn", None, None),
    ]


def test_a_failed_load_records_no_loaded_rows():
    steps = full_run_results([])[:2]
    steps[1] = result(LOAD, StepStatus.FAILED, message="disk full")
    summary = summary_of(Job("run", "full", []), steps)
    assert summary.raw_rows == {}
    assert [t.step for t in run_record(summary, STARTED, STARTED).tables] == [GENERATE] * 3


def test_an_incremental_run_record_names_the_landed_streams_and_processed_files():
    landed = LandingResult([date(2025, 1, 2)], rows={"users": 40, "events": 100})
    outcomes = [
        StreamOutcome("users", new_files=1, processed_files=1, batches=1),
        StreamOutcome("events", new_files=2, processed_files=0, failure="batch 1 failed"),
    ]
    steps = [
        result(LAND, value=landed),
        result(SENSOR),
        result(LOAD, StepStatus.FAILED, value=outcomes, message="stream events: batch 1"),
        result(BUILD, StepStatus.UPSTREAM_FAILED, value=None),
    ]
    summary = summary_of(Job("run", "incremental", []), steps)
    assert summary.incremental.landed_days == [date(2025, 1, 2)]
    assert summary.incremental.streams == outcomes
    record = run_record(summary, STARTED, STARTED)
    assert [(t.step, t.table_name, t.rows, t.files) for t in record.tables] == [
        (LAND, "landing/app/users", 40, None),
        (LAND, "landing/app/events", 100, None),
        (LOAD, "processed.int_app__users", None, 1),
        (LOAD, "processed.int_app__events", None, 0),
    ]


def test_a_run_stopped_between_steps_is_recorded_as_interrupted():
    """The record step sums up the run before the workspace knows it was stopped: a step
    skipped because of the stop must make it an interrupted run, not a successful one."""
    steps = full_run_results([])[:2] + [
        StepResult(BUILD, StepStatus.SKIPPED, not_started_after_stop=True),
        StepResult(TEST, StepStatus.SKIPPED, not_started_after_stop=True),
    ]
    summary = summary_of(Job("run", "full", []), steps)
    assert summary.status == RunStatus.INTERRUPTED
    assert run_record(summary, STARTED, STARTED).status == "interrupted"


def test_a_sensor_that_found_nothing_is_no_new_data_and_a_stop_is_interrupted():
    steps = [result(SENSOR, ended_run=True, message="no new data")]
    job = Job("run", "incremental", [])
    assert summary_of(job, steps).status == RunStatus.NO_NEW_DATA
    assert summary_of(job, steps, stopped="before step 'load'").status == RunStatus.INTERRUPTED
    downstream = DownstreamResult(["users"], DbtResult("test", True, []))
    tested = summary_of(Job("test", "incremental", []), [result(TEST, value=downstream)])
    assert tested.incremental is None and tested.tests_ran


# -- the workspace runs a job and records it ------------------------------------------------


def test_the_workspace_runs_a_declared_job_and_records_what_its_steps_returned(project):
    def declare(workspace, options, run_id):
        loaded = LoadResult({"raw_users": 5, "raw_events": 0, "raw_orders": 0}, "l")
        return Job(
            "run",
            "full",
            [
                Step(LOAD, "", lambda: loaded),
                Step(BUILD, "", lambda: DbtResult("run", True, []), depends_on=[LOAD]),
            ],
        )

    class Reporter(Recorder):
        def run_finished(self, summary) -> None:
            self.summary = summary

    reporter = Reporter()
    settings = load_settings(project, {})
    ran = Workspace(settings, reporter).execute(declare, RunOptions())
    assert reporter.started == [LOAD, BUILD, RECORD]
    assert reporter.summary is ran  # the summary is rendered by the same reporter
    assert ran.status == RunStatus.SUCCESS and ran.recorded
    assert [step.name for step in ran.steps] == [LOAD, BUILD, RECORD]
    [recorded] = history.recent_runs(project / "data" / "warehouse.duckdb", 5)
    assert recorded.run_id == ran.run_id and recorded.status == "success"
    stored = history.find_run(project / "data" / "warehouse.duckdb", ran.run_id)
    assert [(t.table_name, t.rows) for t in stored.tables] == [
        ("raw.raw_users", 5),
        ("raw.raw_events", 0),
        ("raw.raw_orders", 0),
    ]


def test_debug_reraises_the_failed_steps_own_exception_with_its_traceback(monkeypatch):
    import traceback

    from sbdk import cli
    from sbdk.errors import SbdkError

    def build():
        raise SbdkError("the model is broken")

    results = run_steps([Step(BUILD, "", build)], Recorder())
    summary = summary_of(Job("run", "full", []), results)
    monkeypatch.setitem(cli._state, "debug", True)
    with pytest.raises(SbdkError) as raised:
        cli._finish(lambda: summary, "sbdk run")
    assert raised.value is results[0].error
    frames = [frame.name for frame in traceback.extract_tb(raised.value.__traceback__)]
    assert "build" in frames  # where it was raised, not only where the CLI re-raised it

    monkeypatch.setitem(cli._state, "debug", False)
    with pytest.raises(SbdkError, match=r"failed at step 'build': the model is broken$"):
        cli._finish(lambda: summary, "sbdk run")

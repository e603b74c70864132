"""The jobs behind `sbdk run` and `sbdk test`, each a graph of steps like an orchestrator's DAG.

full mode:         generate -> load -> build -> test -> record
incremental mode:  land -> sensor -> load -> build -> test -> record
`sbdk test`:       test -> record

`load` is dlt loading the raw tables (full) or the landed files processed into the processed
models (incremental); `build` is `dbt run`, `test` is `dbt test` (data and unit tests);
`record` always runs and writes the run into the warehouse (orchestration/history.py).

Core code never prints: it reports through a `Reporter` (the CLI renders it with Rich;
tests and other tools pass `SilentReporter`) and returns plain results.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from sbdk import __version__, build_mode, project_lock, warehouse
from sbdk.build_mode import FULL, INCREMENTAL
from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.incremental.processing import (
    MODE_VARS,
    DownstreamResult,
    PendingWork,
    StreamOutcome,
    StreamProcessor,
)
from sbdk.orchestration import history, interrupts
from sbdk.orchestration.graph import (
    FAILED,
    INTERRUPTED,
    Step,
    StepFailed,
    StepResult,
    run_steps,
)
from sbdk.orchestration.sensor import SensorPolicy, wait_for
from sbdk.transform import DbtProject, DbtResult, NodeProgress, dbt_log_path

GENERATE, LOAD, BUILD, TEST, RECORD = "generate", "load", "build", "test", "record"
LAND, SENSOR = "land", "sensor"


class Reporter(Protocol):
    def step_started(self, step: str, description: str) -> None: ...

    def step_finished(self, result: StepResult) -> None: ...

    def node_progress(self, progress: NodeProgress) -> None: ...


class SilentReporter:
    def step_started(self, step: str, description: str) -> None:
        pass

    def step_finished(self, result: StepResult) -> None:
        pass

    def node_progress(self, progress: NodeProgress) -> None:
        pass


@dataclass
class IncrementalSummary:
    landed_days: list[date] = field(default_factory=list)
    landed_rows: dict[str, int] = field(default_factory=dict)
    streams: list[StreamOutcome] = field(default_factory=list)


@dataclass
class RunSummary:
    run_id: str
    command: str  # run | test
    mode: str  # full | incremental
    warehouse: Path
    dbt_log: Path
    steps: list[StepResult] = field(default_factory=list)
    raw_rows: dict[str, int] = field(default_factory=dict)
    incremental: IncrementalSummary | None = None
    recorded: bool = False
    # Set when a Ctrl-C or SIGTERM stopped the run: what the project holds now, one line.
    stopped: str | None = None

    def step(self, name: str) -> StepResult | None:
        return next((step for step in self.steps if step.name == name), None)

    @property
    def status(self) -> str:
        """success, failed, interrupted, or no_new_data (a sensor found nothing: not a failure)."""
        if self.stopped is not None or any(step.status == INTERRUPTED for step in self.steps):
            return "interrupted"
        if self.failed_step is not None:
            return FAILED
        if any(step.ended_run for step in self.steps):
            return "no_new_data"
        return "success"

    @property
    def success(self) -> bool:
        return self.status in {"success", "no_new_data"}

    @property
    def failed_step(self) -> StepResult | None:
        return next((step for step in self.steps if step.status == FAILED), None)

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
    def models(self) -> list:
        return [node for _, result in self.dbt_results for node in result.models]

    @property
    def tests(self) -> list:
        return [node for _, result in self.dbt_results for node in result.tests]

    @property
    def models_built(self) -> int:
        return sum(1 for node in self.models if node.ok)

    @property
    def models_failed(self) -> int:
        return sum(1 for node in self.models if node.status in {"fail", "error"})

    @property
    def tests_passed(self) -> int:
        return sum(1 for node in self.tests if node.ok)

    @property
    def tests_failed(self) -> int:
        return sum(1 for node in self.tests if node.status in {"fail", "error"})

    @property
    def tests_warned(self) -> int:
        return sum(1 for node in self.tests if node.status == "warn")

    @property
    def stage_seconds(self) -> dict[str, float]:
        return {step.name: step.seconds for step in self.steps if step.started_at is not None}

    @property
    def total_seconds(self) -> float:
        return sum(self.stage_seconds.values())


@dataclass(frozen=True)
class RunOptions:
    skip_generate: bool = False  # in incremental mode: land nothing, process what is there
    select: Sequence[str] = ()
    incremental: bool | None = None  # None: the project's [incremental] enabled setting
    full_refresh: bool = False
    sensor_timeout_seconds: float | None = None  # None: the project's setting
    sensor_poll_seconds: float | None = None


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
        """Run the mode's step graph (see the module docstring) and record it."""
        incremental = self.incremental if options.incremental is None else options.incremental
        if incremental and options.select:
            raise SbdkError("--select is not available in incremental mode: streams decide")
        if not incremental and options.full_refresh:
            raise SbdkError("--full-refresh applies to incremental mode (add --incremental)")
        with self._exclusive():
            with interrupts.raising():  # nothing has started: a stop ends it here
                summary = self._summary("run", INCREMENTAL if incremental else FULL)
                # Built first: with --skip-generate in full mode, a warehouse without raw data
                # stops the run here, before ensure_writable would create an empty file.
                steps = (
                    self._incremental_steps(summary, options)
                    if incremental
                    else self._full_steps(summary, options)
                )
                warehouse.ensure_writable(self.settings.warehouse_path)
            return self._execute(summary, steps)

    def test(self, select: Sequence[str] = (), incremental: bool | None = None) -> RunSummary:
        """Run the data tests (and dbt unit tests) against the current warehouse, recorded, in
        the mode its models were last built in; `incremental` (a flag) must agree with it."""
        with self._exclusive():
            with interrupts.raising():  # nothing has started: a stop ends it here
                asked = None if incremental is None else (INCREMENTAL if incremental else FULL)
                mode = build_mode.mode_to_test(self.settings.warehouse_path, asked)
                summary = self._summary("test", mode)
                variables = MODE_VARS if mode == INCREMENTAL else None
                if mode == FULL:
                    summary.raw_rows = warehouse.raw_row_counts(self.settings.warehouse_path)
                # tests store failing rows
                warehouse.ensure_writable(self.settings.warehouse_path)
            steps = [
                Step(
                    TEST, "Running data tests",
                    lambda: _checked(self.dbt.test(select, self.reporter.node_progress,
                                                   variables=variables)),
                    describe=_describe_dbt,
                    if_interrupted="no data changed; not every test ran",
                ),
            ]  # fmt: skip
            return self._execute(summary, steps)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """The project's lock: one sbdk process per project (see project_lock). Once the lock
        is held, a stop request is only remembered outside the work of a step and the
        preparation before them (`interrupts.raising()`): every step is accounted for."""
        with interrupts.deferred(), project_lock.exclusive(self.settings.state_dir):
            yield

    # -- the graphs ----------------------------------------------------------------------

    def _full_steps(self, summary: RunSummary, options: RunOptions) -> list[Step]:
        steps: list[Step] = []
        if options.skip_generate:
            summary.raw_rows = warehouse.raw_row_counts(self.settings.warehouse_path)
        else:
            generated: dict[str, Any] = {}

            def generate():
                generated["tables"] = self._generate()
                return generated["tables"]

            def load():
                loaded = self._load(generated["tables"])
                summary.raw_rows = loaded.row_counts
                return loaded

            steps += [
                Step(GENERATE, "Generating synthetic data", generate, describe=_describe_generated,
                     if_interrupted=_UNCHANGED),
                Step(LOAD, "Loading raw tables with dlt", load, [GENERATE],
                     describe=lambda loaded: f"{sum(loaded.row_counts.values()):,} rows into raw",
                     if_interrupted=f"{_UNCHANGED} (new raw tables are published all at once, "
                                    "at the end of the load)"),
            ]  # fmt: skip
        upstream = [LOAD] if steps else []
        progress = self.reporter.node_progress
        raw = "the raw tables hold the new data; " if steps else ""

        def build():
            self._record_mode(FULL, summary)
            return _checked(self.dbt.run(options.select, progress=progress))

        steps += [
            Step(BUILD, "Building models", build, upstream, describe=_describe_dbt,
                 if_interrupted=f"{raw}each model holds its new or its previous version"),
            Step(TEST, "Running data tests", lambda: _checked(self.dbt.test(options.select,
                 progress)), [BUILD], describe=_describe_dbt,
                 if_interrupted=f"{raw}every model is rebuilt; not every test ran"),
        ]  # fmt: skip
        return steps

    def _incremental_steps(self, summary: RunSummary, options: RunOptions) -> list[Step]:
        state = summary.incremental = IncrementalSummary()
        # Read once per run; an s3:// root without s3fs fails here, before any work.
        storage_options = self.settings.landing_storage_options()
        processor = StreamProcessor(self.settings, self.dbt, storage_options)
        progress = self.reporter.node_progress
        settings = self.settings.config.incremental
        policy = SensorPolicy(
            poll_seconds=_first_given(options.sensor_poll_seconds, settings.sensor_poll_seconds),
            timeout_seconds=_first_given(
                options.sensor_timeout_seconds, settings.sensor_timeout_seconds
            ),
        )
        downstream: dict[str, list[str]] = {}

        def land():
            landed = self._land(storage_options)
            state.landed_days, state.landed_rows = landed.days, landed.rows
            return landed

        def load():
            state.streams = processor.process_new_files(options.full_refresh, progress)
            failed = [s for s in state.streams if s.failure]
            if failed:
                others = f" (also failed: {', '.join(s.stream for s in failed[1:])})"
                raise StepFailed(
                    f"stream {failed[0].stream}: {failed[0].failure}"
                    + (others if len(failed) > 1 else ""),
                    value=state.streams,
                )
            return state.streams

        def build():
            self._record_mode(INCREMENTAL, summary)
            result = processor.build_downstream(options.full_refresh, progress)
            downstream["streams"] = result.streams
            if result.dbt is not None:
                _checked(result.dbt, value=result)
            return result

        def test():
            result = processor.test_downstream(downstream["streams"], progress)
            if result.dbt is not None:
                _checked(result.dbt, value=result)
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
            Step(SENSOR, waiting,
                 lambda: wait_for(lambda: processor.pending_work(options.full_refresh), policy),
                 [LAND] if steps else [], describe=PendingWork.describe,
                 if_interrupted="nothing was processed yet"),
            Step(LOAD, "Processing new files", load, [SENSOR], describe=_describe_processed,
                 if_interrupted="every batch processed before the stop is complete and its "
                                "cursor saved; the next run processes the rest"),
            Step(BUILD, "Rebuilding downstream models", build, [LOAD],
                 describe=_describe_downstream,
                 if_interrupted="the processed tables are complete; the next run rebuilds the "
                                "models built on them"),
            Step(TEST, "Testing downstream models", test, [BUILD],
                 describe=_describe_downstream,
                 if_interrupted="the models are rebuilt; the next run tests them again"),
        ]  # fmt: skip
        return steps

    # -- running and recording -----------------------------------------------------------

    def _summary(self, command: str, mode: str) -> RunSummary:
        return RunSummary(
            run_id=history.new_run_id(),
            command=command,
            mode=mode,
            warehouse=self.settings.warehouse_path,
            dbt_log=dbt_log_path(self.settings.dbt_dir),
        )

    def _execute(self, summary: RunSummary, steps: list[Step]) -> RunSummary:
        started_at = _utc_now()
        collector = _Collector(self.reporter, summary)
        record = Step(
            RECORD, "Recording the run",
            lambda: self._record(summary, started_at),
            [step.name for step in steps], always=True,
            describe=lambda _: f"run {summary.run_id}",
            if_interrupted="the run's work is complete, but the run was not recorded",
        )  # fmt: skip
        run_steps([*steps, record], collector)
        if interrupts.requested():
            summary.stopped = _stopped_state([*steps, record], summary.steps)
        return summary

    def _record_mode(self, mode: str, summary: RunSummary) -> None:
        """Before dbt replaces models: `sbdk test` must test them in the mode they are in."""
        build_mode.record_built_mode(self.settings.warehouse_path, mode, summary.run_id)

    def _record(self, summary: RunSummary, started_at: datetime) -> None:
        history.record_run(self.settings.warehouse_path, _run_record(summary, started_at))
        summary.recorded = True

    def _generate(self):
        from sbdk.pipelines.synthetic import generate

        return generate(self.settings.config.data)

    def _land(self, storage_options: dict):
        from sbdk.landing import land_next_days

        return land_next_days(self.settings, storage_options)

    def _load(self, tables):
        from sbdk.pipelines.load import load_raw

        return load_raw(tables.by_raw_name(), self.settings.warehouse_path, self.settings.state_dir)


class _Collector:
    """Passes step events on to the reporter and keeps each result in the summary, so the
    record step (which runs last) sees every other step's outcome."""

    def __init__(self, reporter: Reporter, summary: RunSummary) -> None:
        self.reporter = reporter
        self.summary = summary

    def step_started(self, step: str, description: str) -> None:
        self.reporter.step_started(step, description)

    def step_finished(self, result: StepResult) -> None:
        self.summary.steps.append(result)
        self.reporter.step_finished(result)


_UNCHANGED = "the warehouse was not changed"


def _stopped_state(steps: list[Step], results: list[StepResult]) -> str | None:
    """Where a stopped run stopped, and what the project holds because of it; None if the
    stop came too late to stop anything (every step ran to its end)."""
    declared = {step.name: step for step in steps}
    for result in results:
        if result.status == INTERRUPTED:
            where = f"during step '{result.name}'"
        elif result.not_started_after_stop:
            where = f"before step '{result.name}'"
        else:
            continue
        state = declared[result.name].if_interrupted
        return f"{where}: {state}" if state else where
    return None


def _checked(result: DbtResult, value: Any = None) -> DbtResult:
    """Fail the step, keeping the results, when dbt could not run or a node failed."""
    if result.error:
        raise StepFailed(f"dbt {result.command} failed: {result.error}", value=value or result)
    if result.failed:
        # dbt reports its on-run-end hook (the observability recorder) as an "operation" node
        hooks = [node for node in result.failed if node.resource_type == "operation"]
        models = [n for n in result.failed if not n.is_test and n.resource_type != "operation"]
        tests = [node for node in result.failed if node.is_test]
        parts = []
        if models:
            parts.append(f"{len(models)} model(s) failed: {_names(models)}")
        if tests:
            parts.append(f"{len(tests)} test(s) failed: {_names(tests)}")
        if hooks:
            parts.append(f"the on-run-end hook failed: {hooks[0].message}")
        raise StepFailed("; ".join(parts), value=value or result)
    return result


def _names(nodes) -> str:
    shown = ", ".join(node.name for node in nodes[:3])
    return shown + (f" and {len(nodes) - 3} more" if len(nodes) > 3 else "")


def _run_record(summary: RunSummary, started_at: datetime) -> history.RunRecord:
    failed = summary.failed_step
    run = history.RunRecord(
        run_id=summary.run_id,
        command=summary.command,
        mode=summary.mode,
        status=summary.status,
        started_at=started_at,
        finished_at=_utc_now(),
        failed_step=failed.name if failed else None,
        message=failed.message if failed else None,
        models_built=summary.models_built,
        models_failed=summary.models_failed,
        tests_passed=summary.tests_passed,
        tests_failed=summary.tests_failed,
        tests_warned=summary.tests_warned,
        sbdk_version=__version__,
    )
    invocations = {step: result.invocation_id for step, result in summary.dbt_results}
    run.steps = [
        history.StepRecord(
            step.name, step.status, step.started_at, step.seconds, step.detail, step.message,
            invocations.get(step.name),
        )
        for step in summary.steps
    ]  # fmt: skip
    # The record step is running: it is recorded as succeeding if the insert commits.
    run.steps.append(history.StepRecord(RECORD, "success", run.finished_at, 0.0))
    run.tables = _table_records(summary)
    run.failures = [
        history.FailureRecord(
            step, node.name, node.resource_type, node.status, node.message, node.failures,
            node.failures_relation,
        )
        for step, result in summary.dbt_results
        for node in result.nodes
        if node.status in {"fail", "error", "warn"}
    ]  # fmt: skip
    return run


def _table_records(summary: RunSummary) -> list[history.TableRecord]:
    records = []
    generated = summary.step(GENERATE)
    if generated is not None and generated.ok:
        records += [
            history.TableRecord(GENERATE, name, table.num_rows)
            for name, table in generated.value.by_raw_name().items()
        ]
    loaded = summary.step(LOAD)
    if summary.mode == FULL and loaded is not None and loaded.ok:
        records += [
            history.TableRecord(LOAD, f"raw.{name}", rows)
            for name, rows in loaded.value.row_counts.items()
        ]
    state = summary.incremental
    if state is not None:
        records += [
            history.TableRecord(LAND, f"landing/app/{stream}", rows)
            for stream, rows in state.landed_rows.items()
        ]
        records += [
            history.TableRecord(LOAD, f"processed.int_app__{s.stream}", files=s.processed_files)
            for s in state.streams
        ]
    return records


def _describe_generated(tables) -> str:
    return ", ".join(
        f"{t.num_rows:,} {n.removeprefix('raw_')}" for n, t in tables.by_raw_name().items()
    )


def _describe_landed(landed) -> str:
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
    return f"after {', '.join(result.streams)}: {_describe_dbt(result.dbt)}"


def _describe_dbt(result: DbtResult) -> str:
    if result.error:
        return "could not run"
    parts = []
    if result.models:
        parts.append(f"{result.models_built}/{len(result.models)} models built")
    if result.tests:
        parts.append(f"{result.tests_passed}/{len(result.tests)} tests passed")
        if result.tests_warned:
            parts.append(f"{result.tests_warned} warned")
    return ", ".join(parts) or "nothing selected"


def _first_given(value: float | None, default: float) -> float:
    return default if value is None else value


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)

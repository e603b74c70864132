"""The step graph, the sensor and the run history, without dbt."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sbdk.errors import SbdkError
from sbdk.orchestration import history, interrupts
from sbdk.orchestration.graph import NothingToDo, Step, StepFailed, run_steps
from sbdk.orchestration.sensor import SensorPolicy, wait_for


class Recorder:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list = []

    def step_started(self, step: str, description: str) -> None:
        self.started.append(step)

    def step_finished(self, result) -> None:
        self.finished.append(result)


def fail(message: str):
    def work():
        raise SbdkError(message)

    return work


def statuses(results) -> dict[str, str]:
    return {result.name: result.status for result in results}


def test_a_failed_step_stops_its_dependents_but_not_independent_steps():
    ran = []
    steps = [
        Step("extract", "", lambda: ran.append("extract") or 3, describe=lambda n: f"{n} rows"),
        Step("load", "", fail("disk full"), depends_on=["extract"]),
        Step("build", "", lambda: ran.append("build"), depends_on=["load"]),
        Step("docs", "", lambda: ran.append("docs"), depends_on=["extract"]),
        Step(
            "record",
            "",
            lambda results: ran.append("record"),
            depends_on=["build", "docs"],
            always=True,
        ),
    ]
    reporter = Recorder()
    results = run_steps(steps, reporter)

    assert statuses(results) == {
        "extract": "success",
        "load": "failed",
        "build": "upstream_failed",
        "docs": "success",
        "record": "success",
    }
    assert ran == ["extract", "docs", "record"]
    assert results[0].detail == "3 rows" and results[0].value == 3
    assert results[1].message == "disk full"
    assert results[2].message == "not run: load failed"
    assert reporter.started == ["extract", "load", "docs", "record"]  # build never started
    assert [r.name for r in reporter.finished] == [s.name for s in steps]


def test_a_step_failure_keeps_what_the_step_produced():
    def build():
        raise StepFailed("1 model(s) failed: orders", value={"built": 9})

    [result] = run_steps(
        [Step("build", "", build, describe=lambda v: f"{v['built']} built")], Recorder()
    )
    assert result.status == "failed"
    assert result.value == {"built": 9}
    assert result.detail == "9 built"


def test_an_unexpected_exception_fails_the_step_with_a_one_line_message():
    def crash():
        raise ValueError("bad\nvalue")

    [result] = run_steps([Step("load", "", crash)], Recorder())
    assert result.status == "failed"
    assert result.message == "unexpected ValueError: bad value"
    assert isinstance(result.error, ValueError)


def test_nothing_to_do_skips_dependents_and_is_not_a_failure():
    def sensor():
        raise NothingToDo("no new data")

    results = run_steps(
        [
            Step("sensor", "", sensor),
            Step("load", "", lambda: pytest.fail("must not run"), depends_on=["sensor"]),
            Step("build", "", lambda: pytest.fail("must not run"), depends_on=["load"]),
            Step("record", "", lambda results: "recorded", depends_on=["build"], always=True),
        ],
        Recorder(),
    )
    assert statuses(results) == {
        "sensor": "success",
        "load": "skipped",
        "build": "skipped",
        "record": "success",
    }
    assert results[0].ended_run and results[0].detail == "no new data"
    assert results[1].message == results[2].message == "no new data"


@pytest.fixture
def stop_requests():
    """The process-wide stop request, cleared before and after the test."""
    interrupts.reset()
    yield interrupts
    interrupts.reset()


def test_ctrl_c_marks_the_step_interrupted_and_runs_only_always_steps(stop_requests):
    recorded = []

    def load():
        raise KeyboardInterrupt

    reporter = Recorder()
    results = run_steps(
        [
            Step("load", "", load),
            Step("build", "", lambda: pytest.fail("must not run"), depends_on=["load"]),
            Step("docs", "", lambda: pytest.fail("must not run")),
            Step(
                "record",
                "",
                lambda results: recorded.append(True),
                depends_on=["build"],
                always=True,
            ),
        ],
        reporter,
    )
    assert statuses(results) == {
        "load": "interrupted",
        "build": "skipped",
        "docs": "skipped",  # independent of load, but the user asked the run to stop
        "record": "success",
    }
    assert results[1].message == "not run: the run was interrupted"
    assert recorded == [True]
    assert stop_requests.requested()


def test_a_stop_request_swallowed_inside_a_step_still_stops_the_run(stop_requests):
    """Python drops a KeyboardInterrupt raised in a finalizer ("Exception ignored in ..."):
    the step ends normally, but the signal handler has noted the request."""

    def load():
        stop_requests.note()  # what the handler does before its exception is dropped
        return "loaded"

    results = run_steps(
        [
            Step("load", "", load),
            Step("build", "", lambda: pytest.fail("must not run"), depends_on=["load"]),
            Step("record", "", lambda results: "recorded", depends_on=["build"], always=True),
        ],
        Recorder(),
    )
    assert statuses(results) == {"load": "success", "build": "skipped", "record": "success"}


def test_a_library_failure_caused_by_a_stop_request_is_an_interruption(stop_requests):
    def extract():
        stop_requests.note()  # dlt saw the signal and raised its own step exception
        raise RuntimeError("PipelineStepFailed: extract failed: signal received")

    [result] = run_steps([Step("extract", "", extract)], Recorder())
    assert result.status == "interrupted"
    assert result.message == "interrupted"


def test_signals_raise_keyboard_interrupt_once_and_are_remembered(stop_requests):
    import signal

    previous = {number: signal.getsignal(number) for number in stop_requests.STOP_SIGNALS}
    try:
        stop_requests.install()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)
        assert stop_requests.requested() and stop_requests.exit_code() == 143
        assert stop_requests.describe() == "SIGTERM"
        signal.raise_signal(signal.SIGINT)  # a second signal while stopping: ignored
        assert stop_requests.received_signal() == signal.SIGINT
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def test_a_signal_the_parent_ignores_stays_ignored(stop_requests):
    import signal

    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_requests.install()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def installed_handlers(stop_requests):
    """sbdk's SIGINT/SIGTERM handlers installed for the test, the previous ones restored."""
    import signal

    previous = {number: signal.getsignal(number) for number in stop_requests.STOP_SIGNALS}
    stop_requests.install()
    yield stop_requests
    for number, handler in previous.items():
        signal.signal(number, handler)


class SignalWhileReporting(Recorder):
    """A reporter that gets a real SIGINT while it prints that `step` started: the user
    pressed Ctrl-C the moment the step's line appeared."""

    def __init__(self, step: str) -> None:
        super().__init__()
        self.step = step

    def step_started(self, step: str, description: str) -> None:
        import signal

        super().step_started(step, description)
        if step == self.step:
            signal.raise_signal(signal.SIGINT)


def test_a_signal_while_a_step_is_reported_stops_the_step_not_the_runner(installed_handlers):
    ran = []
    reporter = SignalWhileReporting("build")
    results = run_steps(
        [
            Step("load", "", lambda: ran.append("load")),
            Step("build", "", lambda: ran.append("build"), depends_on=["load"]),
            Step("test", "", lambda: ran.append("test"), depends_on=["build"]),
            Step(
                "record", "", lambda results: ran.append("record"), depends_on=["test"], always=True
            ),
        ],
        reporter,
    )
    # Every step is accounted for (none lost to an exception in the runner), the step whose
    # start was being shown did not begin its work, and the run was still recorded.
    assert [result.name for result in results] == ["load", "build", "test", "record"]
    assert [result.name for result in reporter.finished] == ["load", "build", "test", "record"]
    assert ran == ["load", "record"]
    assert statuses(results)["build"] == "interrupted"
    assert statuses(results)["test"] == "skipped" and results[2].not_started_after_stop
    assert installed_handlers.requested()


def test_a_signal_between_steps_starts_no_further_step(installed_handlers):
    import signal

    ran = []

    def load():
        ran.append("load")
        return "loaded"

    class SignalAfterLoad(Recorder):
        def step_finished(self, result) -> None:
            super().step_finished(result)
            if result.name == "load":
                signal.raise_signal(signal.SIGTERM)

    results = run_steps(
        [
            Step("load", "", load),
            Step("build", "", lambda: ran.append("build"), depends_on=["load"]),
            Step(
                "record",
                "",
                lambda results: ran.append("record"),
                depends_on=["build"],
                always=True,
            ),
        ],
        SignalAfterLoad(),
    )
    assert statuses(results) == {"load": "success", "build": "skipped", "record": "success"}
    assert results[0].value == "loaded"  # the finished step keeps its result
    assert ran == ["load", "record"]
    assert installed_handlers.describe() == "SIGTERM"


def test_a_signal_inside_a_step_still_interrupts_its_work(installed_handlers):
    import signal

    def build():
        signal.raise_signal(signal.SIGINT)
        pytest.fail("the signal must stop the step's work")

    results = run_steps(
        [
            Step("build", "", build),
            Step("record", "", lambda results: "ok", depends_on=["build"], always=True),
        ],
        Recorder(),
    )
    assert statuses(results) == {"build": "interrupted", "record": "success"}


def test_a_deferred_signal_is_remembered_and_raised_by_none(installed_handlers):
    import signal

    with installed_handlers.deferred():
        signal.raise_signal(signal.SIGINT)
        with installed_handlers.raising():
            pass  # a request noted before a raising block does not raise at its entry
    assert installed_handlers.requested()


def test_steps_must_be_declared_after_what_they_depend_on():
    with pytest.raises(ValueError, match="depends on"):
        run_steps(
            [Step("build", "", lambda: None, depends_on=["load"]), Step("load", "", lambda: None)],
            Recorder(),
        )
    with pytest.raises(ValueError, match="twice"):
        run_steps([Step("a", "", lambda: None), Step("a", "", lambda: None)], Recorder())


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_sensor_pokes_until_data_arrives():
    clock = FakeClock()
    answers = iter([0, 0, 0, 5])
    found = wait_for(lambda: next(answers), SensorPolicy(2, 60), sleep=clock.sleep, clock=clock)
    assert found == 5
    assert clock.sleeps == [2, 2, 2]


def test_the_sensor_gives_up_at_its_timeout_without_oversleeping():
    clock = FakeClock()
    pokes = []
    with pytest.raises(NothingToDo, match="no new data after waiting 5s"):
        wait_for(
            lambda: pokes.append(clock.now), SensorPolicy(2, 5), sleep=clock.sleep, clock=clock
        )
    assert clock.sleeps == [2, 2, 1]
    assert pokes == [0, 2, 4, 5]  # one last look at the deadline


def test_a_zero_timeout_sensor_looks_once():
    clock = FakeClock()
    with pytest.raises(NothingToDo, match="^no new data$"):
        wait_for(lambda: None, SensorPolicy(5, 0), sleep=clock.sleep, clock=clock)
    assert clock.sleeps == []


def record(run_id: str, started: datetime, status: str = "success") -> history.RunRecord:
    return history.RunRecord(
        run_id=run_id,
        command="run",
        mode="full",
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=7.5),
        failed_step="build" if status == "failed" else None,
        message="1 model(s) failed: orders" if status == "failed" else None,
        models_built=9,
        models_failed=1 if status == "failed" else 0,
        tests_passed=90,
        sbdk_version="test",
        steps=[
            history.StepRecord("load", "success", started, 1.0, "10 rows into raw"),
            history.StepRecord("build", status, started, 5.0, "", "boom", "invocation-1"),
        ],
        tables=[history.TableRecord("load", "raw.raw_users", rows=10)],
        failures=[history.FailureRecord("build", "orders", "model", "error", "boom")]
        if status == "failed"
        else [],
    )


def test_runs_are_recorded_and_read_back_newest_first(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    start = datetime(2026, 1, 1, 12, 0, 0)
    history.record_run(path, record("20260101-120000-aaaa", start))
    history.record_run(path, record("20260101-130000-bbbb", start + timedelta(hours=1), "failed"))

    runs = history.recent_runs(path, 10)
    assert [run.run_id for run in runs] == ["20260101-130000-bbbb", "20260101-120000-aaaa"]
    assert runs[0].status == "failed" and runs[0].failed_step == "build"
    assert runs[0].seconds == 7.5
    assert [step.step for step in runs[0].steps] == ["load", "build"]
    assert [run.run_id for run in history.recent_runs(path, 1)] == ["20260101-130000-bbbb"]

    failed = history.find_run(path, "20260101-13")
    assert failed.failures == [history.FailureRecord("build", "orders", "model", "error", "boom")]
    assert failed.tables == [history.TableRecord("load", "raw.raw_users", 10, None)]
    assert failed.steps[1].dbt_invocation_id == "invocation-1"


def test_finding_a_run_needs_a_unique_known_prefix(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    start = datetime(2026, 1, 1, 12, 0, 0)
    history.record_run(path, record("20260101-120000-aaaa", start))
    history.record_run(path, record("20260101-120000-bbbb", start))
    with pytest.raises(SbdkError, match="matches 2 runs"):
        history.find_run(path, "20260101")
    with pytest.raises(SbdkError, match="no run 'nope'"):
        history.find_run(path, "nope")
    assert history.find_run(path, "20260101-120000-b").run_id == "20260101-120000-bbbb"


def test_an_empty_warehouse_has_no_history(tmp_path):
    import duckdb

    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    assert history.recent_runs(path, 5) == []
    with pytest.raises(SbdkError, match="no runs recorded yet"):
        history.find_run(path, "x")


def test_run_ids_sort_by_start_time():
    early = history.new_run_id(datetime(2026, 1, 1, 9, 59, 59))
    late = history.new_run_id(datetime(2026, 1, 1, 10, 0, 0))
    assert early < late and early.startswith("20260101-095959-")

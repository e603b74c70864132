"""A small step graph: run steps in dependency order, each timed, with a status and a message.

Like an Airflow DAG with one worker: a step that fails stops every step that depends on it
(they end `upstream_failed`), steps marked `always` still run (the `all_done` trigger rule:
recording a run must happen whether or not it succeeded), and a step may end the run early and
cleanly by raising `NothingToDo` (a sensor that saw no new data): its dependents end `skipped`.

Results flow along the graph as Dagster passes asset inputs: a step's work is called with the
values of the steps named in its `inputs`, as keyword arguments (`def load(generate): ...`);
an `always` step (the run's recorder) is called with `results`, every earlier step's result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sbdk.errors import SbdkError, one_line
from sbdk.orchestration import interrupts
from sbdk.statuses import StepStatus


class NothingToDo(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a step to end the run cleanly: what depends on it is skipped, not failed."""


class StepFailed(SbdkError):
    """Raised by a step whose work ran but did not succeed (a failing model or test); `value`
    is what it produced anyway (e.g. the dbt results, to show which nodes failed)."""

    def __init__(self, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.value = value


@dataclass(frozen=True)
class Step:
    name: str
    description: str  # shown while the step runs
    work: Callable[..., Any]  # called with the values of `inputs` as keyword arguments
    _: KW_ONLY
    inputs: Sequence[str] = ()  # upstream steps whose values the work takes
    depends_on: Sequence[str] = ()  # upstream steps that must succeed first (inputs do too)
    always: bool = False  # run even when something upstream failed; called with `results`
    describe: Callable[[Any], str] = lambda value: ""  # one line about a finished step's value
    # What the project holds when the run stops during this step (or just before it), for
    # an interruption message that is true: e.g. "the warehouse was not changed".
    if_interrupted: str = ""
    # What to do when the step fails, shown under the run's summary (StepResult.hint).
    if_failed: str = ""

    @property
    def upstream(self) -> list[str]:
        return [*self.inputs, *(name for name in self.depends_on if name not in self.inputs)]


@dataclass
class StepResult:
    name: str
    status: StepStatus
    started_at: datetime | None = None
    seconds: float = 0.0
    detail: str = ""  # what the step did, one line
    message: str = ""  # why it failed or was skipped, one line
    value: Any = None  # what `work` returned
    ended_run: bool = False  # succeeded by finding nothing to do (NothingToDo)
    not_started_after_stop: bool = False  # skipped because a Ctrl-C/SIGTERM stopped the run
    hint: str = ""  # a failed step's `if_failed`
    error: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == StepStatus.SUCCESS


class StepReporter(Protocol):
    def step_started(self, step: str, description: str) -> None: ...

    def step_finished(self, result: StepResult) -> None: ...


def run_steps(steps: Sequence[Step], reporter: StepReporter) -> list[StepResult]:
    """Run `steps` in dependency order (they must be listed in one); return one result each.

    A Ctrl-C or SIGTERM stops the step it interrupts (`interrupted`) and every step after it
    but the `always` ones (so an interrupted run is recorded); the caller sees it in the
    results and `interrupts.requested()`.
    """
    _check_order(steps)
    results: dict[str, StepResult] = {}
    # Only a step's own work is stopped by a signal; anywhere else (reporting, between
    # steps) it is remembered, and no further step starts.
    with interrupts.deferred():
        for step in steps:
            upstream = [results[name] for name in step.upstream]
            blocked = _blocked_by(upstream, interrupts.requested())
            if blocked is not None and not step.always:
                results[step.name] = _blocked_result(step.name, blocked)
                reporter.step_finished(results[step.name])
                continue
            if step.always:
                arguments = {"results": list(results.values())}
            else:
                arguments = {name: results[name].value for name in step.inputs}
            results[step.name] = _run_one(step, arguments, reporter)
    return list(results.values())


def _blocked_result(name: str, blocker: StepResult) -> StepResult:
    if blocker.status == StepStatus.INTERRUPTED:
        return StepResult(
            name,
            StepStatus.SKIPPED,
            message="not run: the run was interrupted",
            not_started_after_stop=True,
        )
    if blocker.status in {StepStatus.FAILED, StepStatus.UPSTREAM_FAILED}:
        return StepResult(
            name, StepStatus.UPSTREAM_FAILED, message=f"not run: {blocker.name} failed"
        )
    return StepResult(
        name, StepStatus.SKIPPED, message=blocker.message or f"not run: {blocker.name}"
    )


def _blocked_by(upstream: list[StepResult], interrupted: bool) -> StepResult | None:
    """The upstream result that keeps a step from running, if any."""
    if interrupted:
        return StepResult("run", StepStatus.INTERRUPTED, message="interrupted")
    for result in upstream:
        if result.status != StepStatus.SUCCESS or result.ended_run:
            return result
    return None


def _run_one(step: Step, arguments: dict[str, Any], reporter: StepReporter) -> StepResult:
    reporter.step_started(step.name, step.description)
    now = datetime.now(UTC).replace(tzinfo=None)
    result = StepResult(step.name, StepStatus.SUCCESS, started_at=now)
    started = time.perf_counter()
    try:
        with interrupts.raising():
            if interrupts.requested() and not step.always:
                raise KeyboardInterrupt  # the stop came while the step was being announced
            result.value = step.work(**arguments)
        result.detail = step.describe(result.value)
    except NothingToDo as stop:
        # The step itself succeeded (a sensor that looked and found nothing); its
        # dependents are skipped with its reason.
        result.ended_run = True
        result.detail = result.message = str(stop)
    except KeyboardInterrupt as interrupt:
        interrupts.note()
        result.status, result.message = StepStatus.INTERRUPTED, "interrupted"
        result.error = interrupt
    except StepFailed as failure:
        result.status, result.message, result.error = StepStatus.FAILED, str(failure), failure
        result.value = failure.value
        if failure.value is not None:
            result.detail = step.describe(failure.value)
    except SbdkError as error:
        result.status, result.message, result.error = StepStatus.FAILED, str(error), error
    except Exception as error:  # noqa: BLE001 - a step's crash is that step's failure
        result.status, result.error = StepStatus.FAILED, error
        result.message = f"unexpected {type(error).__name__}: {one_line(str(error))}"
    if result.status == StepStatus.FAILED and interrupts.requested():
        # A library that caught the signal reports its own failure (dlt's step exceptions):
        # the user stopped the step, it did not break.
        result.status, result.message = StepStatus.INTERRUPTED, "interrupted"
    if result.status == StepStatus.FAILED:
        result.hint = step.if_failed
    result.seconds = time.perf_counter() - started
    reporter.step_finished(result)
    return result


def _check_order(steps: Sequence[Step]) -> None:
    seen: set[str] = set()
    for step in steps:
        if step.name in seen:
            raise ValueError(f"step {step.name!r} is declared twice")
        missing = [name for name in step.upstream if name not in seen]
        if missing:
            raise ValueError(f"step {step.name!r} depends on {missing}, not declared before it")
        seen.add(step.name)

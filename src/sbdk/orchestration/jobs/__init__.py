"""The jobs sbdk runs, one module each, declared as data: a list of steps for the runner.

    full.py         `sbdk run` in full mode:   generate -> load -> build -> test
    incremental.py  `sbdk run --incremental`:  land -> sensor -> load -> build -> test
    test.py         `sbdk test`:               test

A job module has one function, `job(workspace, options, run_id) -> Job`, that checks what it
needs before any work and declares the steps; each step's work is a function of the steps it
takes as inputs (orchestration/graph.py), so the run summary and the run record are computed
from the step results alone (orchestration/summary.py). The workspace adds the `record` step
to every job. A new job is a new module here and one line in `sbdk.workspace`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sbdk.orchestration.graph import Step

# The commands a job answers to.
RUN_COMMAND, TEST_COMMAND = "run", "test"
# The step names every job shares, so summaries, records and the console can find them.
GENERATE, LAND, SENSOR, LOAD, BUILD, TEST, RECORD = (
    "generate", "land", "sensor", "load", "build", "test", "record",
)  # fmt: skip


@dataclass(frozen=True)
class RunOptions:
    skip_generate: bool = False  # in incremental mode: land nothing, process what is there
    select: Sequence[str] = ()
    incremental: bool | None = None  # None: the project's [incremental] enabled setting
    full_refresh: bool = False
    sensor_timeout_seconds: float | None = None  # None: the project's setting
    sensor_poll_seconds: float | None = None


@dataclass(frozen=True)
class Job:
    command: str  # what the user ran: run | test
    mode: str  # the mode its models are built or tested in: full | incremental
    steps: list[Step]
    # The raw tables' rows when the job reads raw data it does not load itself
    # (`sbdk test`, `sbdk run --skip-generate` in full mode): shown in the summary.
    raw_rows: Mapping[str, int] = field(default_factory=dict)

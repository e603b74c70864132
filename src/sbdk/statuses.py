"""Every status sbdk reports, defined once: a step's, a dbt node's, a whole run's.

They are `StrEnum`s, so they compare equal to (and are stored in the warehouse as) their
plain values: `StepStatus.FAILED == "failed"`.
"""

from __future__ import annotations

from enum import StrEnum


class StepStatus(StrEnum):
    """How a step of a job ended (orchestration/graph.py)."""

    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"  # not run: a step before it found nothing to do, or the run stopped
    UPSTREAM_FAILED = "upstream_failed"
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM during its work


class NodeStatus(StrEnum):
    """How a dbt node ended, as dbt reports it: models `success`/`error`, tests
    `pass`/`fail`/`warn`/`error`, and `skipped` when something it depends on failed."""

    SUCCESS = "success"
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    SKIPPED = "skipped"


# Sets of statuses: StrEnum members hash and compare like their values, so a plain string
# from dbt is found in them too.
NODE_OK = frozenset({NodeStatus.SUCCESS, NodeStatus.PASS})
NODE_FAILING = frozenset({NodeStatus.FAIL, NodeStatus.ERROR})
# The nodes a run records with their messages: the failing ones, and tests that warned.
NODE_REPORTED = NODE_FAILING | {NodeStatus.WARN}
# A data test in one of these found rows: the ones stored in test_failures.
NODE_WITH_ROWS = frozenset({NodeStatus.FAIL, NodeStatus.WARN})


class RunStatus(StrEnum):
    """How a run ended, as `sbdk history` lists it."""

    SUCCESS = "success"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    NO_NEW_DATA = "no_new_data"  # a sensor looked and found nothing: not a failure


def node_status(value: str) -> NodeStatus | str:
    """dbt's status as a NodeStatus; a status this version of sbdk does not know (a newer
    dbt's) is kept as the plain string rather than failing the run."""
    try:
        return NodeStatus(value)
    except ValueError:
        return value

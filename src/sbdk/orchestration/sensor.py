"""Wait for new data like an Airflow sensor: poke, sleep, poke again until found or timed out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sbdk.orchestration.graph import NothingToDo

Found = TypeVar("Found")


@dataclass(frozen=True)
class SensorPolicy:
    poll_seconds: float  # time between two looks
    timeout_seconds: float  # 0: look once


def wait_for(
    poke: Callable[[], Found],
    policy: SensorPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Found:
    """Return the first truthy `poke()`; raise NothingToDo once the timeout has passed."""
    deadline = clock() + policy.timeout_seconds
    while True:
        found = poke()
        if found:
            return found
        remaining = deadline - clock()
        if remaining <= 0:
            waited = f" after waiting {policy.timeout_seconds:g}s" if policy.timeout_seconds else ""
            raise NothingToDo(f"no new data{waited}")
        sleep(min(policy.poll_seconds, remaining))

"""One sbdk process per project at a time.

DuckDB lets one process write a file, but sbdk releases the warehouse between its steps (dlt,
then each dbt invocation, then the run record): without a lock of its own, a second run could
load its data between the first run's load and build, and the first would then report (and
record) rows it did not load. A run therefore holds an exclusive lock on the project for its
whole life, and a second sbdk process stops at once, before any work, naming the holder.

The lock is an OS file lock (`.sbdk/sbdk.lock`, via filelock): the OS releases it when the
process ends, even on `kill -9`, so a crashed run never leaves the project locked. Who holds
it is written beside it (`sbdk.lock.json`) for the message a second process shows.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sbdk.errors import SbdkError

LOCK_FILE = "sbdk.lock"
HOLDER_FILE = "sbdk.lock.json"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    command: str  # what the user typed, e.g. "sbdk run --users 2000"
    started_at: str  # local time, HH:MM:SS

    def describe(self) -> str:
        return f"`{self.command}` (PID {self.pid}, started {self.started_at})"


class ProjectBusy(SbdkError):
    def __init__(self, holder: LockHolder | None) -> None:
        who = holder.describe() if holder else "another sbdk process"
        super().__init__(
            f"{who} is already working on this project; wait for it to finish "
            "(or stop it), then run this command again"
        )
        self.holder = holder


@contextmanager
def exclusive(state_dir: Path, command: str | None = None) -> Iterator[LockHolder]:
    """Hold the project's lock for the duration of the block; raise ProjectBusy at once if
    another process holds it."""
    from filelock import FileLock, Timeout

    state_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(state_dir / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ProjectBusy(current_holder(state_dir)) from None
    holder = LockHolder(
        pid=os.getpid(),
        command=command or current_command(),
        started_at=datetime.now().strftime("%H:%M:%S"),
    )
    holder_file = state_dir / HOLDER_FILE
    try:
        _write_holder(holder_file, holder)
        yield holder
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()


def current_holder(state_dir: Path) -> LockHolder | None:
    """Who holds the project's lock now, or None if nobody does."""
    from filelock import FileLock, Timeout

    if not (state_dir / LOCK_FILE).exists():
        return None
    probe = FileLock(state_dir / LOCK_FILE, timeout=0)
    try:
        probe.acquire()
    except Timeout:
        return _read_holder(state_dir / HOLDER_FILE)
    probe.release()
    return None


def explain_locked_warehouse(state_dir: Path, error: SbdkError, action: str) -> SbdkError:
    """A clearer error for `action` (e.g. "`sbdk history`") refused by a locked warehouse
    when the holder is a run of this project: say which, and what the user can do."""
    holder = current_holder(state_dir)
    if holder is None or getattr(error, "holder_pid", None) not in (None, holder.pid):
        return error
    return SbdkError(
        f"{holder.describe()} is writing the warehouse right now, and DuckDB lets no other "
        f"process open it meanwhile, not even read-only; run {action} again when that run's "
        "current step ends, or after the run (which records itself in the history)"
    )


def current_command() -> str:
    """The command line of this process as the user would have typed it."""
    arguments = sys.argv[1:]
    return " ".join(["sbdk", *arguments])


def _write_holder(path: Path, holder: LockHolder) -> None:
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(holder.__dict__), encoding="utf-8")
    os.replace(partial, path)


def _read_holder(path: Path) -> LockHolder | None:
    try:
        return LockHolder(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        # The holder is between taking the lock and writing its name, or wrote it badly.
        return None

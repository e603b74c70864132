"""The fault-injection suite's machinery: faulted runs of the real CLI, and what must hold
after each (see fault_launcher.py for the faults and where they strike).

After any fault, at any step:
- the faulted run never reports or records success, and never prints a traceback;
- the warehouse opens, and `raw` holds either the previous or the new data, never a mix;
- the next plain `sbdk run` succeeds with no manual step;
- then every table (raw, processed, staging, intermediate, marts, analytics) equals a clean
  project's, the runs recorded say what the warehouse holds, and nothing was written
  outside the project.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from . import tables
from .conftest import Completed, sbdk

LAUNCHER = Path(__file__).with_name("fault_launcher.py")
SIGNAL_KINDS = ("kill", "sigint", "sigterm")
FAILURE_KINDS = ("exception", "readonly", "diskfull")
# Faults of the filesystem only matter where the step writes.
WRITING_POINTS = {"load", "process", "land", "build", "test", "record"}
EXIT_CODES = {"kill": -signal.SIGKILL, "sigint": 130, "sigterm": 143}


def parameters(cases: list[tuple[str, str]], sample: set[tuple[str, str]]) -> list:
    """The (kind, point) cases as pytest parameters; those in `sample` are marked
    `fault_sample`, which the everyday suite runs (tests/conftest.py)."""
    assert sample <= set(cases), sample - set(cases)
    return [
        pytest.param(
            kind, point, id=f"{kind}-{point}",
            marks=[pytest.mark.fault_sample] if (kind, point) in sample else [],
        )
        for kind, point in cases
    ]  # fmt: skip


def warehouse_file(root: Path) -> Path:
    return tables.warehouse_file(root)


def fingerprints(root: Path, schemas=tables.ALL_SCHEMAS) -> dict[str, tuple[int, int]]:
    return tables.fingerprints(root, schemas)


def recorded_runs(root: Path) -> list[tuple[str, str]]:
    """(run_id, status) of every recorded run, oldest first."""
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as db:
        present = db.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'observability' and table_name = 'sbdk_runs'"
        ).fetchall()[0][0]
        if not present:
            return []
        return db.execute(
            "select run_id, status from observability.sbdk_runs order by started_at, run_id"
        ).fetchall()


def recorded_load_rows(root: Path, run_id: str) -> dict[str, int]:
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as db:
        return dict(
            db.execute(
                "select table_name, rows from observability.sbdk_run_tables "
                "where run_id = ? and step = 'load' and rows is not null",
                [run_id],
            ).fetchall()
        )


def leftover_loading_tables(root: Path) -> list[str]:
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as db:
        return [
            name
            for (name,) in db.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_name like '\\_loading\\_%' escape '\\'"
            ).fetchall()
        ]


def raw_counts(root: Path) -> dict[str, int]:
    return {name: rows for name, (rows, _) in fingerprints(root, ("raw",)).items()}


@dataclass
class FaultedRun:
    kind: str
    point: str
    completed: Completed


def faulted_run(root: Path, kind: str, point: str, *arguments: str, home: Path) -> Completed:
    """`sbdk <arguments>` in `root` with the fault `kind` at `point`."""
    fault_dir = root / ("landing" if point == "land" else "data")
    completed = subprocess.run(
        [sys.executable, str(LAUNCHER), kind, point, "--", *arguments],
        cwd=root,
        env={
            **os.environ,
            "COLUMNS": "200",
            "HOME": str(home),
            "SBDK_FAULT_DIR": str(fault_dir),
        },
        capture_output=True,
        text=True,
        timeout=600,
        # A parent that ignores SIGINT/SIGTERM (a background job) must not hide the handling.
        preexec_fn=_default_stop_signals,
    )
    return Completed(completed.returncode, completed.stdout + completed.stderr)


def _default_stop_signals() -> None:
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)


@contextmanager
def fault_environment(root: Path, kind: str, point: str):
    """Prepare what the fault needs (a small tmpfs for a full disk) and undo what it did
    (immutable folder, filler file) once the faulted run is over."""
    fault_dir = root / ("landing" if point == "land" else "data")
    fault_dir.mkdir(exist_ok=True)
    mounted = False
    if kind == "readonly" and not _chattr_works(root):
        pytest.skip("chattr +i is not permitted here (needs CAP_LINUX_IMMUTABLE)")
    if kind == "diskfull":
        mounted = _mount_tmpfs(fault_dir)
    try:
        yield
    finally:
        if kind == "readonly":
            subprocess.run(["chattr", "-R", "-i", str(fault_dir)], check=False)
        (fault_dir / "filler.bin").unlink(missing_ok=True)
        if mounted:
            _unmount_keeping_contents(fault_dir)


def _chattr_works(root: Path) -> bool:
    probe = root / ".chattr-probe"
    probe.mkdir()
    try:
        return subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode == 0
    finally:
        subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
        probe.rmdir()


def _mount_tmpfs(directory: Path) -> bool:
    """Move `directory`'s contents onto a 64 MB tmpfs mounted there."""
    aside = directory.with_name(directory.name + ".aside")
    shutil.move(directory, aside)
    directory.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(directory)], capture_output=True
    )
    if mounted.returncode != 0:
        directory.rmdir()
        shutil.move(aside, directory)
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    for entry in aside.iterdir():
        shutil.move(entry, directory / entry.name)
    aside.rmdir()
    return True


def _unmount_keeping_contents(directory: Path) -> None:
    aside = directory.with_name(directory.name + ".aside")
    shutil.copytree(directory, aside)
    subprocess.run(["umount", str(directory)], check=True)
    directory.rmdir()
    shutil.move(aside, directory)


def assert_fault_reported(kind: str, completed: Completed) -> None:
    """The faulted run ended as it should: killed, stopped cleanly, or failed in one line."""
    output = completed.output
    if kind == "kill":
        assert completed.code == EXIT_CODES["kill"], output
        return
    assert "Traceback" not in output, output
    assert "Exception ignored" not in output, output
    assert "leaked semaphore" not in output, output
    if kind in ("sigint", "sigterm"):
        assert completed.code == EXIT_CODES[kind], output
        stopped = [line for line in output.splitlines() if line.startswith("Error: run")]
        assert stopped and "stopped by" in stopped[-1] and "again to finish" in stopped[-1], output
    else:
        assert completed.code == 1, output
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, output


def copy_project(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def assert_nothing_outside(workdir: Path, root: Path, home: Path) -> None:
    assert sorted(p.name for p in workdir.iterdir()) == [root.name], "wrote beside the project"
    assert list(home.iterdir()) == [], f"wrote into HOME: {list(home.iterdir())}"


def plain_run(root: Path, home: Path) -> Completed:
    return sbdk("run", cwd=root, env={"HOME": str(home)})

"""One sbdk process per project: a second one stops at once, and no run records data it did
not load."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from . import fault_suite as faults
from .conftest import sbdk
from .test_faults_full import SMALL, configure

pytestmark = pytest.mark.integration


def wait_for(path, process, seconds=300):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def test_a_second_run_stops_at_once_and_the_first_records_what_it_loaded(tmp_path):
    assert sbdk("init", "shop", cwd=tmp_path).code == 0
    root = tmp_path / "shop"
    configure(root, SMALL)
    pause = tmp_path / "pause"
    pause.mkdir()
    first = subprocess.Popen(
        [sys.executable, str(faults.LAUNCHER), "pause", "build", "--", "run", "--users", "400"],
        cwd=root, env={**os.environ, "COLUMNS": "200", "SBDK_FAULT_DIR": str(pause)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for(pause / "paused", first)  # loaded, and dbt holds the warehouse mid-build

        started = time.monotonic()
        second = sbdk("run", "--users", "350", "--seed", "7", cwd=root)
        assert second.code == 1, second.output
        [error] = [line for line in second.output.splitlines() if line.startswith("Error:")]
        assert "`sbdk run --users 400`" in error and f"(PID {first.pid}," in error
        assert "already working on this project" in error
        assert "Generating" not in second.output  # stopped before any work
        assert time.monotonic() - started < 15

        incremental = sbdk("run", "--incremental", cwd=root)
        assert incremental.code == 1 and "already working" in incremental.output
        tests = sbdk("test", cwd=root)
        assert tests.code == 1 and "already working" in tests.output

        history = sbdk("history", cwd=root)
        assert history.code == 1, history.output
        assert "`sbdk run --users 400`" in history.output
        assert "open it read-only" not in history.output
        assert "Traceback" not in history.output
    finally:
        (pause / "release").touch()
        output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output

    run_id, status = faults.recorded_runs(root)[-1]
    assert status == "success"
    assert len(faults.recorded_runs(root)) == 1  # the refused runs are not recorded
    counts = faults.raw_counts(root)
    assert counts["raw.raw_users"] == 400
    assert faults.recorded_load_rows(root, run_id) == counts
    # The lock went with the run: the project is free again.
    assert sbdk("history", cwd=root).code == 0

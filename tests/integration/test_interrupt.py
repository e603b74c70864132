"""Ctrl-C at any stage leaves a warehouse that opens, and the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from .conftest import SMALL_RUN, counts, sbdk

pytestmark = pytest.mark.integration

RUN = ["run", *SMALL_RUN]


def interrupt_when(root, marker: str) -> tuple[int, str]:
    """Start `sbdk run`, send SIGINT as soon as a line containing `marker` is printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sbdk", *RUN],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
        # as from a terminal: even if this test runs where SIGINT is ignored (a background job)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            process.send_signal(signal.SIGINT)
            break
    rest, _ = process.communicate(timeout=300)
    return process.returncode, "".join(seen) + rest


@pytest.mark.parametrize("marker", ["generate", "load", "model     stg_"])
def test_interrupted_run_then_rerun_gives_a_clean_warehouse(tmp_path, marker, built_project):
    assert sbdk("init", "shop", cwd=tmp_path).code == 0
    root = tmp_path / "shop"
    code, output = interrupt_when(root, marker)
    assert code == 130, output
    [stopped] = [line for line in output.splitlines() if line.startswith("Error: run")]
    assert "stopped by Ctrl-C" in stopped and "run `sbdk run` again to finish" in stopped
    assert "Traceback" not in output and "Exception ignored" not in output

    rerun = sbdk(*RUN, cwd=root)
    assert rerun.code == 0, rerun.output
    # Same seed and sizes as the uninterrupted reference project: same warehouse.
    assert counts(root) == built_project.counts_after_first_run

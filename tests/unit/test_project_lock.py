"""One sbdk process per project: the lock, and what a second process is told."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from sbdk import project_lock
from sbdk.errors import SbdkError


def test_a_second_holder_is_refused_at_once_naming_the_first(tmp_path):
    with project_lock.exclusive(tmp_path, "sbdk run --users 2000") as holder:
        assert holder.pid == os.getpid()
        with (
            pytest.raises(project_lock.ProjectBusy) as refused,
            project_lock.exclusive(tmp_path, "sbdk run --users 1500 --seed 7"),
        ):
            pytest.fail("two holders at once")
        message = str(refused.value)
        assert "`sbdk run --users 2000`" in message
        assert f"PID {os.getpid()}" in message
        assert project_lock.current_holder(tmp_path) == holder
    assert project_lock.current_holder(tmp_path) is None
    with project_lock.exclusive(tmp_path, "sbdk test"):  # free again once released
        pass


def test_a_killed_holder_leaves_the_project_free(tmp_path):
    """The OS drops the lock with the process: no stale lock after kill -9."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from sbdk import project_lock
        with project_lock.exclusive(Path({str(tmp_path)!r}), "sbdk run"):
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert completed.returncode == -9
    assert (tmp_path / project_lock.HOLDER_FILE).exists()  # it never got to clean up
    assert project_lock.current_holder(tmp_path) is None
    with project_lock.exclusive(tmp_path, "sbdk run"):
        pass


def test_a_locked_warehouse_is_explained_when_a_run_of_the_project_holds_it(tmp_path):
    from sbdk.warehouse import WarehouseLocked

    with project_lock.exclusive(tmp_path, "sbdk run"):
        error = WarehouseLocked("locked by python (PID 1)", holder_pid=os.getpid())
        explained = project_lock.explain_locked_warehouse(tmp_path, error, "`sbdk history`")
        assert "`sbdk run` (PID" in str(explained)
        assert "not even read-only" in str(explained)
        assert "open it read-only" not in str(explained)
        # Someone else holding the file (a notebook) keeps DuckDB's own explanation.
        other = WarehouseLocked("locked by python (PID 1)", holder_pid=1)
        assert project_lock.explain_locked_warehouse(tmp_path, other, "x") is other
    assert isinstance(explained, SbdkError)

"""The warehouse lock: who holds it, said precisely (a real second process holds it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from sbdk.errors import SbdkError
from sbdk.warehouse import connect, create_warehouse, holder_command_line, lock_error_message


@pytest.fixture
def read_only_reader(tmp_path):
    """Another process with the warehouse open read-only, as a notebook exploring it would."""
    warehouse = tmp_path / "warehouse.duckdb"
    create_warehouse(warehouse)
    script = textwrap.dedent(f"""
        import duckdb, time
        connection = duckdb.connect({str(warehouse)!r}, read_only=True)  # exploring_marts
        print("open", flush=True)
        time.sleep(60)
    """)
    reader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        yield warehouse, reader.pid
    finally:
        reader.kill()
        reader.wait()


def test_a_read_only_reader_blocks_a_writer_and_is_named(read_only_reader):
    warehouse, pid = read_only_reader
    with pytest.raises(SbdkError) as raised:
        connect(warehouse).close()
    message = str(raised.value)
    assert "is locked by " in message and f"(PID {pid}: " in message
    assert "-c import duckdb, time connection = duckdb.connect(" in message  # its command line
    assert "open it read-only" not in message  # that would not help: it is read-only
    assert "\n" not in message


@pytest.mark.skipif(not os.path.exists("/proc/self/cmdline"), reason="needs /proc")
def test_command_lines_are_one_shortened_line():
    assert holder_command_line(os.getpid(), limit=20).endswith("…")
    assert len(holder_command_line(os.getpid(), limit=20)) == 20
    assert holder_command_line(2**22 + 12345) is None  # no such process


def test_without_a_command_line_the_program_and_pid_remain(tmp_path):
    text = 'Could not set lock on file "w": Conflicting lock is held in /bin/duck (PID 4194305)'
    assert "locked by /bin/duck (PID 4194305)" in lock_error_message(tmp_path, text)

"""Run the real `sbdk` CLI with one fault injected at one point of one step.

    python fault_launcher.py KIND POINT -- run --users 300 ...

KIND is what happens there:
    kill       SIGKILL to itself (a crash, an OOM kill, a power cut for the process)
    sigint     SIGINT to itself (Ctrl-C)
    sigterm    SIGTERM to itself (a service manager or `kill` stopping it)
    exception  an unexpected exception raised from inside the step
    readonly   the folder named by $SBDK_FAULT_DIR and everything in it become immutable
               (chattr -R +i), and the run goes on: its next writes there (new files, and
               changes to files and folders already there) fail as on a read-only mount
    diskfull   the filesystem of $SBDK_FAULT_DIR (a small tmpfs the test mounted) is filled,
               and the run goes on: its next writes there fail with ENOSPC
    pause      not a fault: creates $SBDK_FAULT_DIR/paused and waits there until the test
               creates $SBDK_FAULT_DIR/release (to act while a run is at a known point)

POINT is where, in the middle of a step's work rather than at its edges:
    generate   after the synthetic tables are generated, before they are returned
    load       full mode: inside dlt's run (which intercepts signals itself), between its
               extract and normalize steps
    process    incremental load step: the second processed batch is in its table, its
               cursor not yet advanced
    land       the first landing day's files are written, the clock not yet advanced
    sensor     while the sensor looks for new files
    build      dbt run: after the third model finished
    test       dbt test: after the tenth test finished
    record     the run record is about to be written
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def strike(kind: str) -> None:
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif kind == "sigint":
        os.kill(os.getpid(), signal.SIGINT)
    elif kind == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)
    elif kind == "exception":
        raise RuntimeError("injected fault")
    elif kind == "readonly":
        subprocess.run(["chattr", "-R", "+i", os.environ["SBDK_FAULT_DIR"]], check=True)
    elif kind == "diskfull":
        fill(Path(os.environ["SBDK_FAULT_DIR"]))
    elif kind == "pause":
        folder = Path(os.environ["SBDK_FAULT_DIR"])
        (folder / "paused").touch()
        while not (folder / "release").exists():
            time.sleep(0.05)
    else:
        raise SystemExit(f"unknown fault kind {kind}")


def fill(directory: Path) -> None:
    with open(directory / "filler.bin", "wb") as filler:
        block = b"\0" * (1 << 20)
        try:
            while True:
                filler.write(block)
                filler.flush()
        except OSError:
            pass
        try:  # the last partial megabyte too
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        except OSError:
            pass


def once(kind: str, calls_before: int = 0):
    """A hook that strikes on its (calls_before + 1)-th call, then does nothing."""
    state = {"calls": 0}

    def hook() -> None:
        state["calls"] += 1
        if state["calls"] == calls_before + 1:
            strike(kind)

    return hook


def wrap_before(owner, name: str, hook) -> None:
    original = getattr(owner, name)

    def wrapped(*args, **kwargs):
        hook()
        return original(*args, **kwargs)

    setattr(owner, name, wrapped)


def wrap_after(owner, name: str, hook) -> None:
    original = getattr(owner, name)

    def wrapped(*args, **kwargs):
        value = original(*args, **kwargs)
        hook()
        return value

    setattr(owner, name, wrapped)


def after_dbt_nodes(command: str, nodes: int, kind: str) -> None:
    """Strike when the `nodes`-th node of a `dbt <command>` invocation has finished."""
    from sbdk import transform

    original = transform.DbtProject._on_event
    state = {"finished": 0, "struck": False}

    def on_event(self, event):
        original(self, event)
        if state["struck"] or event.info.name != "NodeFinished":
            return
        if event.data.node_info.resource_type == "operation":
            return
        is_test = event.data.node_info.resource_type in {"test", "unit_test"}
        if is_test != (command == "test"):
            return
        state["finished"] += 1
        if state["finished"] == nodes:
            state["struck"] = True
            strike(kind)

    transform.DbtProject._on_event = on_event


def install(kind: str, point: str) -> None:
    from sbdk.incremental import cursors, processing
    from sbdk.landing import clock
    from sbdk.orchestration import history
    from sbdk.pipelines import synthetic

    if point == "generate":
        wrap_after(synthetic, "generate", once(kind))
    elif point == "load":
        from dlt.pipeline.pipeline import Pipeline

        wrap_before(Pipeline, "normalize", once(kind))
    elif point == "process":
        wrap_before(cursors, "advance_cursor", once(kind, calls_before=1))
    elif point == "land":
        wrap_before(clock.LandingClock, "advance", once(kind))
    elif point == "sensor":
        wrap_before(processing.StreamProcessor, "pending_work", once(kind))
    elif point == "build":
        after_dbt_nodes("run", 3, kind)
    elif point == "test":
        after_dbt_nodes("test", 10, kind)
    elif point == "record":
        wrap_before(history, "record_run", once(kind))
    else:
        raise SystemExit(f"unknown fault point {point}")


def main() -> None:
    kind, point, separator, *arguments = sys.argv[1:]
    assert separator == "--", "usage: fault_launcher.py KIND POINT -- SBDK_ARGS..."
    install(kind, point)
    from sbdk.cli import main as sbdk_main

    sys.argv = ["sbdk", *arguments]
    sbdk_main()


if __name__ == "__main__":
    main()

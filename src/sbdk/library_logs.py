"""What the libraries sbdk drives log goes to the project's log file, never to the terminal.

dlt logs a failed load as ERROR with the whole traceback (hundreds of lines for one bad path),
and libraries warn through Python's `warnings`. The terminal gets sbdk's own one-line message;
the details stay in `.sbdk/logs/sbdk.log` for whoever wants them. dbt keeps its own log file
(`dbt/logs/dbt.log`).
"""

from __future__ import annotations

import logging
from pathlib import Path

LOG_DIR = "logs"
LOG_FILE = "sbdk.log"
# dlt formats its logger's first handler itself and reuses it on every pipeline it creates:
# a handler attached here before dlt starts is the only one it ever writes to.
_LIBRARY_LOGGERS = ("dlt",)


def log_file(state_dir: Path) -> Path:
    return state_dir / LOG_DIR / LOG_FILE


def route_library_logs(state_dir: Path) -> Path:
    """Send library logs and Python warnings of this process to the project's log file
    (replacing the file an earlier call of this process chose)."""
    global _handler
    path = log_file(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    )
    for name in _LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        for existing in library.handlers[:]:
            library.removeHandler(existing)  # dlt's stderr handler, if dlt started already
        library.addHandler(handler)
        library.propagate = False
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    _handler = handler
    # Without a handler of its own, logging prints WARNING and above of any logger to stderr
    # (its "last resort"); the root handler above catches them instead.
    logging.lastResort = None
    logging.captureWarnings(True)
    return path


_handler: logging.Handler | None = None

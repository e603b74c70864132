"""Ctrl-C and SIGTERM: one way to stop a run, noticed even when a library swallows it.

Both signals raise KeyboardInterrupt in the main thread, like Python's own Ctrl-C handler, so
work stops where it is. They are also remembered: Python drops an exception raised inside a
finalizer or a weakref callback ("Exception ignored in ..."), and dlt turns a signal into its
own exception or defers it; the step runner asks `requested()` after every step, so a stop
request is never lost and never reported as a failure.

Around sbdk's own bookkeeping (reporting a step, publishing what a step made, recording the
run) a signal is only remembered (`deferred()`): an exception there would leave a step
reported half-way, or a message about the warehouse that is no longer true. The step runner
lets it raise again inside each step's work (`raising()`).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# The shell's convention: 128 + the signal's number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

_received: int | None = None
_raise_on_signal = True


def install() -> None:
    """Handle SIGINT and SIGTERM from now on, except a signal the parent chose to ignore
    (`nohup`, a background job of a non-interactive shell): that choice is the user's."""
    for number in STOP_SIGNALS:
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _on_signal)


def _on_signal(number: int, frame) -> None:
    global _received
    first = _received is None
    _received = number
    if first and _raise_on_signal:
        raise KeyboardInterrupt
    # A second signal while the run winds down (records itself, releases the warehouse) is
    # ignored: the first one already stops the run, and killing the clean-up would not help.


def deferred() -> AbstractContextManager[None]:
    """Within this block a stop request is remembered, not raised; ask `requested()` after."""
    return _raising_while(False)


def raising() -> AbstractContextManager[None]:
    """Within a `deferred()` block: the first stop request raises KeyboardInterrupt again."""
    return _raising_while(True)


@contextmanager
def _raising_while(raise_on_signal: bool) -> Iterator[None]:
    global _raise_on_signal
    previous, _raise_on_signal = _raise_on_signal, raise_on_signal
    try:
        yield
    finally:
        _raise_on_signal = previous


def note(number: int = signal.SIGINT) -> None:
    """Record a stop request that reached a library's own handler (dlt intercepts both)."""
    global _received
    if _received is None:
        _received = number


def requested() -> bool:
    return _received is not None


def received_signal() -> int | None:
    return _received


def exit_code() -> int:
    return EXIT_CODES.get(_received, 130)


def describe() -> str:
    return "SIGTERM" if _received == signal.SIGTERM else "Ctrl-C"


def reset() -> None:
    """Forget a stop request (tests, and tools running several jobs in one process)."""
    global _received, _raise_on_signal
    _received = None
    _raise_on_signal = True

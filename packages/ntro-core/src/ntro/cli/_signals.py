"""SIGTERM stops a command the way Ctrl-C does: its work is cancelled cleanly, then one line and 128 + 15.

Python dies on SIGTERM at once, without running ``finally`` blocks, so a
local run's activities and children were never cancelled and nothing was
said. While :func:`terminate_as_interrupt` is in force, SIGTERM goes to the
SIGINT handler in place (``asyncio.run``'s cancels the main task, so the work
winds down; outside a loop it raises :class:`KeyboardInterrupt`), and
:func:`report_interruption` tells the two apart: ``ntro: interrupted`` and
exit 130 after SIGINT, ``ntro: terminated`` and exit 143 after SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["report_interruption", "terminate_as_interrupt"]

_terminated: list[bool] = [False]


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _terminated[0] = True
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):  # asyncio.run's (cancel the main task) or Python's default (raise KeyboardInterrupt)
        handler(signal.SIGINT, frame)
        return
    raise KeyboardInterrupt  # SIGINT is ignored (a background job), SIGTERM still stops the command


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Meanwhile, SIGTERM interrupts like SIGINT (in the main thread; elsewhere nothing changes)."""
    _terminated[0] = False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def report_interruption() -> int:
    """Print the one line of an interrupted command on stderr and return its exit code.

    ``ntro: terminated`` and 143 after SIGTERM, ``ntro: interrupted`` and
    130 after SIGINT (128 plus the signal's number, as shells report it).
    """
    if _terminated[0]:
        print("ntro: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    print("ntro: interrupted", file=sys.stderr)
    return 128 + signal.SIGINT

"""Ending a process that used temporalio without tripping over its finalisation crash.

temporalio's Rust bridge keeps Tokio threads that can still touch the
interpreter while CPython finalises, which sometimes aborts the process with
``Fatal Python error: PyGILState_Release`` (SIGABRT) *after* all work is done
(temporalio/sdk-python issue #300). A process whose work is finished can skip
finalisation: flush the standard streams and ``os._exit`` with the real code.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

__all__ = ["BRIDGE_MODULE", "bridge_loaded", "exit_skipping_finalization", "running_as_ntro_command"]

BRIDGE_MODULE = "temporalio.bridge.temporal_sdk_bridge"
"""temporalio's native bridge: once it is loaded, a finished process ends without finalising."""


def bridge_loaded() -> bool:
    """Whether temporalio's native bridge was loaded in this process."""
    return BRIDGE_MODULE in sys.modules


def running_as_ntro_command() -> bool:
    """Whether this process is the ``ntro`` command itself (console script or ``python -m ntro.cli``)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name in ("ntro.cli", "ntro.cli.__main__"):
        return True
    return Path(sys.argv[0]).name == "ntro" if sys.argv else False


def exit_skipping_finalization(code: int) -> NoReturn:
    """Flush stdout, stderr and logging, then end the process with ``code`` at once."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or full stream (ntro's guarded stdout raises its own error)
            pass
    os._exit(code)

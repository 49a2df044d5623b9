"""What ntro may know about the Temporal backend without importing temporalio (``ntro.backends``: ``temporal``).

* ``TEMPORAL_HOST`` set selects it for workflow code (``NTRO_RUNTIME`` still wins);
* temporalio's loggers are its engine's, kept quiet by ``ntro workflow run`` unless ``-v``;
* temporalio's native bridge can crash the interpreter while it finalises
  (temporalio/sdk-python#300): the ``ntro`` command ends without finalising once it is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping

from ntro.runtime.protocol import BackendInfo
from ntro.runtime.temporal._process import BRIDGE_MODULE

__all__ = ["BACKEND_INFO", "selected_by"]


def selected_by(environ: Mapping[str, str]) -> str | None:
    """Return why ``environ`` selects the Temporal backend (``TEMPORAL_HOST`` is set), or ``None``."""
    host = environ.get("TEMPORAL_HOST", "").strip()
    return f"TEMPORAL_HOST={host} is set" if host else None


BACKEND_INFO = BackendInfo(selected_by=selected_by, engine_loggers=("temporalio",), unsafe_to_finalise=(BRIDGE_MODULE,))
"""The Temporal backend's :class:`~ntro.runtime.protocol.BackendInfo`, published under ``ntro.backends``."""

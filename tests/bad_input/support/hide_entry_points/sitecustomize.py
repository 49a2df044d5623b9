"""Hide entry points from this process, as if their distribution were not installed.

A test puts this directory first on ``PYTHONPATH`` and names what to hide in
``NTRO_TEST_HIDDEN_ENTRY_POINTS``: comma-separated ``group:name`` patterns
(``fnmatch``), e.g. ``ntro.commands:worker,ntro.commands:workflow.*``.
Python imports ``sitecustomize`` at start-up, before any ntro code runs.
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import os
from typing import Any

_PATTERNS = [p.split(":", 1) for p in os.environ.get("NTRO_TEST_HIDDEN_ENTRY_POINTS", "").split(",") if ":" in p]
_entry_points = importlib.metadata.entry_points


def _hidden(ep: importlib.metadata.EntryPoint) -> bool:
    return any(ep.group == group and fnmatch.fnmatchcase(ep.name, name) for group, name in _PATTERNS)


def entry_points(**selection: Any) -> importlib.metadata.EntryPoints:
    return importlib.metadata.EntryPoints(ep for ep in _entry_points(**selection) if not _hidden(ep))


if _PATTERNS:
    importlib.metadata.entry_points = entry_points  # type: ignore[assignment]

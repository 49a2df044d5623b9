"""Hide entry points from this process, as if their distribution were not installed.

A test puts this directory first on ``PYTHONPATH`` and names what to hide in
``NTRO_TEST_HIDDEN_ENTRY_POINTS``: comma-separated ``group:name`` patterns
(``fnmatch``), e.g. ``ntro.commands:worker,ntro.commands:workflow.*``; and
in ``NTRO_TEST_HIDDEN_MODULES``, comma-separated packages that cannot be
imported (``ntro.testing``), as if their distribution were not installed.
Python imports ``sitecustomize`` at start-up, before any ntro code runs.
"""

from __future__ import annotations

import fnmatch
import importlib.abc
import importlib.metadata
import os
import sys
from collections.abc import Sequence
from typing import Any

_PATTERNS = [p.split(":", 1) for p in os.environ.get("NTRO_TEST_HIDDEN_ENTRY_POINTS", "").split(",") if ":" in p]
_entry_points = importlib.metadata.entry_points


def _hidden(ep: importlib.metadata.EntryPoint) -> bool:
    return any(ep.group == group and fnmatch.fnmatchcase(ep.name, name) for group, name in _PATTERNS)


def entry_points(**selection: Any) -> importlib.metadata.EntryPoints:
    return importlib.metadata.EntryPoints(ep for ep in _entry_points(**selection) if not _hidden(ep))


if _PATTERNS:
    importlib.metadata.entry_points = entry_points  # type: ignore[assignment]


_MODULES = [m for m in os.environ.get("NTRO_TEST_HIDDEN_MODULES", "").split(",") if m]


class _Hider(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: Any = None) -> Any:
        if any(fullname == m or fullname.startswith(m + ".") for m in _MODULES):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


if _MODULES:
    sys.meta_path.insert(0, _Hider())

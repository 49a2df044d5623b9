"""ntro.testing: tools for testing runbooks.

Today it holds the determinism lint (:mod:`ntro.testing.lint`, also run as
``ntro workflow lint``). Names load lazily, so importing this package is cheap
and never imports temporalio::

    from ntro.testing import lint_paths
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ntro.testing.lint import RULES, Finding, Rule, lint_file, lint_paths, lint_source

__all__ = ["RULES", "Finding", "Rule", "lint_file", "lint_paths", "lint_source"]

_LAZY: dict[str, str] = {name: "ntro.testing.lint" for name in __all__}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ntro.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

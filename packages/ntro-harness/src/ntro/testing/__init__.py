"""ntro.testing: tools for testing runbooks.

Today it holds the determinism lint (:mod:`ntro.testing.lint`, also run as
``ntro workflow lint``). Names load lazily, so importing this package is cheap
and never imports temporalio::

    from ntro.testing import lint_paths
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ntro.runtime.protocol import lazy_exports

if TYPE_CHECKING:
    from ntro.testing.lint import RULES, Finding, Rule, lint_file, lint_paths, lint_source

__all__ = ["RULES", "Finding", "Rule", "lint_file", "lint_paths", "lint_source"]

_LAZY: dict[str, str] = {name: "ntro.testing.lint" for name in __all__}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)

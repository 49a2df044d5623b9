"""The determinism lint: static checks that workflow code will replay identically.

Workflow code (classes decorated with ``@runbook.defn`` or deriving from
``NtroWorkflow``, and the functions and classes they reach in the bundle) must make the
same decisions every time Temporal replays it, so it may not read the clock,
randomness, the environment, files or the network, sleep on the wall clock,
start threads or processes, call activities directly, or use
``temporalio.workflow`` behind the facade's back. Each rule has a stable code
(:data:`RULES`); see the rule reference for the fix each one suggests::

    from ntro.testing.lint import lint_paths

    for finding in lint_paths(["runbooks/nav-monthly"]):
        print(finding.format())

The same checks run as ``ntro workflow lint PATH...``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ntro.runtime.protocol import lazy_exports

if TYPE_CHECKING:
    from ntro.testing.lint._engine import ScopeMode, lint_file, lint_files, lint_paths, lint_source
    from ntro.testing.lint._files import iter_python_files
    from ntro.testing.lint._findings import Finding
    from ntro.testing.lint._report import FORMATS, render
    from ntro.testing.lint._rules import RULES, Rule, UnknownRuleError, enabled_codes

__all__ = [
    "FORMATS",
    "RULES",
    "Finding",
    "Rule",
    "ScopeMode",
    "UnknownRuleError",
    "enabled_codes",
    "iter_python_files",
    "lint_file",
    "lint_files",
    "lint_paths",
    "lint_source",
    "render",
]

# Loaded on first use, so that ``ntro --help`` (which imports the command
# module inside this package) does not pay for the analysis modules.
_LAZY: dict[str, str] = {
    "ScopeMode": "_engine",
    "lint_file": "_engine",
    "lint_files": "_engine",
    "lint_paths": "_engine",
    "lint_source": "_engine",
    "iter_python_files": "_files",
    "Finding": "_findings",
    "FORMATS": "_report",
    "render": "_report",
    "RULES": "_rules",
    "Rule": "_rules",
    "UnknownRuleError": "_rules",
    "enabled_codes": "_rules",
}


__getattr__, __dir__ = lazy_exports(__name__, {name: f"{__name__}.{mod}" for name, mod in _LAZY.items()}, __all__)

"""ntro.testing: drive runbooks through scenarios on any engine, and lint them for determinism.

::

    from ntro.testing import HAPPY, WorkflowHarness

    async with WorkflowHarness(NavMonthlyWorkflow, runtime="temporal", child_workflows=[DocumentIngestWorkflow]) as h:
        result = await h.run(scenario=HAPPY)
        assert result.status == "completed", result.error

The harness (:class:`WorkflowHarness`) runs on LocalRuntime (virtual clock),
on Temporal's time-skipping test server (sandboxed, every history
replayed), or on any other installed backend, through the same client and
answering agent as ``ntro workflow run``. ``ntro workflow test`` runs a bundle's scenarios from the command line;
the determinism lint is ``ntro.testing.lint`` (``ntro workflow lint``).
Names load lazily, so importing this package is cheap and never imports temporalio.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ntro.runtime.protocol import lazy_exports

if TYPE_CHECKING:
    from ntro.testing import report
    from ntro.testing._harness import WorkflowHarness, discover_activities
    from ntro.testing._loader import load_runbook, load_runbook_with_children
    from ntro.testing._parity import parity_diff
    from ntro.testing._results import ActivityCall, RunResult, StepEvent
    from ntro.testing._scenarios import (
        BUILT_IN_SCENARIOS,
        HAPPY,
        REAL,
        REJECT_ALL,
        Scenario,
        ScenarioError,
        load_scenarios,
        select_scenarios,
    )
    from ntro.testing._suite import explore, run_scenarios
    from ntro.testing._validate import ValidationReport, validate_runbook
    from ntro.testing.lint import RULES, Finding, Rule, lint_file, lint_paths, lint_source

__all__ = [
    "BUILT_IN_SCENARIOS",
    "HAPPY",
    "REAL",
    "REJECT_ALL",
    "RULES",
    "ActivityCall",
    "Finding",
    "Rule",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "StepEvent",
    "ValidationReport",
    "WorkflowHarness",
    "discover_activities",
    "explore",
    "lint_file",
    "lint_paths",
    "lint_source",
    "load_runbook",
    "load_runbook_with_children",
    "load_scenarios",
    "parity_diff",
    "report",
    "run_scenarios",
    "select_scenarios",
    "validate_runbook",
]

_LAZY: dict[str, str] = {
    **{name: "ntro.testing.lint" for name in ("RULES", "Finding", "Rule", "lint_file", "lint_paths", "lint_source")},
    **{name: "ntro.testing._harness" for name in ("WorkflowHarness", "discover_activities")},
    **{name: "ntro.testing._loader" for name in ("load_runbook", "load_runbook_with_children")},
    **{name: "ntro.testing._results" for name in ("ActivityCall", "RunResult", "StepEvent")},
    **{
        name: "ntro.testing._scenarios"
        for name in (
            "BUILT_IN_SCENARIOS",
            "HAPPY",
            "REAL",
            "REJECT_ALL",
            "Scenario",
            "ScenarioError",
            "load_scenarios",
            "select_scenarios",
        )
    },
    **{name: "ntro.testing._suite" for name in ("explore", "run_scenarios")},
    "parity_diff": "ntro.testing._parity",
    **{name: "ntro.testing._validate" for name in ("ValidationReport", "validate_runbook")},
}

_getattr, __dir__ = lazy_exports(__name__, _LAZY, __all__)


def __getattr__(name: str) -> Any:
    if name == "report":  # a module, kept under ntro 0.1.2's name
        return importlib.import_module("ntro.testing.report")
    return _getattr(name)

"""ntro.workflow: write runbooks once, run them locally or on Temporal.

Everything here is resolved lazily, so ``import ntro.workflow`` stays cheap
and never imports temporalio::

    from ntro.workflow import NtroWorkflow, activity, runbook

The runtime backends live in separate distributions: ``run_local`` and
``start_local`` come from ``ntro-runtime-local`` (``pip install
"ntro-core[local]"``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from ntro.ingest import IngestIssueSummary, IngestOutcome, IngestProgressSnapshot
    from ntro.runtime.protocol import (
        ActivityInfo,
        ActivityOptions,
        ChildWorkflowOptions,
        RetryPolicy,
        WorkflowInfo,
        get_runtime,
        reset_runtime,
        set_runtime,
    )
    from ntro.workflow import registry
    from ntro.workflow._base import NtroWorkflow
    from ntro.workflow._facade import activity, runbook
    from ntro.workflow.decorators import UIComponent, ui_step
    from ntro.workflow.exceptions import (
        ActivityError,
        ApplicationError,
        NtroError,
        RuntimeNotAvailableError,
        WorkflowError,
    )
    from ntro.workflow.registry import get_registered, list_registered_slugs, register_workflow

__all__ = [
    "ActivityError",
    "ActivityInfo",
    "ActivityOptions",
    "ApplicationError",
    "ChildWorkflowOptions",
    "IngestIssueSummary",
    "IngestOutcome",
    "IngestProgressSnapshot",
    "NtroError",
    "NtroWorkflow",
    "RetryPolicy",
    "RuntimeNotAvailableError",
    "UIComponent",
    "WorkflowError",
    "WorkflowInfo",
    "activity",
    "get_registered",
    "get_runtime",
    "list_registered_slugs",
    "register_workflow",
    "registry",
    "reset_runtime",
    "run_local",
    "runbook",
    "set_runtime",
    "start_local",
    "ui_step",
]

_LAZY: dict[str, tuple[str, str]] = {
    "runbook": ("ntro.workflow._facade", "runbook"),
    "activity": ("ntro.workflow._facade", "activity"),
    "NtroWorkflow": ("ntro.workflow._base", "NtroWorkflow"),
    "ui_step": ("ntro.workflow.decorators", "ui_step"),
    "UIComponent": ("ntro.workflow.decorators", "UIComponent"),
    "WorkflowError": ("ntro.workflow.exceptions", "WorkflowError"),
    "ApplicationError": ("ntro.workflow.exceptions", "ApplicationError"),
    "ActivityError": ("ntro.workflow.exceptions", "ActivityError"),
    "NtroError": ("ntro.workflow.exceptions", "NtroError"),
    "RuntimeNotAvailableError": ("ntro.workflow.exceptions", "RuntimeNotAvailableError"),
    "RetryPolicy": ("ntro.runtime.protocol", "RetryPolicy"),
    "ActivityOptions": ("ntro.runtime.protocol", "ActivityOptions"),
    "ChildWorkflowOptions": ("ntro.runtime.protocol", "ChildWorkflowOptions"),
    "WorkflowInfo": ("ntro.runtime.protocol", "WorkflowInfo"),
    "ActivityInfo": ("ntro.runtime.protocol", "ActivityInfo"),
    "get_runtime": ("ntro.runtime.protocol", "get_runtime"),
    "set_runtime": ("ntro.runtime.protocol", "set_runtime"),
    "reset_runtime": ("ntro.runtime.protocol", "reset_runtime"),
    "register_workflow": ("ntro.workflow.registry", "register_workflow"),
    "get_registered": ("ntro.workflow.registry", "get_registered"),
    "list_registered_slugs": ("ntro.workflow.registry", "list_registered_slugs"),
    "registry": ("ntro.workflow.registry", ""),
    "IngestOutcome": ("ntro.ingest", "IngestOutcome"),
    "IngestProgressSnapshot": ("ntro.ingest", "IngestProgressSnapshot"),
    "IngestIssueSummary": ("ntro.ingest", "IngestIssueSummary"),
}

_FROM_LOCAL_BACKEND = ("run_local", "start_local")


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is not None:
        module = importlib.import_module(target[0])
        value = getattr(module, target[1]) if target[1] else module
    elif name in _FROM_LOCAL_BACKEND:
        try:
            module = importlib.import_module("ntro.runtime.local")
        except ImportError as exc:
            raise ImportError(
                f"ntro.workflow.{name} needs the local runtime backend, which is not installed: "
                'pip install "ntro-core[local]"',
                name=name,
            ) from exc
        value = getattr(module, name)
    else:
        raise AttributeError(f"module 'ntro.workflow' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

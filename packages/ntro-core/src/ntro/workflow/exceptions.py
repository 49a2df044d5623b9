"""Errors raised by runbook code and by ntro itself.

:class:`WorkflowError` is one plain class on every runtime. The Temporal
backend translates it to and from Temporal's application error at the
boundary, so runbook code never depends on which engine runs it.
"""

from __future__ import annotations

from ntro.runtime.protocol import (
    NotInWorkflowError,
    NtroError,
    RuntimeNotAvailableError,
    UpdateFailedError,
    WorkflowAlreadyStartedError,
    WorkflowError,
    WorkflowFailedError,
    WorkflowNotFoundError,
)

__all__ = [
    "ActivityError",
    "ApplicationError",
    "NotInWorkflowError",
    "NtroError",
    "RuntimeNotAvailableError",
    "WorkflowAlreadyStartedError",
    "WorkflowError",
    "WorkflowFailedError",
    "WorkflowNotFoundError",
    "UpdateFailedError",
]


ApplicationError = WorkflowError
"""Alias kept for code written against ntro 0.1.2; prefer :class:`WorkflowError`."""


class ActivityError(NtroError):
    """An activity failed for good; ``__cause__`` holds the activity's own error.

    Both runtimes raise the activity's error itself from
    ``runbook.execute_activity`` when it is a :class:`WorkflowError`; this class
    is kept so code written against ntro 0.1.2 can still name it.
    """

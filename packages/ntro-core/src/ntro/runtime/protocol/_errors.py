"""The errors backends raise and translate, and the base class of ntro's own errors.

:class:`WorkflowError` is one plain class on every runtime. The Temporal
backend translates it to and from Temporal's application error at the
boundary, so runbook code never depends on which engine runs it. Runbook
code imports these from :mod:`ntro.workflow.exceptions`, where they are
documented.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "NotInWorkflowError",
    "NtroError",
    "RuntimeNotAvailableError",
    "UpdateFailedError",
    "WorkflowAlreadyStartedError",
    "WorkflowError",
    "WorkflowFailedError",
    "WorkflowNotFoundError",
]


class NtroError(Exception):
    """Base class of errors that ntro itself raises about its own use."""


class RuntimeNotAvailableError(NtroError, RuntimeError):
    """No runtime backend can be selected: none installed, or a bad name asked for."""


class WorkflowError(Exception):
    """A business failure raised by workflow or activity code.

    Raised in workflow code, it fails the workflow (not just the workflow
    task). Raised in an activity, it fails that attempt; with
    ``non_retryable=True`` no further attempt is made.

    Args:
        message: What went wrong, for people.
        *details: Extra values carried with the error.
        type: A short machine-readable error type, matched against a retry
            policy's ``non_retryable_error_types``. Defaults to the class name.
        non_retryable: Whether retrying can never help.
    """

    def __init__(
        self,
        message: str = "",
        *details: Any,
        type: str | None = None,
        non_retryable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.type = type if type is not None else self.__class__.__name__
        self.non_retryable = non_retryable
        self.extra = kwargs

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_workflow_error, (self.__class__, self.message, self.details, self.type, self.non_retryable))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.message!r}, type={self.type!r}, non_retryable={self.non_retryable!r})"


def _rebuild_workflow_error(
    cls: type[WorkflowError], message: str, details: tuple[Any, ...], type_: str, non_retryable: bool
) -> WorkflowError:
    return cls(message, *details, type=type_, non_retryable=non_retryable)


class NotInWorkflowError(NtroError, RuntimeError):
    """A ``runbook`` call that needs workflow code (or an ``activity`` call that needs an activity) was made elsewhere.

    Raised the same way on every runtime, before any backend is asked.
    """


class WorkflowNotFoundError(NtroError, LookupError):
    """No workflow run has the id asked for (on this client's engine)."""


class WorkflowAlreadyStartedError(NtroError):
    """A workflow with that id is already running; pick another id."""


class WorkflowFailedError(NtroError):
    """A workflow run ended without a result: it failed, was cancelled, terminated or timed out.

    Attributes:
        workflow_id: The run's workflow id.
        status: The run's final status (a :class:`~ntro.runtime.protocol.WorkflowStatus` value).
        cause: The workflow's own error, as runbook code would see it
            (a :class:`WorkflowError` or :class:`TimeoutError`), when there is one.
    """

    def __init__(self, message: str, *, workflow_id: str, status: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.workflow_id = workflow_id
        self.status = status
        self.cause = cause


class UpdateFailedError(NtroError):
    """An update was refused by its validator, or its handler failed; the run goes on.

    Attributes:
        workflow_id: The run's workflow id.
        update: The update's name.
        cause: The error, as a :class:`WorkflowError` (its ``type`` is the
            raised exception's class name when it was not a ``WorkflowError``).
    """

    def __init__(self, message: str, *, workflow_id: str, update: str, cause: WorkflowError) -> None:
        super().__init__(message)
        self.message = message
        self.workflow_id = workflow_id
        self.update = update
        self.cause = cause

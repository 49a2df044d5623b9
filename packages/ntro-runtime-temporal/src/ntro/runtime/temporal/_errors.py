"""Translating errors at the Temporal boundary, so runbook code sees what LocalRuntime gives.

Outbound (an exception leaving activity or workflow code):

* :class:`NtroFailureConverter` encodes a :class:`~ntro.workflow.exceptions.WorkflowError`
  as Temporal's application failure with the same message, ``type``,
  ``details`` and ``non_retryable`` flag. Raised in an activity it fails that
  attempt, and with ``non_retryable=True`` the server makes no further
  attempt; raised in workflow code it fails the workflow (``WorkflowError`` is
  one of the worker's failure exception types).
* :class:`NtroInterceptor` turns any other exception an activity raises into
  ``WorkflowError("activity NAME failed: ...", type=<class name>)``, exactly the
  error LocalRuntime raises for it (the ``type`` is still matched against a
  retry policy's ``non_retryable_error_types``); and it emits an activity's
  :class:`~ntro.events.ObservableResult` as LocalRuntime does.

Inbound (a failure reaching workflow code): :func:`from_activity_error` and
:func:`from_child_error` turn what temporalio raises from an activity or a
child workflow into what LocalRuntime raises: an application failure becomes
a ``WorkflowError``; an activity timeout becomes
``WorkflowError(type=ErrorType.ACTIVITY_TIMEOUT)``; a child that failed with a
``TimeoutError`` (say, a gate that timed out) or timed out itself raises the
builtin :class:`TimeoutError` in its parent.

At the client, :func:`from_workflow_failure` turns what
``WorkflowHandle.result()`` raises into
:class:`~ntro.workflow.exceptions.WorkflowFailedError`, whose ``cause`` is
the same error a parent runbook would see for that run as a child.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import temporalio.activity
import temporalio.api.failure.v1
import temporalio.converter
import temporalio.exceptions
import temporalio.worker

from ntro.runtime.protocol import ActivityOptions, ErrorType, activity_failure, update_failure
from ntro.workflow.exceptions import UpdateFailedError, WorkflowError, WorkflowFailedError

__all__ = [
    "NtroFailureConverter",
    "NtroInterceptor",
    "describe_failure",
    "from_activity_error",
    "from_child_error",
    "from_workflow_failure",
    "to_application_error",
]


def to_application_error(error: WorkflowError) -> temporalio.exceptions.ApplicationError:
    """Return the Temporal application error that carries ``error`` across the wire."""
    converted = temporalio.exceptions.ApplicationError(
        error.message or str(error),
        *error.details,
        type=error.type,
        non_retryable=error.non_retryable,
    )
    converted.__traceback__ = error.__traceback__
    converted.__cause__ = error.__cause__
    converted.__suppress_context__ = error.__suppress_context__
    if error.__cause__ is None and not error.__suppress_context__:
        converted.__context__ = error.__context__
    return converted


class NtroFailureConverter(temporalio.converter.DefaultFailureConverter):
    """temporalio's default failure converter, plus ``WorkflowError`` -> application failure."""

    def to_failure(
        self,
        exception: BaseException,
        payload_converter: temporalio.converter.PayloadConverter,
        failure: temporalio.api.failure.v1.Failure,
    ) -> None:
        """Encode ``exception``; a ``WorkflowError`` keeps its type, details and flag."""
        if isinstance(exception, WorkflowError):
            exception = to_application_error(exception)
        super().to_failure(exception, payload_converter, failure)


class _ActivityErrors(temporalio.worker.ActivityInboundInterceptor):
    async def execute_activity(self, input: temporalio.worker.ExecuteActivityInput) -> Any:
        try:
            result = await self.next.execute_activity(input)
        except (WorkflowError, temporalio.exceptions.FailureError):
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("temporalio."):
                raise
            raise activity_failure(exc, temporalio.activity.info().activity_type) from exc
        events = sys.modules.get("ntro.events")  # nothing can be an ObservableResult unless it is loaded
        if events is not None:
            info = temporalio.activity.info()
            events.emit_result(
                result, workflow_id=info.workflow_id or "", activity=info.activity_type, attempt=info.attempt
            )
        return result


class NtroInterceptor(temporalio.worker.Interceptor):
    """Worker interceptor: an activity's plain exception leaves it as LocalRuntime's ``WorkflowError``."""

    def intercept_activity(
        self, next: temporalio.worker.ActivityInboundInterceptor
    ) -> temporalio.worker.ActivityInboundInterceptor:
        """Wrap the activity inbound chain."""
        return _ActivityErrors(next)


def _from_application_error(error: temporalio.exceptions.ApplicationError, *, builtin_timeout: bool) -> BaseException:
    if builtin_timeout and error.type == "TimeoutError":
        return TimeoutError(error.message)
    return WorkflowError(error.message, *error.details, type=error.type or "Error", non_retryable=error.non_retryable)


_TIMEOUT_KINDS = {
    "START_TO_CLOSE": ("start_to_close", "start_to_close_timeout"),
    "SCHEDULE_TO_CLOSE": ("schedule_to_close", "schedule_to_close_timeout"),
    "SCHEDULE_TO_START": ("schedule_to_start", "schedule_to_start_timeout"),
    "HEARTBEAT": ("heartbeat", "heartbeat_timeout"),
}


_RETRIED_TIMEOUTS = frozenset({"start_to_close", "heartbeat"})
"""The timeouts that fail one attempt, which the retry policy may retry (the others end the call)."""


def from_activity_error(
    error: temporalio.exceptions.ActivityError,
    options: ActivityOptions | None = None,
    default_start_to_close: timedelta | None = None,
) -> BaseException:
    """Return the exception runbook code should see for a failed activity.

    Args:
        error: What ``temporalio.workflow.execute_activity`` raised.
        options: The call's options, to name the timeout that expired.
        default_start_to_close: The start-to-close timeout used when the call set none.

    Returns:
        A ``WorkflowError`` for an application failure (same message, ``type``,
        details, ``non_retryable``) or a timeout (``type=ErrorType.ACTIVITY_TIMEOUT``, as
        LocalRuntime words it); ``error`` itself for anything else (cancellation).
    """
    cause = error.cause
    if isinstance(cause, temporalio.exceptions.ApplicationError):
        return _from_application_error(cause, builtin_timeout=False)
    if isinstance(cause, temporalio.exceptions.TimeoutError):
        type_name = cause.type.name if cause.type is not None else "START_TO_CLOSE"
        kind, option = _TIMEOUT_KINDS.get(type_name, (type_name.lower(), ""))
        limit = getattr(options, option, None) if options is not None and option else None
        if limit is None and kind == "start_to_close":
            limit = default_start_to_close
        return WorkflowError(
            f"activity timed out ({kind} timeout of {limit})",
            type=ErrorType.ACTIVITY_TIMEOUT,
            non_retryable=kind not in _RETRIED_TIMEOUTS,
        )
    return error


def from_update_failure(error: BaseException, workflow_id: str, update: str) -> UpdateFailedError:
    """Return the error a caller of ``handle.update`` gets for temporalio's ``WorkflowUpdateFailedError``.

    The validator's or handler's error arrives as an application failure; it
    becomes the :class:`~ntro.workflow.exceptions.WorkflowError` cause, as LocalRuntime words it.
    """
    cause = getattr(error, "cause", None)
    if isinstance(cause, temporalio.exceptions.ApplicationError):
        return update_failure(workflow_id, update, _from_application_error(cause, builtin_timeout=False))
    return update_failure(workflow_id, update, RuntimeError(describe_failure(cause or error)))


def from_child_error(error: temporalio.exceptions.ChildWorkflowError) -> BaseException:
    """Return the exception runbook code should see for a failed child workflow.

    An application failure becomes a ``WorkflowError`` (or the builtin
    ``TimeoutError`` when that is its type), a timeout the builtin
    ``TimeoutError``; anything else is returned unchanged.
    """
    cause = error.cause
    if isinstance(cause, temporalio.exceptions.ApplicationError):
        return _from_application_error(cause, builtin_timeout=True)
    if isinstance(cause, temporalio.exceptions.TimeoutError):
        return TimeoutError(f"child workflow {error.workflow_type} timed out")
    return error


def describe_failure(error: BaseException) -> str:
    """Return one line saying why a workflow failed, for the command line.

    Follows the chain of causes down to the first application failure or timeout.
    """
    seen: set[int] = set()
    current: Any = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, temporalio.exceptions.ApplicationError):
            return f"{current.type or 'Error'}: {current.message}"
        if isinstance(current, temporalio.exceptions.TimeoutError):
            return f"timed out: {current.message}"
        current = getattr(current, "cause", None) or current.__cause__
    return str(error) or type(error).__name__


def from_workflow_failure(error: BaseException, workflow_id: str) -> WorkflowFailedError:
    """Return the :class:`~ntro.workflow.exceptions.WorkflowFailedError` for a run that ended without a result.

    Args:
        error: What ``temporalio.client.WorkflowHandle.result()`` raised
            (a ``WorkflowFailureError``; its ``cause`` says how the run ended).
        workflow_id: The run's workflow id, for the message.

    Returns:
        An error whose ``status`` is the run's final status and whose message
        says ``failed: <type>: <message>``, ``was cancelled``, ``was terminated``
        or ``timed out``. Its ``cause`` is what runbook code would see: a
        ``WorkflowError`` (type, message, details, ``non_retryable`` kept) or
        the builtin ``TimeoutError``; ``None`` for a cancelled or terminated run.
    """
    cause: Any = getattr(error, "cause", None) or error.__cause__
    if isinstance(cause, temporalio.exceptions.CancelledError):
        return WorkflowFailedError(f"workflow {workflow_id} was cancelled", workflow_id=workflow_id, status="CANCELED")
    if isinstance(cause, temporalio.exceptions.TerminatedError):
        reason = cause.message if cause.message and cause.message != "Workflow terminated" else ""
        return WorkflowFailedError(
            f"workflow {workflow_id} was terminated" + (f": {reason}" if reason else ""),
            workflow_id=workflow_id,
            status="TERMINATED",
        )
    if isinstance(cause, temporalio.exceptions.TimeoutError):
        return WorkflowFailedError(
            f"workflow {workflow_id} timed out",
            workflow_id=workflow_id,
            status="TIMED_OUT",
            cause=TimeoutError(f"workflow {workflow_id} timed out"),
        )
    converted: BaseException | None = None
    if isinstance(cause, temporalio.exceptions.ApplicationError):
        converted = _from_application_error(cause, builtin_timeout=True)
    elif isinstance(cause, BaseException):
        converted = cause
    return WorkflowFailedError(
        f"workflow {workflow_id} failed: {describe_failure(error)}",
        workflow_id=workflow_id,
        status="FAILED",
        cause=converted,
    )

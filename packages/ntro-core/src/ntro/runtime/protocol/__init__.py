"""The contract between the ``ntro.workflow`` facades and a runtime backend.

A backend has two sides, each published under an entry-point group:

* the workflow side, a class implementing :class:`Runtime`, under
  ``ntro.runtimes``; the ``runbook``/``activity`` facades delegate to it;
* the client side, a factory returning a :class:`WorkflowClient`, under
  ``ntro.clients``; ``ntro workflow run``, the operations commands and the
  harness drive runs through it::

    [project.entry-points."ntro.runtimes"]
    local = "ntro.runtime.local:LocalRuntime"

    [project.entry-points."ntro.clients"]
    local = "ntro.runtime.local:open_client"

Everything a backend needs is public here and defined once: the definition
records the decorators leave, options and info records, binder registration,
slug resolution, default child ids, the shape of an activity failure and the
error type names. Backends import nothing private from ``ntro.workflow``.

The facades ask which runtime drives the current workflow (see
:func:`driving_runtime`) and delegate to it. Outside any workflow a call
that needs one raises :class:`~ntro.workflow.exceptions.NotInWorkflowError`,
the same on every runtime, before any backend is asked.
"""

from __future__ import annotations

import logging
import random as _random
import uuid
from collections.abc import Awaitable, Callable, Generator, Sequence
from contextvars import ContextVar, Token
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol, runtime_checkable

from ntro.workflow._definitions import (
    ACTIVITY_ATTR,
    ActivityDefinition,
    Binder,
    HandlerDefinition,
    WorkflowDefinition,
    activity_definition,
    add_binder,
    add_throwaway_import_check,
    defined_activities,
    defined_workflows,
    find_activity,
    handler_definition,
    maybe_workflow_definition,
    remove_binder,
    workflow_definition,
)
from ntro.workflow._info import ActivityInfo, WorkflowInfo
from ntro.workflow._lazy import lazy_exports
from ntro.workflow._options import (
    DEFAULT_ACTIVITY_OPTIONS,
    DEFAULT_CHILD_OPTIONS,
    ActivityOptions,
    ChildWorkflowOptions,
    Duration,
    RetryPolicy,
    to_timedelta,
)

__all__ = [
    "ACTIVITY_ATTR",
    "DEFAULT_ACTIVITY_OPTIONS",
    "DEFAULT_CHILD_OPTIONS",
    "ActivityDefinition",
    "ActivityInfo",
    "ActivityOptions",
    "Binder",
    "ChildWorkflowHandle",
    "ChildWorkflowOptions",
    "Duration",
    "HandlerDefinition",
    "LoggerLike",
    "RetryPolicy",
    "Runtime",
    "WorkflowDefinition",
    "WorkflowInfo",
    "activity_definition",
    "add_binder",
    "add_throwaway_import_check",
    "bind_driver",
    "defined_activities",
    "defined_workflows",
    "driving_runtime",
    "find_activity",
    "handler_definition",
    "lazy_exports",
    "maybe_workflow_definition",
    "register_ambient_detector",
    "remove_binder",
    "to_timedelta",
    "unbind_driver",
    "workflow_definition",
]

LoggerLike = logging.Logger | logging.LoggerAdapter[logging.Logger]
"""A logger, or an adapter that tags records (workflow id...)."""


@runtime_checkable
class ChildWorkflowHandle(Protocol):
    """A started child workflow: await it for its result."""

    @property
    def id(self) -> str:
        """The child's workflow id."""

    @property
    def first_execution_run_id(self) -> str:
        """The child's first run id."""

    def __await__(self) -> Generator[Any, Any, Any]:
        """Wait for the child's result (its error is raised)."""


@runtime_checkable
class Runtime(Protocol):
    """A runtime backend: everything the facades delegate.

    Durations arrive as :class:`~datetime.timedelta` (the facade normalises
    seconds), activity and child arguments as a tuple, options as the frozen
    option records of :mod:`ntro.workflow`.
    """

    name: str
    """Short name, as in the ``ntro.runtimes`` entry point (``"local"``, ``"temporal"``)."""

    # -- inside a workflow --------------------------------------------------------
    def execute_activity(
        self, activity: Callable[..., Any] | str, args: Sequence[Any], options: ActivityOptions, /
    ) -> Awaitable[Any]:
        """Run an activity with ``args`` and return its result."""

    def start_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> Awaitable[ChildWorkflowHandle]:
        """Start a child workflow, given by class or slug, and return its handle."""

    def execute_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> Awaitable[Any]:
        """Start a child workflow and return its result."""

    def wait_condition(self, predicate: Callable[[], bool], timeout: timedelta | None, /) -> Awaitable[None]:
        """Return once ``predicate()`` is true; raise :class:`TimeoutError` after ``timeout``."""

    def sleep(self, duration: timedelta, /) -> Awaitable[None]:
        """Sleep for ``duration`` of workflow time."""

    def workflow_info(self) -> WorkflowInfo:
        """Describe the running workflow."""

    def now(self) -> datetime:
        """Return the workflow clock's current time (timezone-aware UTC)."""

    def random(self) -> _random.Random:
        """Return the workflow's deterministic random generator."""

    def uuid4(self) -> uuid.UUID:
        """Return a deterministic version-4 UUID."""

    def patched(self, patch_id: str, /) -> bool:
        """Whether the run takes the new code path of ``patch_id`` (see ``runbook.patched``)."""

    def deprecate_patch(self, patch_id: str, /) -> None:
        """Note that every run still alive has passed ``patch_id`` (see ``runbook.deprecate_patch``)."""

    def continue_as_new(self, args: Sequence[Any], /) -> NoReturn:
        """End the run and start a new run of the same workflow, same id, with ``args``.

        Raise something workflow code does not catch with ``except Exception``
        (a :class:`BaseException`); whoever waits for the result gets the last run's.
        """

    def workflow_logger(self) -> LoggerLike:
        """Return the logger for workflow code."""

    def in_workflow(self) -> bool:
        """Whether the caller is workflow code driven by this runtime."""

    def step_changed(self, step_id: str, title: str, status: str) -> None:
        """Note that a ``@runbook.step`` is ``"started"``, ``"completed"`` or ``"failed"``.

        For progress output; runtimes without observers do nothing. It must
        not affect workflow state (on Temporal it runs again on replay).
        """

    # -- inside an activity ---------------------------------------------------------
    def activity_info(self) -> ActivityInfo:
        """Describe the running activity."""

    def heartbeat(self, details: Sequence[Any], /) -> None:
        """Record that the running activity is alive, with ``details`` for a retried attempt to resume from.

        An attempt of a call with a ``heartbeat_timeout`` that goes longer
        without one fails (``type="ActivityTimeout"``) and is retried; the
        next attempt's ``ActivityInfo.heartbeat_details`` are the last ``details``.
        """

    def activity_logger(self) -> LoggerLike:
        """Return the logger for activity code."""

    def in_activity(self) -> bool:
        """Whether the caller is an activity run by this runtime."""


# -- which runtime drives the current code ------------------------------------------

_driver: ContextVar[Runtime | None] = ContextVar("ntro_driving_runtime", default=None)
_ambient_detectors: list[Callable[[], Runtime | None]] = []


def bind_driver(runtime: Runtime) -> Token[Runtime | None]:
    """Mark the current context as driven by ``runtime`` (used by in-process drivers)."""
    return _driver.set(runtime)


def unbind_driver(token: Token[Runtime | None]) -> None:
    """Undo :func:`bind_driver`."""
    _driver.reset(token)


def register_ambient_detector(detector: Callable[[], Runtime | None]) -> None:
    """Add a check that recognises code run by an external engine.

    The Temporal backend registers one that answers when
    ``temporalio.workflow.in_workflow()`` (or ``activity.in_activity()``) is true.
    """
    if detector not in _ambient_detectors:
        _ambient_detectors.append(detector)


def driving_runtime() -> Runtime | None:
    """Return the runtime driving the current code, or ``None`` outside any workflow."""
    runtime = _driver.get()
    if runtime is not None:
        return runtime
    for detector in _ambient_detectors:
        runtime = detector()
        if runtime is not None:
            return runtime
    return None


from ntro.runtime.protocol._client import (  # noqa: E402
    CLIENT_ENTRY_POINT_GROUP,
    RUNBOOK_QUERIES,
    RUNBOOK_STATE_QUERY,
    ChildRun,
    ClientFactory,
    ClientOptions,
    RunbookState,
    StepState,
    WorkflowClient,
    WorkflowDescription,
    WorkflowHandle,
    WorkflowStatus,
    installed_clients,
    open_client,
    require_clients,
    runbook_state,
)
from ntro.runtime.protocol._payloads import (  # noqa: E402
    DEFAULT_PAYLOAD_CONVERTER,
    FunctionHints,
    Payload,
    PayloadConverter,
    PayloadError,
    function_hints,
)
from ntro.runtime.protocol._selection import (  # noqa: E402 - the selection needs the protocol above
    ENTRY_POINT_GROUP,
    INSTALL_HINT,
    Selection,
    describe_selection,
    get_runtime,
    installed_runtimes,
    load_runtime,
    reset_runtime,
    selected_runtime,
    set_runtime,
)
from ntro.runtime.protocol._shared import (  # noqa: E402
    ErrorType,
    activity_failure,
    check_workflow_id,
    default_child_id,
    resolve_workflow,
    update_failure,
)

__all__ += [
    "CLIENT_ENTRY_POINT_GROUP",
    "RUNBOOK_QUERIES",
    "RUNBOOK_STATE_QUERY",
    "ChildRun",
    "ClientFactory",
    "ClientOptions",
    "ErrorType",
    "RunbookState",
    "StepState",
    "WorkflowClient",
    "WorkflowDescription",
    "WorkflowHandle",
    "WorkflowStatus",
    "activity_failure",
    "check_workflow_id",
    "default_child_id",
    "installed_clients",
    "open_client",
    "require_clients",
    "resolve_workflow",
    "runbook_state",
    "update_failure",
    "ENTRY_POINT_GROUP",
    "INSTALL_HINT",
    "Selection",
    "describe_selection",
    "get_runtime",
    "installed_runtimes",
    "load_runtime",
    "reset_runtime",
    "selected_runtime",
    "set_runtime",
    "DEFAULT_PAYLOAD_CONVERTER",
    "FunctionHints",
    "Payload",
    "PayloadConverter",
    "PayloadError",
    "function_hints",
]

from ntro.runtime.protocol._actions import (  # noqa: E402
    PENDING_ACTION_KINDS,
    REVIEW_DECISIONS,
    REVIEW_SIGNAL,
    ROW_ACTION,
    SLOT_STATUSES,
    DrillChild,
    PendingAction,
    split_answer,
)
from ntro.runtime.protocol._hints import (  # noqa: E402
    Column,
    Dataset,
    DisplayHint,
    Feedback,
    HintAction,
    SignalTarget,
    UploadSlot,
)

__all__ += [
    "PENDING_ACTION_KINDS",
    "REVIEW_DECISIONS",
    "REVIEW_SIGNAL",
    "ROW_ACTION",
    "SLOT_STATUSES",
    "Column",
    "Dataset",
    "DisplayHint",
    "DrillChild",
    "Feedback",
    "HintAction",
    "PendingAction",
    "SignalTarget",
    "UploadSlot",
    "split_answer",
]

"""The :class:`Runtime` protocol the facades delegate to, and which runtime drives the current code.

The facades ask :func:`driving_runtime` which runtime drives the current
workflow or activity: an in-process driver binds itself to the context
(:func:`bind_driver`); an external engine registers a detector
(:func:`register_ambient_detector`).
"""

from __future__ import annotations

import logging
import random as _random
import uuid
from collections.abc import Awaitable, Callable, Generator, Sequence
from contextvars import ContextVar, Token
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, runtime_checkable

from ntro.runtime.protocol._info import ActivityInfo, WorkflowInfo
from ntro.runtime.protocol._options import ActivityOptions, ChildWorkflowOptions

if TYPE_CHECKING:
    from ntro.runtime.protocol._actions import PendingAction

__all__ = [
    "ChildWorkflowHandle",
    "LoggerLike",
    "Runtime",
    "bind_driver",
    "driving_runtime",
    "register_ambient_detector",
    "unbind_driver",
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

    def gate_changed(self, action: PendingAction, status: str) -> None:
        """Note that a gate (``action``, as the runbook advertised it when it opened) is ``"opened"`` or ``"closed"``.

        For observers (:class:`~ntro.runtime.protocol.RunEventSource`), like :meth:`step_changed`: it
        must not affect workflow state.
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

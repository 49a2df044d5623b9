"""TemporalRuntime: the ``Runtime`` protocol as a thin pass-through to temporalio."""

from __future__ import annotations

import random as _random
import sys
import uuid
import weakref
from collections.abc import Callable, Generator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, cast

import temporalio.activity
import temporalio.exceptions
import temporalio.workflow

from ntro.runtime.protocol import (
    ActivityInfo,
    ActivityOptions,
    ChildWorkflowOptions,
    WorkflowInfo,
    default_child_id,
    maybe_workflow_definition,
    resolve_workflow,
)
from ntro.runtime.temporal._binding import arm, require_bound, require_bound_activity
from ntro.runtime.temporal._errors import from_activity_error, from_child_error
from ntro.runtime.temporal._events import report
from ntro.runtime.temporal._options import activity_kwargs, child_kwargs
from ntro.runtime.temporal._scopes import scoped_workflow

if TYPE_CHECKING:
    from ntro.runtime.protocol import LoggerLike, PendingAction

__all__ = ["DEFAULT_START_TO_CLOSE_TIMEOUT", "TemporalRuntime"]

DEFAULT_START_TO_CLOSE_TIMEOUT = timedelta(minutes=5)
"""Start-to-close timeout of an activity call that sets no timeout (temporalio requires one)."""

# Per-run count of children started without an id, keyed by temporalio's
# workflow instance (one per run, rebuilt identically on replay).
_child_seq: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


class TemporalRuntime:
    """Runs ntro runbooks on Temporal: every call goes straight to temporalio.

    Inside a workflow run by a Temporal worker, the facades dispatch here on
    their own (an ambient detector recognises temporalio's workflow and
    activity contexts); nothing needs selecting. Selecting this runtime
    (``TEMPORAL_HOST`` set, or ``NTRO_RUNTIME=temporal``) matters only for code
    outside workflows.

    Args:
        default_start_to_close_timeout: The start-to-close timeout of an
            activity call that sets neither it nor a schedule-to-close timeout.
    """

    name = "temporal"

    def __init__(self, *, default_start_to_close_timeout: timedelta = DEFAULT_START_TO_CLOSE_TIMEOUT) -> None:
        self.default_start_to_close_timeout = default_start_to_close_timeout
        arm()

    def __repr__(self) -> str:
        return "TemporalRuntime()"

    # -- inside a workflow --------------------------------------------------------------
    async def execute_activity(
        self, activity: Callable[..., Any] | str, args: Sequence[Any], options: ActivityOptions, /
    ) -> Any:
        """Run the activity by its registered name; failures arrive as ntro errors.

        Raises:
            WorkflowError: The activity failed for good with an application
                error (``type``, details and ``non_retryable`` preserved), or
                timed out for good (``type="ActivityTimeout"``).
        """
        name, result_type = _activity_target(activity)
        kwargs = activity_kwargs(options, self.default_start_to_close_timeout)
        try:
            return await temporalio.workflow.execute_activity(name, args=list(args), result_type=result_type, **kwargs)
        except temporalio.exceptions.ActivityError as exc:
            converted = from_activity_error(exc, options, self.default_start_to_close_timeout)
            if converted is exc:
                raise
            raise converted from exc

    async def start_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> TemporalChildHandle:
        """Start a child workflow, by class or slug, and return its handle.

        Without an ``id`` the child gets ``<parent id>:<slug>:<n>``, as under LocalRuntime.

        Raises:
            WorkflowError: No workflow is registered under the slug
                (``type="UnknownWorkflowSlug"``, non-retryable).
        """
        name, slug, result_type = _workflow_target(workflow)
        kwargs = child_kwargs(options)
        if "id" not in kwargs:
            loop = _current_instance()
            seq = _child_seq.get(loop, 0) + 1
            _child_seq[loop] = seq
            kwargs["id"] = default_child_id(temporalio.workflow.info().workflow_id, slug, seq)
        handle = await temporalio.workflow.start_child_workflow(
            name, args=list(args), result_type=result_type, **kwargs
        )
        report("child.started", {"child_workflow_id": handle.id})
        return TemporalChildHandle(handle)

    async def execute_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> Any:
        """Start a child workflow and return its result."""
        handle = await self.start_child_workflow(workflow, args, options)
        return await handle

    async def wait_condition(self, predicate: Callable[[], bool], timeout: timedelta | None, /) -> None:
        """Wait until ``predicate()`` holds.

        Raises:
            TimeoutError: ``timeout`` elapsed first (temporalio raises
                ``asyncio.TimeoutError``, the builtin ``TimeoutError`` since Python 3.11).
        """
        if predicate():
            return
        try:
            await temporalio.workflow.wait_condition(predicate, timeout=timeout)
        except TimeoutError:
            raise TimeoutError("wait_condition timed out") from None

    async def sleep(self, duration: timedelta, /) -> None:
        """Sleep on a durable Temporal timer."""
        await temporalio.workflow.sleep(duration)

    def workflow_info(self) -> WorkflowInfo:
        """Describe the running workflow, from ``temporalio.workflow.info()``."""
        info = temporalio.workflow.info()
        return WorkflowInfo(
            info.workflow_id,
            info.task_queue,
            info.run_id,
            info.attempt,
            workflow_type=info.workflow_type,
            parent_workflow_id=info.parent.workflow_id if info.parent is not None else None,
            start_time=info.start_time,
        )

    def now(self) -> datetime:
        """Return ``temporalio.workflow.now()``: deterministic, UTC."""
        return temporalio.workflow.now()

    def random(self) -> _random.Random:
        """Return ``temporalio.workflow.random()``, seeded per run and replay-safe."""
        return temporalio.workflow.random()

    def uuid4(self) -> uuid.UUID:
        """Return ``temporalio.workflow.uuid4()``, replay-safe."""
        return temporalio.workflow.uuid4()

    def patched(self, patch_id: str, /) -> bool:
        """``temporalio.workflow.patched``: a marker in new histories, the old path on replay of old ones."""
        return temporalio.workflow.patched(patch_id)

    def deprecate_patch(self, patch_id: str, /) -> None:
        """``temporalio.workflow.deprecate_patch``."""
        temporalio.workflow.deprecate_patch(patch_id)

    def continue_as_new(self, args: Sequence[Any], /) -> NoReturn:
        """``temporalio.workflow.continue_as_new``: raises its ``ContinueAsNewError``, which ends the run."""
        temporalio.workflow.continue_as_new(args=list(args))

    def workflow_logger(self) -> LoggerLike:
        """Return temporalio's replay-aware workflow logger."""
        return cast("LoggerLike", temporalio.workflow.logger)

    def in_workflow(self) -> bool:
        """Whether the caller runs inside a Temporal workflow."""
        return temporalio.workflow.in_workflow()

    # -- inside an activity ---------------------------------------------------------------
    def activity_info(self) -> ActivityInfo:
        """Describe the running activity, from ``temporalio.activity.info()``."""
        info = temporalio.activity.info()
        return ActivityInfo(
            info.workflow_id or "",
            info.activity_id,
            info.attempt,
            activity_type=info.activity_type,
            task_queue=info.task_queue,
            heartbeat_details=tuple(info.heartbeat_details),
            heartbeat_timeout=info.heartbeat_timeout,
        )

    def heartbeat(self, details: Sequence[Any], /) -> None:
        """``temporalio.activity.heartbeat``: the server keeps the last details for the next attempt."""
        temporalio.activity.heartbeat(*details)

    def activity_logger(self) -> LoggerLike:
        """Return temporalio's activity logger."""
        return cast("LoggerLike", temporalio.activity.logger)

    def in_activity(self) -> bool:
        """Whether the caller runs inside a Temporal activity."""
        return temporalio.activity.in_activity()

    def step_changed(self, step_id: str, title: str, status: str) -> None:
        """Report a step's progress (``step.started``...) to a client hosting this worker; never on replay."""
        report(f"step.{status}", {"step_id": step_id, "title": title})

    def gate_changed(self, action: PendingAction, status: str) -> None:
        """Report a gate opening or closing (``gate.opened``, ``gate.closed``), as :meth:`step_changed` does."""
        report(f"gate.{status}", {"gate": action.gate, "action": action.kind, "step_id": action.step_id})


class _NoArgument:
    """What a child handle's ``signal`` gets when no argument is given (``None`` is a value)."""

    def __repr__(self) -> str:
        return "<no argument>"


_NO_ARGUMENT: Any = _NoArgument()


class TemporalChildHandle:
    """A started Temporal child workflow; await it for its result.

    Awaiting raises :class:`~ntro.workflow.exceptions.WorkflowError` (or ``TimeoutError``)
    where temporalio would raise ``ChildWorkflowError``, as LocalRuntime does.
    """

    __slots__ = ("_handle",)

    def __init__(self, handle: temporalio.workflow.ChildWorkflowHandle[Any, Any]) -> None:
        self._handle = handle

    @property
    def id(self) -> str:
        """The child's workflow id."""
        return self._handle.id

    @property
    def first_execution_run_id(self) -> str:
        """The child's first run id."""
        return self._handle.first_execution_run_id or ""

    def __await__(self) -> Generator[Any, Any, Any]:
        return self._result().__await__()

    async def _result(self) -> Any:
        try:
            return await self._handle
        except temporalio.exceptions.ChildWorkflowError as exc:
            converted = from_child_error(exc)
            if converted is exc:
                raise
            raise converted from exc

    async def signal(self, signal: str, arg: Any = _NO_ARGUMENT, /) -> None:
        """Send ``signal`` (its name) to the child with one argument or none; ``None`` is a value, as locally."""
        await self._handle.signal(signal, args=[] if arg is _NO_ARGUMENT else [arg])


def _activity_target(activity: Callable[..., Any] | str) -> tuple[str, type | None]:
    if isinstance(activity, str):
        return activity, None
    tdefn = getattr(activity, "__temporal_activity_definition", None)
    if tdefn is None:
        require_bound_activity(activity)
        tdefn = getattr(activity, "__temporal_activity_definition")
    return str(tdefn.name), tdefn.ret_type


def _current_instance() -> Any:
    import asyncio

    return asyncio.get_running_loop()  # temporalio runs each workflow run on its own loop object


def _workflow_target(workflow: type | str) -> tuple[str, str, type | None]:
    # A slug names the class of the task's revision on a worker following a registry, else the registered one.
    cls = (scoped_workflow(workflow) or resolve_workflow(workflow).cls) if isinstance(workflow, str) else workflow
    tdefn = cls.__dict__.get("__temporal_workflow_definition")
    if tdefn is None or tdefn.cls is not cls:
        require_bound(cls)
        tdefn = cls.__dict__["__temporal_workflow_definition"]
    ntro_defn = maybe_workflow_definition(cls)
    slug = ntro_defn.slug if ntro_defn is not None else str(tdefn.name)
    return str(tdefn.name), slug, _sandbox_copy(tdefn.ret_type)


def _sandbox_copy(kind: type | None) -> type | None:
    """Return the sandbox's own copy of ``kind`` when workflow code runs sandboxed and has imported it.

    A slug resolves to the worker's class (the registry keeps it, not the
    sandbox's throwaway copies), so its return type is the worker's class too;
    the parent's code, re-imported in the sandbox, knows another class of the
    same name, and a result decoded into the worker's would not be one of them.
    """
    if kind is None or not temporalio.workflow.unsafe.in_sandbox():
        return kind
    module = sys.modules.get(getattr(kind, "__module__", ""))
    name = getattr(kind, "__qualname__", "")
    found = getattr(module, name, None) if module is not None and "." not in name else None
    return found if isinstance(found, type) else kind

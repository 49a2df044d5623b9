"""The ``runbook`` and ``activity`` facades that runbook code imports.

They replace ``temporalio.workflow`` and ``temporalio.activity`` with the same
call shapes. Decorators record runtime-neutral metadata (see
:mod:`ntro.runtime.protocol`); calls dispatch to the runtime driving the
current workflow. Outside any workflow, a call that needs one raises
:class:`~ntro.workflow.exceptions.NotInWorkflowError` on every runtime alike:
no backend is asked, so none can answer differently (ntro 0.1.2 ran a stray
``execute_activity`` in-process, and temporalio raised its own private error).
"""

from __future__ import annotations

import inspect
import logging
import random as _random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, Protocol, TypeVar, overload

from ntro.runtime.protocol import (
    DEFAULT_ACTIVITY_OPTIONS,
    DEFAULT_CHILD_OPTIONS,
    ActivityInfo,
    ActivityOptions,
    ChildWorkflowOptions,
    Duration,
    RetryPolicy,
    WorkflowInfo,
    driving_runtime,
    to_timedelta,
)
from ntro.runtime.protocol._definitions import (
    QUERY_ATTR,
    RUN_ATTR,
    SIGNAL_ATTR,
    UPDATE_ATTR,
    VALIDATOR_ATTR,
    HandlerDefinition,
    define_activity,
    define_workflow,
    mark_handler,
)
from ntro.workflow.exceptions import NotInWorkflowError

if TYPE_CHECKING:
    from ntro.runtime.protocol import ChildWorkflowHandle, LoggerLike, Runtime

__all__ = ["UpdateHandler", "activity", "runbook"]

C = TypeVar("C", bound=type)
F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
P = ParamSpec("P")
R_co = TypeVar("R_co", covariant=True)


class UpdateHandler(Protocol[P, R_co]):
    """What ``@runbook.update`` returns: the handler, with ``.validator`` to attach its check."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co:
        """Call the handler itself."""

    def validator(self, check: Callable[P, None], /) -> Callable[P, None]:
        """Decorate the method that checks a request before the handler runs (a plain ``def``)."""


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


_OPTIONS: dict[tuple[Any, ...], ActivityOptions] = {}
"""The activity options built for each distinct set of ``execute_activity`` keywords.

A runbook passes the same few option sets on every call; building the frozen
record once each saves most of a call's overhead.
"""
_OPTIONS_KEPT = 256


def _current(call: str) -> Runtime:
    """Return the runtime driving the workflow code that makes ``call``.

    Raises:
        NotInWorkflowError: The caller is not workflow code (it is an
            activity, or runs outside any run).
    """
    runtime = driving_runtime()
    if runtime is not None and runtime.in_workflow():
        return runtime
    where = "an activity" if runtime is not None and runtime.in_activity() else "outside any workflow"
    raise NotInWorkflowError(
        f"runbook.{call} was called from {where}; it works only in workflow code (the @runbook.run method, "
        "steps, signal and query handlers). Start the workflow with run_local(...), a client or a worker, "
        "and call plain functions directly"
    )


def _current_activity(call: str) -> Runtime:
    runtime = driving_runtime()
    if runtime is not None and runtime.in_activity():
        return runtime
    raise NotInWorkflowError(
        f"activity.{call} was called outside an activity; it works only in code run by runbook.execute_activity"
    )


def _pack_args(arg: Any, args: Sequence[Any]) -> tuple[Any, ...]:
    if arg is _UNSET:
        return tuple(args)
    if args:
        raise TypeError("pass either one positional argument or args=[...], not both")
    return (arg,)


def _handler_decorator(attr: str, kind: str, fn: Any, name: str | None, description: str | None) -> Any:
    def apply(method: F) -> F:
        if not callable(method):
            raise TypeError(f"@runbook.{kind} decorates a method, not {type(method).__name__}")
        record = HandlerDefinition(name=name or method.__name__, method_name=method.__name__, description=description)
        return mark_handler(method, attr, record)  # type: ignore[no-any-return]

    return apply(fn) if fn is not None else apply


def _update_decorator(fn: Any, name: str | None, description: str | None) -> Any:
    def apply(method: F) -> F:
        if not callable(method):
            raise TypeError(f"@runbook.update decorates a method, not {type(method).__name__}")
        record = HandlerDefinition(name=name or method.__name__, method_name=method.__name__, description=description)
        mark_handler(method, UPDATE_ATTR, record)

        def validator(check: Callable[..., Any]) -> Callable[..., Any]:
            if inspect.iscoroutinefunction(check):
                raise TypeError(
                    f"the validator {check.__name__} of update {record.name!r} must be a plain 'def': it only "
                    "checks the request, and may not await"
                )
            return mark_handler(check, VALIDATOR_ATTR, record.name)  # type: ignore[no-any-return]

        method.validator = validator  # type: ignore[attr-defined]
        return method

    return apply(fn) if fn is not None else apply


class _RunbookFacade:
    """Workflow-side API: decorators for workflow classes and calls for workflow code."""

    # -- decorators ---------------------------------------------------------------
    @overload
    def defn(self, cls: C, /) -> C: ...
    @overload
    def defn(self, /, *, name: str | None = None, slug: str | None = None) -> Callable[[C], C]: ...
    def defn(self, cls: Any = None, /, *, name: str | None = None, slug: str | None = None) -> Any:
        """Declare a workflow class (bare, or with ``name=`` and ``slug=``).

        Registers the class under its slug: the explicit ``slug=``, else the
        kebab-cased class name without ``Workflow`` (``NavMonthlyWorkflow`` ->
        ``nav-monthly``).
        """

        def apply(klass: C) -> C:
            define_workflow(klass, name=name, slug=slug)
            return klass

        return apply(cls) if cls is not None else apply

    def run(self, fn: F, /) -> F:
        """Mark the workflow's entry coroutine."""
        return mark_handler(fn, RUN_ATTR, True)  # type: ignore[no-any-return]

    @overload
    def signal(self, fn: F, /) -> F: ...
    @overload
    def signal(self, /, *, name: str | None = None, description: str | None = None) -> Callable[[F], F]: ...
    def signal(self, fn: Any = None, /, *, name: str | None = None, description: str | None = None) -> Any:
        """Mark a signal handler (bare, or with ``name=``)."""
        return _handler_decorator(SIGNAL_ATTR, "signal", fn, name, description)

    @overload
    def query(self, fn: F, /) -> F: ...
    @overload
    def query(self, /, *, name: str | None = None, description: str | None = None) -> Callable[[F], F]: ...
    def query(self, fn: Any = None, /, *, name: str | None = None, description: str | None = None) -> Any:
        """Mark a query handler (bare, or with ``name=``)."""
        return _handler_decorator(QUERY_ATTR, "query", fn, name, description)

    @overload
    def update(self, fn: Callable[P, R], /) -> UpdateHandler[P, R]: ...
    @overload
    def update(
        self, /, *, name: str | None = None, description: str | None = None
    ) -> Callable[[Callable[P, R]], UpdateHandler[P, R]]: ...
    def update(self, fn: Any = None, /, *, name: str | None = None, description: str | None = None) -> Any:
        """Mark an update handler (bare, or with ``name=``): a request that changes the run and answers.

        Unlike a signal, the caller waits for the handler's return value, and
        a validator can refuse a bad request before it touches the run's
        state (on Temporal a refused update leaves no trace in the history)::

            @runbook.update
            async def set_limit(self, limit: int) -> int:
                self.limit = limit
                return limit

            @set_limit.validator
            def check_limit(self, limit: int) -> None:
                if limit <= 0:
                    raise ValueError("the limit must be positive")

        A validator is a plain ``def`` with the handler's parameters; any
        error it raises refuses the request. An error the handler raises
        fails the request (a :class:`~ntro.workflow.exceptions.WorkflowError`
        keeps its type and message); either way the run goes on. Send one
        with ``handle.update(name, arg)`` or ``ntro workflow update``.
        """
        return _update_decorator(fn, name, description)

    @property
    def step(self) -> Callable[..., Callable[[F], F]]:
        """The step decorator, used as ``@runbook.step(name=, title=, icon=None, config=None)``."""
        from ntro.workflow.decorators import step

        return step

    # -- calls from workflow code ------------------------------------------------------
    @overload
    def execute_activity(
        self,
        activity: Callable[..., Awaitable[R]],
        arg: Any = ...,
        /,
        *,
        args: Sequence[Any] = (),
        task_queue: str | None = None,
        schedule_to_close_timeout: Duration | None = None,
        schedule_to_start_timeout: Duration | None = None,
        start_to_close_timeout: Duration | None = None,
        heartbeat_timeout: Duration | None = None,
        retry_policy: RetryPolicy | None = None,
        activity_id: str | None = None,
        summary: str | None = None,
    ) -> Awaitable[R]: ...
    @overload
    def execute_activity(
        self,
        activity: Callable[..., R],
        arg: Any = ...,
        /,
        *,
        args: Sequence[Any] = (),
        task_queue: str | None = None,
        schedule_to_close_timeout: Duration | None = None,
        schedule_to_start_timeout: Duration | None = None,
        start_to_close_timeout: Duration | None = None,
        heartbeat_timeout: Duration | None = None,
        retry_policy: RetryPolicy | None = None,
        activity_id: str | None = None,
        summary: str | None = None,
    ) -> Awaitable[R]: ...
    @overload
    def execute_activity(
        self,
        activity: str,
        arg: Any = ...,
        /,
        *,
        args: Sequence[Any] = (),
        task_queue: str | None = None,
        schedule_to_close_timeout: Duration | None = None,
        schedule_to_start_timeout: Duration | None = None,
        start_to_close_timeout: Duration | None = None,
        heartbeat_timeout: Duration | None = None,
        retry_policy: RetryPolicy | None = None,
        activity_id: str | None = None,
        summary: str | None = None,
    ) -> Awaitable[Any]: ...
    def execute_activity(
        self,
        activity: Callable[..., Any] | str,
        arg: Any = _UNSET,
        /,
        *,
        args: Sequence[Any] = (),
        task_queue: str | None = None,
        schedule_to_close_timeout: Duration | None = None,
        schedule_to_start_timeout: Duration | None = None,
        start_to_close_timeout: Duration | None = None,
        heartbeat_timeout: Duration | None = None,
        retry_policy: RetryPolicy | None = None,
        activity_id: str | None = None,
        summary: str | None = None,
    ) -> Awaitable[Any]:
        """Run an activity and return its result (await the call).

        Same shape as ``temporalio.workflow.execute_activity``: one positional
        argument, or several with ``args=[a, b]``. Durations are timedeltas or
        seconds. Without a ``retry_policy``, LocalRuntime surfaces an activity's
        error at once while Temporal retries with its default policy.
        """
        if (
            task_queue is None
            and schedule_to_close_timeout is None
            and schedule_to_start_timeout is None
            and start_to_close_timeout is None
            and heartbeat_timeout is None
            and retry_policy is None
            and activity_id is None
            and summary is None
        ):
            options = DEFAULT_ACTIVITY_OPTIONS
        else:
            key = (
                task_queue,
                schedule_to_close_timeout,
                schedule_to_start_timeout,
                start_to_close_timeout,
                heartbeat_timeout,
                # 1 and True are equal keys, but only one is a duration
                type(schedule_to_close_timeout),
                type(schedule_to_start_timeout),
                type(start_to_close_timeout),
                type(heartbeat_timeout),
                retry_policy,
                activity_id,
                summary,
            )
            try:
                cached = _OPTIONS.get(key)
            except TypeError:  # an unhashable value: build the options, which say what is wrong with it
                cached = None
            if cached is None:
                cached = ActivityOptions(
                    task_queue=task_queue,
                    schedule_to_close_timeout=to_timedelta(schedule_to_close_timeout, what="schedule_to_close_timeout"),
                    schedule_to_start_timeout=to_timedelta(schedule_to_start_timeout, what="schedule_to_start_timeout"),
                    start_to_close_timeout=to_timedelta(start_to_close_timeout, what="start_to_close_timeout"),
                    heartbeat_timeout=to_timedelta(heartbeat_timeout, what="heartbeat_timeout"),
                    retry_policy=retry_policy,
                    activity_id=activity_id,
                    summary=summary,
                )
                if len(_OPTIONS) >= _OPTIONS_KEPT:
                    _OPTIONS.clear()
                _OPTIONS[key] = cached
            options = cached
        packed = (arg,) if arg is not _UNSET and not args else _pack_args(arg, args)
        return _current("execute_activity()").execute_activity(activity, packed, options)

    def _child_options(
        self,
        id: str | None,
        task_queue: str | None,
        execution_timeout: Duration | None,
        run_timeout: Duration | None,
        task_timeout: Duration | None,
        retry_policy: RetryPolicy | None,
        memo: dict[str, object] | None,
        summary: str | None,
    ) -> ChildWorkflowOptions:
        if all(
            v is None
            for v in (id, task_queue, execution_timeout, run_timeout, task_timeout, retry_policy, memo, summary)
        ):
            return DEFAULT_CHILD_OPTIONS
        return ChildWorkflowOptions(
            id=id,
            task_queue=task_queue,
            execution_timeout=to_timedelta(execution_timeout, what="execution_timeout"),
            run_timeout=to_timedelta(run_timeout, what="run_timeout"),
            task_timeout=to_timedelta(task_timeout, what="task_timeout"),
            retry_policy=retry_policy,
            memo=memo,
            summary=summary,
        )

    async def start_child_workflow(
        self,
        workflow: type | str,
        arg: Any = _UNSET,
        /,
        *,
        args: Sequence[Any] = (),
        id: str | None = None,
        task_queue: str | None = None,
        execution_timeout: Duration | None = None,
        run_timeout: Duration | None = None,
        task_timeout: Duration | None = None,
        retry_policy: RetryPolicy | None = None,
        memo: dict[str, object] | None = None,
        summary: str | None = None,
    ) -> ChildWorkflowHandle:
        """Start a child workflow, by class or by registered slug, and return its handle.

        Runbooks normally call ``self.run_child_workflow(slug=...)`` instead,
        which also records the child for the UI.
        """
        options = self._child_options(
            id, task_queue, execution_timeout, run_timeout, task_timeout, retry_policy, memo, summary
        )
        packed = _pack_args(arg, args)
        return await _current("start_child_workflow()").start_child_workflow(workflow, packed, options)

    async def execute_child_workflow(
        self,
        workflow: type | str,
        arg: Any = _UNSET,
        /,
        *,
        args: Sequence[Any] = (),
        id: str | None = None,
        task_queue: str | None = None,
        execution_timeout: Duration | None = None,
        run_timeout: Duration | None = None,
        task_timeout: Duration | None = None,
        retry_policy: RetryPolicy | None = None,
        memo: dict[str, object] | None = None,
        summary: str | None = None,
    ) -> Any:
        """Start a child workflow and return its result."""
        options = self._child_options(
            id, task_queue, execution_timeout, run_timeout, task_timeout, retry_policy, memo, summary
        )
        packed = _pack_args(arg, args)
        return await _current("execute_child_workflow()").execute_child_workflow(workflow, packed, options)

    def wait_condition(self, predicate: Callable[[], bool], /, *, timeout: Duration | None = None) -> Awaitable[None]:
        """Wait until ``predicate()`` is true.

        Args:
            predicate: A cheap, side-effect-free check of workflow state.
            timeout: A timedelta or seconds; on expiry :class:`TimeoutError` is raised.
        """
        return _current("wait_condition()").wait_condition(predicate, to_timedelta(timeout, what="timeout"))

    def sleep(self, duration: Duration, /) -> Awaitable[None]:
        """Sleep for ``duration`` (a timedelta or seconds) of workflow time.

        Use this, never ``asyncio.sleep``, in workflow code.
        """
        delta = to_timedelta(duration, what="duration")
        assert delta is not None
        return _current("sleep()").sleep(delta)

    def info(self) -> WorkflowInfo:
        """Describe the running workflow."""
        return _current("info()").workflow_info()

    def now(self) -> datetime:
        """Return the workflow clock's time: deterministic, replay-safe, UTC."""
        return _current("now()").now()

    def random(self) -> _random.Random:
        """Return the workflow's deterministic random generator (seeded per run)."""
        return _current("random()").random()

    def uuid4(self) -> uuid.UUID:
        """Return a deterministic UUID (use instead of ``uuid.uuid4()`` in workflows)."""
        return _current("uuid4()").uuid4()

    def patched(self, patch_id: str, /) -> bool:
        """Whether this run takes the new code path of a change to workflow code.

        Wrap a change to a runbook that has runs in flight::

            if runbook.patched("fx-check"):
                await runbook.execute_activity(check_fx, ctx)   # the new code

        A new run takes the new path (and records the patch in its history on
        Temporal); a run started on the old code replays the old path, then
        takes the new one only where it had not got to yet. Locally every run
        is new, so this is ``True``.
        """
        return _current("patched()").patched(patch_id)

    def deprecate_patch(self, patch_id: str, /) -> None:
        """Say that no run still in flight started before ``patch_id``: the old path can go.

        Keep the call where the ``if runbook.patched(...)`` was, with the new
        code unconditional, until no history recorded without the patch
        remains; then remove it. A no-op locally.
        """
        _current("deprecate_patch()").deprecate_patch(patch_id)

    def continue_as_new(self, arg: Any = _UNSET, /, *, args: Sequence[Any] = ()) -> NoReturn:
        """End this run and start it afresh, same workflow id, with new arguments.

        For runbooks that loop over periods: a run's history (on Temporal)
        grows with every step, so a runbook that goes on for months hands
        over to a new run now and then, carrying only what the next period
        needs::

            if period < last_period:
                runbook.continue_as_new(period + 1)

        It raises an exception that ends the run; don't catch it (it is not
        an :class:`Exception`, so ``except Exception`` lets it pass). The
        caller waiting for the result (``handle.result()``, a parent) gets
        the last run's result. Pass one positional argument, or ``args=[...]``.
        """
        _current("continue_as_new()").continue_as_new(_pack_args(arg, args))

    def in_workflow(self) -> bool:
        """Whether the caller is workflow code run by some runtime."""
        runtime = driving_runtime()
        return runtime is not None and runtime.in_workflow()

    @property
    def logger(self) -> LoggerLike:
        """The logger for workflow code (``ntro.workflow`` outside a workflow)."""
        runtime = driving_runtime()
        return runtime.workflow_logger() if runtime is not None else logging.getLogger("ntro.workflow")


class _ActivityFacade:
    """Activity-side API: the ``@activity.defn`` decorator and activity context."""

    @overload
    def defn(self, fn: F, /) -> F: ...
    @overload
    def defn(self, /, *, name: str | None = None) -> Callable[[F], F]: ...
    def defn(self, fn: Any = None, /, *, name: str | None = None) -> Any:
        """Declare an activity (bare, or with a dotted ``name="slug.fn"``)."""

        def apply(func: F) -> F:
            define_activity(func, name)
            return func

        return apply(fn) if fn is not None else apply

    def info(self) -> ActivityInfo:
        """Describe the running activity."""
        return _current_activity("info()").activity_info()

    def heartbeat(self, *details: Any) -> None:
        """Tell the runtime this activity is alive, with ``details`` of its progress.

        Call it often in a long activity. With ``heartbeat_timeout`` set on
        the call, an attempt that stops heartbeating (its worker died, it
        hangs) is failed after that long and retried, rather than after its
        start-to-close timeout; the next attempt reads the last ``details``
        from ``activity.info().heartbeat_details`` and resumes::

            done = activity.info().heartbeat_details[0] if activity.info().heartbeat_details else 0
            for i in range(done, len(rows)):
                load(rows[i])
                activity.heartbeat(i + 1)

        Heartbeating is also how a cancellation reaches an activity on
        Temporal: an async activity is cancelled (``asyncio.CancelledError``)
        at its next heartbeat after the workflow asks.
        """
        _current_activity("heartbeat()").heartbeat(details)

    def in_activity(self) -> bool:
        """Whether the caller is an activity run by some runtime."""
        runtime = driving_runtime()
        return runtime is not None and runtime.in_activity()

    @property
    def logger(self) -> LoggerLike:
        """The logger for activity code."""
        runtime = driving_runtime()
        return runtime.activity_logger() if runtime is not None else logging.getLogger("ntro.activity")


runbook = _RunbookFacade()
"""The workflow facade, for ``@runbook.defn``, ``runbook.execute_activity(...)`` and the rest."""

activity = _ActivityFacade()
"""The activity facade, for ``@activity.defn``, ``activity.info()`` and ``activity.logger``."""

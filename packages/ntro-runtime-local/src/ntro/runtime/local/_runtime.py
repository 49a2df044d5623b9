"""LocalRuntime: runs runbooks in-process on the current asyncio event loop.

Two ways to pass values, chosen per runtime with ``payload_parity``:

* raw (the default, for ``run_local``/``start_local`` and unit tests): inputs,
  activity and child arguments and results, signals, queries and results are
  handed over as the very objects given, which is fastest;
* parity (``LocalRuntime(payload_parity=True)``, what the local client of
  :func:`ntro.runtime.local.open_client` uses, and so ``ntro workflow run``
  and the harness): each goes through the JSON conversion Temporal uses
  (:class:`ntro.runtime.protocol.PayloadConverter`) and is read back with the
  receiver's type hints, so workflow code sees the same types as on Temporal
  and a value Temporal cannot carry fails here too.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import functools
import inspect
import logging
import random
import sys
import types
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NoReturn

from ntro.runtime.local._clock import Clock, VirtualClock, WallClock
from ntro.runtime.local._events import LocalEvent, Observer
from ntro.runtime.local._handles import LocalChildHandle, LocalWorkflowHandle
from ntro.runtime.local._ids import new_id
from ntro.runtime.local._run import LocalRun, LocalWorkflowStatus
from ntro.runtime.protocol import (
    DEFAULT_ACTIVITY_OPTIONS,
    DEFAULT_PAYLOAD_CONVERTER,
    ActivityInfo,
    ActivityOptions,
    ChildWorkflowOptions,
    ErrorType,
    FunctionHints,
    HandlerDefinition,
    Payload,
    PayloadError,
    RetryPolicy,
    WorkflowDefinition,
    WorkflowInfo,
    activity_definition,
    activity_failure,
    bind_driver,
    check_workflow_id,
    default_child_id,
    find_activity,
    function_hints,
    handler_definition,
    resolve_workflow,
    update_failure,
)
from ntro.workflow.exceptions import WorkflowError, WorkflowNotFoundError

DEFAULT_RETAIN_FINISHED = 1000
"""How many finished runs a LocalRuntime keeps reachable by id, by default."""

_RUN: contextvars.ContextVar[LocalRun | None] = contextvars.ContextVar("ntro_local_run", default=None)


class _Attempt:
    """The activity attempt running in a context: who called it, which attempt, and its heartbeats."""

    __slots__ = ("beat", "details", "name", "number", "previous", "run", "seq", "timeout")

    def __init__(
        self,
        run: LocalRun | None,
        seq: int,
        number: int,
        name: str,
        previous: tuple[Any, ...] = (),
        timeout: timedelta | None = None,
    ) -> None:
        self.run = run
        self.seq = seq
        self.number = number
        self.name = name
        self.previous = previous  # the details the last attempt heartbeated
        self.details: tuple[Any, ...] | None = None  # what this attempt heartbeated last
        self.timeout = timeout
        self.beat: Callable[[], None] | None = None  # restarts the heartbeat watchdog


# The attempt running in a context. A call with the default options (one attempt, no deadline, no
# heartbeat timeout) sets just (run, seq, name); the record is made only if the activity asks for it.
_ACTIVITY: contextvars.ContextVar[_Attempt | tuple[LocalRun | None, int, str] | None] = contextvars.ContextVar(
    "ntro_local_activity", default=None
)


def _current_attempt() -> _Attempt | None:
    """Return the attempt running in this context (``None`` outside activities)."""
    current = _ACTIVITY.get()
    if type(current) is tuple:
        run, seq, name = current
        attempt = _Attempt(run, seq, 1, name)
        _ACTIVITY.set(attempt)  # within the call: its reset restores what came before
        return attempt
    return current  # type: ignore[return-value]


class LocalRuntime:
    """Runs workflows in-process: no broker, no server, no durability.

    Args:
        clock: :class:`WallClock` (default) or :class:`VirtualClock`, under which
            long sleeps and gate timeouts complete at once.
        task_queue: The task queue reported by ``runbook.info()``.
        retain_finished: How many finished runs stay reachable through
            :meth:`get_handle` and :meth:`list_workflows` (default
            :data:`~ntro.runtime.local.DEFAULT_RETAIN_FINISHED`, 1000); beyond that the oldest
            finished run is dropped first. Running runs are always reachable.
            The runtime keeps nothing else of a finished run, so memory stays
            flat however many runs it drives; a handle you hold keeps working.
        payload_parity: Pass run inputs, activity arguments and results,
            child arguments and results, signal and query arguments, query
            answers and results through Temporal's JSON conversion, read back
            with the receiver's type hints (see the module docstring). Off by
            default: ``run_local``/``start_local`` hand objects over as they
            are; the local client (``ntro workflow run``, the harness) turns it on.
        activities: The activities this runtime hosts, as a Temporal worker
            does: when given, an activity call runs the hosted function with
            the called activity's name (so a test double registered under a
            name replaces the real one), and a name that none of them has
            fails the call (``type="UnknownActivity"``), as it would on a
            worker that does not host it. Empty (the default): the called
            function itself runs.

    Activities are awaited directly, in the workflow's task. Their timeouts
    and an explicit ``retry_policy`` behave as on Temporal; with no retry
    policy an activity's error surfaces at once (Temporal would retry).
    Conditions are event-driven: they are re-checked after a signal handler,
    an activity, a child, a timer or another condition completes.
    """

    name = "local"

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        task_queue: str = "local",
        retain_finished: int = DEFAULT_RETAIN_FINISHED,
        payload_parity: bool = False,
        activities: Sequence[Callable[..., Any]] = (),
    ) -> None:
        if retain_finished < 0:
            raise ValueError(f"retain_finished must be 0 or more, not {retain_finished}")
        self.clock: Clock = clock if clock is not None else WallClock()
        self.task_queue = task_queue
        self.retain_finished = retain_finished
        self.payload_parity = payload_parity
        self._hosted: dict[str, Callable[..., Any]] = {_activity_name(fn): fn for fn in activities}
        self._observers: list[Observer] = []
        # Running runs and the retained finished ones, by id, in start order.
        self._runs: dict[str, LocalRun] = {}
        # The retained finished runs, oldest first.
        self._finished: collections.OrderedDict[str, LocalRun] = collections.OrderedDict()
        self._inflight = 0
        self._virtual = isinstance(self.clock, VirtualClock)
        self._attempt_clock: Clock = WallClock() if self._virtual else self.clock
        if isinstance(self.clock, VirtualClock):
            self.clock.attach(lambda: self._inflight > 0)

    def __repr__(self) -> str:
        parity = ", payload_parity=True" if self.payload_parity else ""
        return f"LocalRuntime(clock={type(self.clock).__name__}(){parity})"

    # -- observers ----------------------------------------------------------------------
    def add_observer(self, observer: Observer) -> None:
        """Tell ``observer`` about every :class:`LocalEvent` of this runtime."""
        self._observers.append(observer)

    def remove_observer(self, observer: Observer) -> None:
        """Stop telling ``observer``."""
        if observer in self._observers:
            self._observers.remove(observer)

    def _emit(self, kind: str, workflow_id: str, **detail: Any) -> None:
        event = LocalEvent(kind, workflow_id, detail)
        for observer in list(self._observers):
            observer(event)

    def _touch(self) -> None:
        if self._virtual:
            self.clock.touch()  # type: ignore[attr-defined]

    # -- starting workflows -------------------------------------------------------------
    def get_handle(self, workflow_id: str) -> LocalWorkflowHandle:
        """Return the handle of a run (root or child) started on this runtime.

        Finished runs stay reachable only while retained (see ``retain_finished``).

        Raises:
            WorkflowNotFoundError: No run with that id is running or retained
                (a :class:`LookupError`).
        """
        run = self._runs.get(workflow_id)
        if run is None:
            raise WorkflowNotFoundError(
                f"no local workflow with id {workflow_id!r} (running, or among the "
                f"{self.retain_finished} most recently finished)"
            )
        return LocalWorkflowHandle(run)

    def list_workflows(self) -> list[LocalWorkflowHandle]:
        """Return the handles of the running and retained runs, oldest start first."""
        return [LocalWorkflowHandle(run) for run in self._runs.values()]

    def start(
        self,
        workflow: type | str,
        args: Sequence[Any] = (),
        *,
        workflow_id: str | None = None,
        task_queue: str | None = None,
        run_id: str = "",
        parent: LocalRun | None = None,
        start_signal: str | None = None,
        start_signal_args: Sequence[Any] = (),
    ) -> LocalWorkflowHandle:
        """Start a workflow (class or slug) with ``args`` and return its handle.

        Must be called with an event loop running. The workflow's ``__init__``
        runs now; its run method runs as a task. With ``start_signal``, that
        signal's handler runs first, as Temporal's signal-with-start does.
        A start that fails leaves nothing behind: no run, no child, no task.

        Raises:
            WorkflowError: The slug names no workflow (``type="UnknownWorkflowSlug"``),
                or a run with that id is running (``type="WorkflowAlreadyStarted"``).
            LookupError: ``start_signal`` is not a signal of the workflow.
            TypeError: ``args`` do not fit the run method.
            ~ntro.runtime.protocol.PayloadError: With payload parity, an argument cannot be carried.
            RuntimeError: No event loop is running.
        """
        defn = resolve_workflow(workflow)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                f"starting workflow {defn.name} needs a running event loop: start it from async code"
            ) from None
        run, drive, child_seq = self._prepare(
            defn, args, workflow_id, task_queue, run_id, parent, start_signal, start_signal_args
        )
        try:
            task = loop.create_task(drive, name=f"ntro:{run.workflow_id}", context=run.context)
        except BaseException:
            drive.close()
            assert run.unstarted is not None
            run.unstarted.close()
            raise
        run.task = task
        self._record(run, child_seq)
        return LocalWorkflowHandle(run)

    async def run(
        self,
        workflow: type | str,
        args: Sequence[Any] = (),
        *,
        workflow_id: str | None = None,
        task_queue: str | None = None,
    ) -> Any:
        """Run a workflow (class or slug) with ``args`` to completion in the caller's task; return its result.

        What :func:`~ntro.runtime.local.run_local` does. The run is the same as
        one :meth:`start` begins (its own context, reachable through
        :meth:`get_handle` while it runs, cancelled with its caller), but its
        code runs in the caller's task, as in ntro 0.1.2, so no task is made
        for it: the cheapest way to run many workflows at once.

        Raises:
            WorkflowError: As from :meth:`start` (an unknown slug, a run with
                that id already running), or the run's own failure.
            TypeError: ``args`` do not fit the run method.

        A run cancelled through a handle, or whose caller is cancelled, ends
        as ``CANCELED`` and its caller gets the ``CancelledError``.
        """
        run, drive, _ = self._prepare(resolve_workflow(workflow), args, workflow_id, task_queue, "", None, None, ())
        run.driver = driver = _InContext(run.context, drive)
        self._record(run, 0)
        try:
            result = await driver
        except BaseException as exc:
            run.settle(error=exc)
            raise
        run.settle(result)
        return result

    def _prepare(
        self,
        defn: WorkflowDefinition,
        args: Sequence[Any],
        workflow_id: str | None,
        task_queue: str | None,
        run_id: str,
        parent: LocalRun | None,
        start_signal: str | None,
        start_signal_args: Sequence[Any],
    ) -> tuple[LocalRun, Coroutine[Any, Any, Any], int]:
        """Check a start and make its run and the coroutine that drives it; record nothing yet.

        Also returns the number of the child id given by default (0: not a child, or its id was given).
        """
        check_workflow_id(workflow_id)
        child_seq = 0
        if workflow_id is None:
            if parent is not None:
                child_seq = parent.child_seq + 1
                workflow_id = default_child_id(parent.workflow_id, defn.slug, child_seq)
            else:
                workflow_id = new_id()
        existing = self._runs.get(workflow_id)
        if existing is not None and existing.status is LocalWorkflowStatus.RUNNING:
            raise WorkflowError(
                f"a workflow with id {workflow_id!r} is already running",
                type=ErrorType.WORKFLOW_ALREADY_STARTED,
                non_retryable=True,
            )
        start_handler = _find_handler(defn, "signal", start_signal) if start_signal is not None else None
        if self.payload_parity:
            args = _carry_args(args, getattr(defn.cls, defn.run_method), f"the input of workflow {defn.name}")
            if start_handler is not None:
                start_signal_args = _carry_args(
                    start_signal_args,
                    getattr(defn.cls, start_handler.method_name),
                    f"the arguments of signal {start_handler.name!r}",
                )
        instance = defn.cls()
        first: Callable[[], Any] | None = None
        if start_handler is not None:
            first = functools.partial(getattr(instance, start_handler.method_name), *start_signal_args)
        coro = getattr(instance, defn.run_method)(*args)  # a wrong argument count fails here, before any trace
        queue = task_queue or (parent.task_queue if parent else self.task_queue)
        run = LocalRun(self, defn, instance, workflow_id, queue, self.clock.now(), run_id, parent)
        run.unstarted = coro
        self._enter_run(run.context, run)
        return run, self._drive(run, coro, first), child_seq

    def _record(self, run: LocalRun, child_seq: int) -> None:
        """Make a run that nothing can stop from starting any more reachable, and tell the observers."""
        workflow_id = run.workflow_id
        if workflow_id in self._runs:
            self._finished.pop(workflow_id, None)
            del self._runs[workflow_id]  # re-inserted below, so the table stays in start order
        self._runs[workflow_id] = run
        parent = run.parent
        if parent is not None:
            if child_seq:
                parent.child_seq = child_seq
            if parent.children is None:
                parent.children = []
            parent.children.append((workflow_id, run.serial))
            if parent.running_children is None:
                parent.running_children = set()
            parent.running_children.add(run)
        if self._observers:
            self._emit(
                "workflow.started",
                workflow_id,
                workflow_type=run.defn.name,
                parent_workflow_id=run.parent_workflow_id,
            )
        self._touch()

    async def _drive(
        self, run: LocalRun, coro: Coroutine[Any, Any, Any], first: Callable[[], Any] | None = None
    ) -> Any:
        run.unstarted = None
        workflow_id = run.workflow_id
        try:
            while True:
                try:
                    if first is not None:
                        outcome = first()
                        if inspect.isawaitable(outcome):
                            await outcome
                    result = await coro
                except ContinueAsNew as request:
                    run, coro = self._continue(run, request.next_args)  # the same task goes on with the next run
                    first = None
                    continue
                break
            if self.payload_parity:
                result = _carry(
                    result,
                    function_hints(getattr(run.defn.cls, run.defn.run_method)).result,
                    f"the result of workflow {run.defn.name}",
                )
        except asyncio.CancelledError:
            if run.timed_out:
                # Its execution/run timeout expired: like Temporal, the parent sees a TimeoutError.
                run.status = LocalWorkflowStatus.TIMED_OUT
                self._close(run)
                if self._observers:
                    self._emit("workflow.failed", workflow_id, error="timed out")
                raise TimeoutError(f"child workflow {run.defn.name} timed out") from None
            run.status = LocalWorkflowStatus.CANCELED
            self._close(run)
            if self._observers:
                self._emit("workflow.canceled", workflow_id)
            raise
        except BaseException as exc:
            run.status = LocalWorkflowStatus.FAILED
            self._close(run)
            if self._observers:
                self._emit("workflow.failed", workflow_id, error=f"{type(exc).__name__}: {exc}")
            raise
        run.status = LocalWorkflowStatus.COMPLETED
        self._close(run)
        if self._observers:
            self._emit("workflow.completed", workflow_id)
        return result

    def _continue(self, run: LocalRun, args: Sequence[Any]) -> tuple[LocalRun, Coroutine[Any, Any, Any]]:
        """Close ``run`` as continued-as-new and return the next run of its chain, with its coroutine.

        The next run has the same workflow id, a new run id and a new
        instance; it runs in the same task, so whoever awaits the chain gets
        the last run's result. Like Temporal, the closing run's children do
        not outlive it.
        """
        defn = run.defn
        if self.payload_parity:
            args = _carry_args(args, getattr(defn.cls, defn.run_method), f"the input of workflow {defn.name}")
        instance = defn.cls()
        coro = getattr(instance, defn.run_method)(*args)
        parent = run.parent
        nxt = LocalRun(self, defn, instance, run.workflow_id, run.task_queue, self.clock.now(), new_id(), parent)
        nxt.context = run.context
        nxt.task = run.task
        nxt.driver = run.driver
        nxt.outcome = run.outcome
        run.successor = nxt
        run.status = LocalWorkflowStatus.CONTINUED_AS_NEW
        self._close(run)
        workflow_id = nxt.workflow_id
        self._finished.pop(workflow_id, None)
        self._runs[workflow_id] = nxt
        if parent is not None:
            parent.children = [
                (wid, nxt.serial if serial == run.serial else serial) for wid, serial in parent.children or ()
            ]
            if parent.running_children is None:
                parent.running_children = set()
            parent.running_children.add(nxt)
            nxt.parent = parent
        _RUN.set(nxt)  # in the run's task: its context now belongs to the next run
        if self._observers:
            self._emit("workflow.continued_as_new", workflow_id, run_id=nxt.run_id)
        return nxt, coro

    def _cancel_run(self, run: LocalRun) -> None:
        """Cancel ``run``'s task (so its children and activities too); nothing if it has ended.

        Every cancel goes through here: a run whose task has not taken its
        first step yet (cancelled right after its start) never enters its
        code, so it is closed as ``CANCELED`` when the task ends.
        """
        if run.ended:
            return
        if run.driver is not None:
            run.driver.cancel()
            return
        task = run.task
        if task is None:
            return
        if run.unstarted is not None:
            task.add_done_callback(functools.partial(self._settle, run))
        task.cancel()

    def _settle(self, run: LocalRun, task: asyncio.Task[Any]) -> None:
        """Close a run whose task ended without ``_drive`` running: it was cancelled before its first step."""
        if run.status is not LocalWorkflowStatus.RUNNING:
            return
        if run.unstarted is not None:
            run.unstarted.close()  # never awaited: close it quietly
            run.unstarted = None
        if run.timed_out:
            run.status = LocalWorkflowStatus.TIMED_OUT
            self._close(run)
            if self._observers:
                self._emit("workflow.failed", run.workflow_id, error="timed out")
            return
        run.status = LocalWorkflowStatus.CANCELED
        self._close(run)
        if self._observers:
            self._emit("workflow.canceled", run.workflow_id)

    def _close(self, run: LocalRun) -> None:
        run.close_time = self.clock.now()
        # The run's context refers to the run, and the run to its task, which holds that context:
        # forget the run there, so a finished run is freed as soon as nothing else holds it
        # (not at the next full garbage collection). Its handlers get a context of their own.
        if _RUN.get() is run:  # closing from the run's own task
            _RUN.set(None)
        else:
            try:
                run.context.run(_RUN.set, None)
            except RuntimeError:  # entered by a task still running in it (it is being cancelled)
                pass
        # Like Temporal's default parent-close policy: children do not outlive their parent.
        if run.running_children:
            for child in list(run.running_children):
                self._cancel_run(child)
        if run.handler_tasks:
            for task in list(run.handler_tasks):
                task.cancel()
        if run.waiters:
            for waiter in run.waiters:
                waiter.listed = False
                waiter.future.cancel()
            run.waiters.clear()
        parent = run.parent
        if parent is not None:
            run.parent = None
            if parent.running_children is not None:
                parent.running_children.discard(run)
            parent.schedule_recheck()
        self._retire(run)
        self._touch()

    def _retire(self, run: LocalRun) -> None:
        """Keep a finished run reachable among the ``retain_finished`` newest; drop the oldest beyond."""
        workflow_id = run.workflow_id
        if self._runs.get(workflow_id) is not run:
            return
        if self.retain_finished == 0:
            del self._runs[workflow_id]
            return
        self._finished[workflow_id] = run
        while len(self._finished) > self.retain_finished:
            old_id, old = self._finished.popitem(last=False)
            if self._runs.get(old_id) is old:
                del self._runs[old_id]

    def _child_runs(self, run: LocalRun) -> list[LocalRun]:
        """Return ``run``'s children that are running or retained, in start order."""
        found = []
        for workflow_id, serial in run.children or ():
            child = self._runs.get(workflow_id)
            if child is not None and child.serial == serial:
                found.append(child)
        return found

    # -- signals and queries --------------------------------------------------------------
    def deliver_signal(self, run: LocalRun, signal: Any, args: Sequence[Any]) -> None:
        """Run ``run``'s handler for ``signal`` (a name or the handler method) with ``args``, now.

        A plain handler runs to its end; an ``async`` one takes its first step
        here and, if it has to wait, goes on in a task of its own. The gates it
        opens are woken before this returns.
        """
        handler_defn = _find_handler(run.defn, "signal", signal)
        if run.status is not LocalWorkflowStatus.RUNNING:
            raise RuntimeError(f"workflow {run.workflow_id!r} is {run.status.value.lower()}; it takes no signals")
        if self.payload_parity:
            args = _carry_args(
                args, getattr(run.defn.cls, handler_defn.method_name), f"the arguments of signal {handler_defn.name!r}"
            )
        if self._observers:
            self._emit("signal.received", run.workflow_id, signal=handler_defn.name)
        method = getattr(run.instance, handler_defn.method_name)
        ctx = run.context
        outcome = ctx.run(method, *args)
        if outcome is not None and (type(outcome) is _Coroutine or inspect.isawaitable(outcome)):
            # Its first step runs now, as Temporal runs a handler promptly; only a handler that
            # has to wait gets a task for the rest.
            _start_handler(run, ctx, outcome)
        # The handler has made its change: wake the gates it opens now, not a loop turn later.
        ctx.run(run.recheck)
        self._touch()

    async def run_query(self, run: LocalRun, query: Any, args: Sequence[Any]) -> Any:
        """Call ``run``'s handler for ``query`` and return its answer."""
        handler_defn = _find_handler(run.defn, "query", query)
        handler_fn = getattr(run.defn.cls, handler_defn.method_name)
        if self.payload_parity:
            args = _carry_args(args, handler_fn, f"the arguments of query {handler_defn.name!r}")
        method = getattr(run.instance, handler_defn.method_name)
        result = self._handler_context(run).run(method, *args)
        if inspect.isawaitable(result):
            result = await result
        if self.payload_parity:
            # Read as its return hint when asked by method, as Any when asked by name (as temporalio does).
            hint = Any if isinstance(query, str) else function_hints(handler_fn).result
            result = _carry(result, hint, f"the answer of query {handler_defn.name!r}")
        return result

    async def run_update(self, run: LocalRun, update: Any, args: Sequence[Any]) -> Any:
        """Check and apply ``run``'s update ``update`` (a name or the handler method) and return its answer.

        The validator, if any, runs first, in the run's context; an error
        from it refuses the request before the handler touches any state.
        The handler then runs as a signal's does, and the caller waits for it.

        Raises:
            LookupError: The workflow has no such update (the message lists those it has).
            RuntimeError: The run has ended.
            ~ntro.workflow.exceptions.UpdateFailedError: The validator refused
                the request, the handler failed, or the run ended first.
            ~ntro.runtime.protocol.PayloadError: An argument or the answer cannot be carried (payload parity).
        """
        handler_defn = _find_handler(run.defn, "update", update)
        workflow_id = run.workflow_id
        if run.status is not LocalWorkflowStatus.RUNNING:
            raise RuntimeError(f"workflow {workflow_id!r} is {run.status.value.lower()}; it takes no updates")
        name = handler_defn.name
        if self.payload_parity:
            args = _carry_args(
                args, getattr(run.defn.cls, handler_defn.method_name), f"the arguments of update {name!r}"
            )
        ctx = run.context
        if handler_defn.validator is not None:
            try:
                ctx.run(getattr(run.instance, handler_defn.validator), *args)
            except Exception as exc:
                raise update_failure(workflow_id, name, exc) from exc
        if self._observers:
            self._emit("update.accepted", workflow_id, update=name)
        try:
            outcome = ctx.run(getattr(run.instance, handler_defn.method_name), *args)
            if inspect.isawaitable(outcome):
                task = _handler_task(run, ctx, outcome)
                self._touch()
                try:
                    outcome = await asyncio.shield(task)
                except asyncio.CancelledError:
                    if not task.cancelled():
                        raise  # the caller was cancelled; the handler goes on
                    raise update_failure(
                        workflow_id, name, RuntimeError("the run ended before the update finished")
                    ) from None
        except Exception as exc:
            raise update_failure(workflow_id, name, exc) from exc
        finally:
            run.schedule_recheck()
            self._touch()
        if self.payload_parity:
            outcome = _carry(outcome, Any, f"the answer of update {name!r}")
        return outcome

    def _handler_context(self, run: LocalRun) -> contextvars.Context:
        """Return the context ``run``'s handlers run in: its own while it runs, a new one after."""
        if run.status is LocalWorkflowStatus.RUNNING:
            return run.context
        ctx = contextvars.copy_context()
        self._enter_run(ctx, run)
        return ctx

    def _enter_run(self, ctx: contextvars.Context, run: LocalRun) -> None:
        """Make ``ctx`` the context of ``run``'s workflow code, driven by this runtime."""
        ctx.run(_enter, self, run)

    # -- the Runtime protocol: inside a workflow ---------------------------------------------
    def _current_run(self, what: str) -> LocalRun:
        run = _RUN.get()
        if run is None:
            raise RuntimeError(f"{what} must be called from workflow code running under LocalRuntime")
        return run

    async def execute_activity(
        self, activity: Callable[..., Any] | str, args: Sequence[Any], options: ActivityOptions, /
    ) -> Any:
        """Run an activity in the workflow's task, honouring timeouts and retries."""
        run = _RUN.get()
        if isinstance(activity, str):
            name = activity
            found = find_activity(activity)
            if found is None:
                raise WorkflowError(
                    f"no activity named {activity!r} is defined (decorate it with @activity.defn(name=...))",
                    type=ErrorType.UNKNOWN_ACTIVITY,
                    non_retryable=True,
                )
            fn = found.fn
        else:
            fn = activity
            name = _activity_name(fn)
        if self._hosted:
            hosted = self._hosted.get(name)
            if hosted is None:
                known = ", ".join(sorted(self._hosted))
                raise WorkflowError(
                    f"activity {name!r} is not hosted here (hosted: {known}); add it to the bundle's activities",
                    type=ErrorType.UNKNOWN_ACTIVITY,
                    non_retryable=True,
                )
            fn = hosted
        if run is not None:
            run.activity_seq += 1
            seq = run.activity_seq
        else:
            seq = 0
        plain = options is DEFAULT_ACTIVITY_OPTIONS
        if (plain or options.retry_policy is None) and not self._observers:
            # Fast path: one attempt (no retry policy), nobody watching.
            hints: FunctionHints | None = None
            sent: list[Payload] | None = None
            if self.payload_parity:  # encoded as the workflow sends them, read by the attempt, as below
                hints = function_hints(fn)
                if not DEFAULT_PAYLOAD_CONVERTER.carry_args_as_is(args, hints):
                    sent = _send_args(args, name)
            token = _ACTIVITY.set(
                (run, seq, name) if plain else _Attempt(run, seq, 1, name, (), options.heartbeat_timeout)
            )
            self._inflight += 1
            try:
                if sent is not None:
                    assert hints is not None
                    args = _read_args(sent, hints, f"the arguments of activity {name}")
                if plain:  # no deadline to keep
                    result = fn(*args)
                    if type(result) is _Coroutine or inspect.isawaitable(result):
                        result = await result
                else:
                    current = _current_attempt()
                    assert current is not None
                    result = await self._attempt(fn, args, options, None, current)
                if hints is not None:
                    # By name the result is read as Any, by function as its return hint (as on Temporal).
                    result_hint = Any if isinstance(activity, str) else hints.result
                    if not DEFAULT_PAYLOAD_CONVERTER.carries_as_is(result, result_hint):
                        reply = _reply(result, name)
                    else:
                        hints = None  # nothing to read back
            except Exception as exc:
                failure = activity_failure(exc, name)
                if failure is exc:
                    raise
                raise failure from exc
            finally:
                self._inflight -= 1
                _ACTIVITY.reset(token)
                if run is not None and run.waiters:
                    run.schedule_recheck()
                if self._virtual:
                    self.clock.touch()  # type: ignore[attr-defined]
            if _EVENTS in sys.modules:
                _emit_observable(result, run, name, 1)
            if hints is not None:
                return _read(reply, result_hint, f"the result of activity {name}")
            return result
        return await self._execute_with_options(run, seq, fn, name, args, options, by_name=isinstance(activity, str))

    async def _execute_with_options(
        self,
        run: LocalRun | None,
        seq: int,
        fn: Callable[..., Any],
        name: str,
        args: Sequence[Any],
        options: ActivityOptions,
        *,
        by_name: bool = False,
    ) -> Any:
        workflow_id = run.workflow_id if run is not None else "<no-workflow>"
        policy = options.retry_policy
        started = self.clock.now()
        attempt = 1
        # With payload parity the arguments are encoded once, as the workflow sends them, and
        # read afresh by every attempt; the result is encoded by the attempt (a result with no
        # JSON form fails that attempt, so the retry policy applies) and read back in the workflow.
        sent: list[Payload] | None = None
        hints: FunctionHints | None = None
        if self.payload_parity:
            hints = function_hints(fn)
            sent = _send_args(args, name)
        previous: tuple[Any, ...] = ()
        while True:
            if self._observers:
                self._emit("activity.started", workflow_id, activity=name, attempt=attempt)
            current = _Attempt(run, seq, attempt, name, previous, options.heartbeat_timeout)
            token = _ACTIVITY.set(current)
            self._inflight += 1
            try:
                if sent is None:
                    result = await self._attempt(fn, args, options, started, current)
                else:
                    assert hints is not None
                    received = _read_args(sent, hints, f"the arguments of activity {name}")
                    returned = await self._attempt(fn, received, options, started, current)
                    reply = _reply(returned, name)
            except Exception as exc:
                failure = exc
            else:
                if self._observers:
                    self._emit("activity.completed", workflow_id, activity=name, attempt=attempt)
                _emit_observable(result if sent is None else returned, run, name, attempt)
                if sent is not None:
                    assert hints is not None
                    # By name the result is read as Any, by function as its return hint (as on Temporal).
                    hint = Any if by_name else hints.result
                    return _read(reply, hint, f"the result of activity {name}")
                return result
            finally:
                self._inflight -= 1
                _ACTIVITY.reset(token)
                if current.details is not None:
                    previous = current.details
                if run is not None:
                    run.schedule_recheck()
                self._touch()
            delay = self._retry_delay(policy, failure, attempt, started, options)
            if delay is None:
                if self._observers:
                    self._emit("activity.failed", workflow_id, activity=name, attempt=attempt, error=str(failure))
                final = activity_failure(failure, name)
                if final is failure:
                    raise failure
                raise final from failure
            if self._observers:
                self._emit("activity.retrying", workflow_id, activity=name, attempt=attempt, error=str(failure))
            await self._sleep(delay)
            attempt += 1

    async def _attempt(
        self,
        fn: Callable[..., Any],
        args: Sequence[Any],
        options: ActivityOptions,
        started: datetime | None,
        current: _Attempt,
    ) -> Any:
        """Run one attempt under its deadlines (``started``: when the first attempt was scheduled, if known)."""
        limits: list[tuple[timedelta, str]] = []
        if options.start_to_close_timeout is not None:
            limits.append((options.start_to_close_timeout, "start_to_close"))
        if options.schedule_to_close_timeout is not None:
            remaining = options.schedule_to_close_timeout - (self.clock.now() - (started or self.clock.now()))
            limits.append((max(remaining, timedelta(0)), "schedule_to_close"))
        result = fn(*args)
        if not inspect.isawaitable(result):
            return result
        heartbeat = options.heartbeat_timeout
        if not limits and heartbeat is None:
            return await result
        # Virtual time stands still while an activity runs (it is real work), so an attempt's own
        # deadlines count real time on either clock. The attempt runs in the workflow's task, as
        # without deadlines; a deadline that passes cancels that task, and the cancellation is
        # turned into the timeout here (as asyncio.timeout does), so no task or future is made.
        clock = self._attempt_clock
        began = clock.now()
        if type(result) is _Coroutine:
            # The first step runs now. An attempt that ends in it needs no timer: none could have
            # fired before it ended. One that has to wait gets its timers for the time left.
            ended, result = _step_now(result)
            if ended:
                return result
        elapsed = clock.now() - began
        task = asyncio.current_task()
        assert task is not None
        expired: list[tuple[str, timedelta]] = []

        def expire(kind: str, limit: timedelta) -> None:
            if not expired:
                expired.append((kind, limit))
                task.cancel()

        cancels: list[Callable[[], None]] = []
        if limits:
            limit, kind = min(limits, key=lambda item: item[0])
            cancels.append(clock.call_later(max(limit - elapsed, timedelta(0)), functools.partial(expire, kind, limit)))
        if heartbeat is not None:
            # A heartbeat only notes the time; the watchdog, when it fires, looks how long the attempt
            # has been silent and either expires it or waits for the rest of the timeout.
            last = [began]

            def watch() -> None:
                silent = clock.now() - last[0]
                if silent >= heartbeat:
                    expire("heartbeat", heartbeat)
                else:
                    watchdog[0] = clock.call_later(heartbeat - silent, watch)

            def beat() -> None:
                last[0] = clock.now()

            watchdog = [clock.call_later(max(heartbeat - elapsed, timedelta(0)), watch)]
            current.beat = beat
            cancels.append(lambda: watchdog[0]())
        try:
            outcome = await result
        except asyncio.CancelledError:
            if not expired or task.uncancel() > 0:
                raise  # cancelled from outside (as well)
        finally:
            current.beat = None
            for cancel in cancels:
                cancel()
        if not expired:
            return outcome
        if task.cancelling():  # the activity swallowed our cancellation and returned: still too late
            task.uncancel()
        kind, limit = expired[0]
        raise WorkflowError(
            f"activity timed out ({kind} timeout of {limit})",
            type=ErrorType.ACTIVITY_TIMEOUT,
            non_retryable=kind not in ("start_to_close", "heartbeat"),
        )

    def _retry_delay(
        self,
        policy: RetryPolicy | None,
        failure: BaseException,
        attempt: int,
        started: datetime,
        options: ActivityOptions,
    ) -> timedelta | None:
        if policy is None:
            return None
        if isinstance(failure, WorkflowError) and failure.non_retryable:
            return None
        error_type = failure.type if isinstance(failure, WorkflowError) else type(failure).__name__
        if error_type in policy.non_retryable_error_types:
            return None
        if policy.maximum_attempts and attempt >= policy.maximum_attempts:
            return None
        delay = policy.delay_before(attempt + 1)
        deadline = options.schedule_to_close_timeout
        if deadline is not None and self.clock.now() - started + delay >= deadline:
            return None
        return delay

    def start_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> Awaitable[LocalChildHandle]:
        """Start a child workflow of the current run and return its handle."""
        return self._start_child(workflow, args, options)

    async def _start_child(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions
    ) -> LocalChildHandle:
        parent = self._current_run("start_child_workflow")
        handle = self.start(workflow, args, workflow_id=options.id, task_queue=options.task_queue, parent=parent)
        if self._observers:
            self._emit("child.started", parent.workflow_id, child_workflow_id=handle.id)
        child = handle._run
        if options.execution_timeout is not None or options.run_timeout is not None:
            limit = min(t for t in (options.execution_timeout, options.run_timeout) if t is not None)
            assert child.task is not None
            task = child.task
            cancel_timer = self.clock.call_later(limit, functools.partial(_time_out, child))
            task.add_done_callback(lambda _t: cancel_timer())
        return LocalChildHandle(child)

    async def execute_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> Any:
        """Start a child workflow and return its result (its failure is raised)."""
        handle = await self._start_child(workflow, args, options)
        return await handle

    async def wait_condition(self, predicate: Callable[[], bool], timeout: timedelta | None, /) -> None:
        """Wait until ``predicate()`` is true; no polling: re-checked on events."""
        if predicate():
            return
        run = self._current_run("wait_condition")
        waiter = run.add_waiter(predicate)
        cancel_timer: Callable[[], None] | None = None
        if timeout is not None:

            def expire() -> None:
                if not waiter.future.done():
                    run.remove_waiter(waiter)
                    waiter.future.set_exception(TimeoutError("wait_condition timed out"))

            cancel_timer = self.clock.call_later(timeout, expire)
        if self._observers:
            self._emit("workflow.waiting", run.workflow_id, timeout=timeout.total_seconds() if timeout else None)
        self._touch()
        try:
            await waiter.future
        finally:
            run.remove_waiter(waiter)
            if cancel_timer is not None:
                cancel_timer()
            run.schedule_recheck()

    async def sleep(self, duration: timedelta, /) -> None:
        """Sleep on the runtime's clock (instant on a virtual clock once idle)."""
        await self._sleep(duration)
        run = _RUN.get()
        if run is not None:
            run.schedule_recheck()

    async def _sleep(self, duration: timedelta) -> None:
        if duration <= timedelta(0):
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        cancel_timer = self.clock.call_later(duration, functools.partial(_resolve, future))
        try:
            await future
        finally:
            cancel_timer()

    def workflow_info(self) -> WorkflowInfo:
        """Describe the running workflow."""
        return self._current_run("runbook.info()").info

    def now(self) -> datetime:
        """Return the clock's time."""
        return self.clock.now()

    def random(self) -> random.Random:
        """Return the current run's deterministic random generator."""
        return self._current_run("runbook.random()").random

    def uuid4(self) -> uuid.UUID:
        """Return the current run's next deterministic UUID."""
        return self._current_run("runbook.uuid4()").uuid4()

    def patched(self, patch_id: str, /) -> bool:
        """Every local run is new, so it takes the new code path."""
        self._current_run("runbook.patched()")
        return True

    def deprecate_patch(self, patch_id: str, /) -> None:
        """Nothing to record: local runs have no history to stay compatible with."""
        self._current_run("runbook.deprecate_patch()")

    def continue_as_new(self, args: Sequence[Any], /) -> NoReturn:
        """Raise :class:`ContinueAsNew`, which the run's driver turns into the next run of the chain."""
        self._current_run("runbook.continue_as_new()")
        raise ContinueAsNew(tuple(args))

    def workflow_logger(self) -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
        """Return a logger tagged with the workflow id."""
        run = _RUN.get()
        return run.logger if run is not None else logging.getLogger("ntro.workflow")

    def in_workflow(self) -> bool:
        """Whether the caller is workflow code of a local run (not an activity)."""
        return _RUN.get() is not None and _ACTIVITY.get() is None

    def step_changed(self, step_id: str, title: str, status: str) -> None:
        """Report a step's progress to observers (``step.started`` and so on)."""
        if self._observers:
            run = _RUN.get()
            self._emit(f"step.{status}", run.workflow_id if run else "<no-workflow>", step_id=step_id, title=title)

    def gate_changed(self, pending_action: Mapping[str, Any], status: str) -> None:
        """Report a gate opening or closing to observers (``gate.opened``, ``gate.closed``)."""
        if self._observers:
            run = _RUN.get()
            where = run.workflow_id if run else "<no-workflow>"
            gate, action, step_id = (pending_action.get(key) for key in ("gate", "kind", "step_id"))
            self._emit(f"gate.{status}", where, gate=gate, action=action, step_id=step_id)

    # -- the Runtime protocol: inside an activity --------------------------------------------
    def activity_info(self) -> ActivityInfo:
        """Describe the running activity (a placeholder outside any activity)."""
        current = _current_attempt()
        if current is None:
            raise RuntimeError("activity.info() must be called from an activity run by LocalRuntime")
        run = current.run
        return ActivityInfo(
            run.workflow_id if run is not None else "<no-workflow>",
            str(current.seq),
            current.number,
            activity_type=current.name,
            task_queue=run.task_queue if run is not None else self.task_queue,
            heartbeat_details=current.previous,
            heartbeat_timeout=current.timeout,
        )

    def heartbeat(self, details: Sequence[Any], /) -> None:
        """Keep the running attempt alive and note ``details`` for the next attempt, should there be one.

        With payload parity the details go through Temporal's JSON conversion
        (read back as plain data, as temporalio hands them over).
        """
        current = _current_attempt()
        if current is None:
            raise RuntimeError("activity.heartbeat() must be called from an activity run by LocalRuntime")
        if self.payload_parity:
            details = tuple(_carry(d, Any, f"the heartbeat details of activity {current.name}") for d in details)
        current.details = tuple(details)
        if current.beat is not None:
            current.beat()

    def activity_logger(self) -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
        """Return the activity logger."""
        return logging.getLogger("ntro.activity")

    def in_activity(self) -> bool:
        """Whether the caller is an activity run by this runtime."""
        return _ACTIVITY.get() is not None


class ContinueAsNew(BaseException):
    """Raised by ``runbook.continue_as_new`` under LocalRuntime; never catch it.

    A :class:`BaseException`, as temporalio's ``ContinueAsNewError`` is, so
    ``except Exception`` in workflow code lets it through to the driver.
    """

    def __init__(self, next_args: tuple[Any, ...]) -> None:
        super().__init__("continue as new")
        self.next_args = next_args


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _time_out(run: LocalRun) -> None:
    if not run.ended:
        run.timed_out = True
        run.runtime._cancel_run(run)


def _enter(runtime: LocalRuntime, run: LocalRun) -> None:
    _RUN.set(run)
    bind_driver(runtime)
    _ACTIVITY.set(None)


class _InContext:
    """Await a coroutine with each of its steps run in ``context``: what a task does, without the task.

    ``LocalRuntime.run`` drives a run this way in its caller's task, so the
    run's code sees its own context (its run, its driver) while the caller's
    stays as it was. Whatever the coroutine yields goes to the caller's task,
    and whatever that task sends or throws in (a result, a cancellation) goes
    back to the coroutine. :meth:`cancel` cancels the coroutine as
    ``Task.cancel`` would, without touching the caller's task: the future it
    waits for is cancelled, or, if there is none, it is thrown
    ``CancelledError`` at its next step. The caller then sees the
    ``CancelledError``, as when awaiting a task that was cancelled.
    """

    __slots__ = ("_cancelling", "_context", "_coro", "_waiting")

    def __init__(self, context: contextvars.Context, coro: Coroutine[Any, Any, Any]) -> None:
        self._context = context
        self._coro = coro
        self._waiting: Any = None  # what the coroutine waits for, while it waits
        self._cancelling = False

    def cancel(self) -> None:
        """Cancel the coroutine where it waits, or at its next step."""
        waiting = self._waiting
        if waiting is not None and asyncio.isfuture(waiting) and waiting.cancel():
            return  # the cancelled future wakes it with a CancelledError
        self._cancelling = True

    def __await__(self) -> Generator[Any, Any, Any]:
        enter = self._context.run
        coro = self._coro
        step: Callable[[Any], Any] = coro.send
        value: Any = None
        while True:
            if self._cancelling:
                self._cancelling = False
                step, value = coro.throw, asyncio.CancelledError()
            try:
                yielded = enter(step, value)
            except StopIteration as stop:
                return stop.value
            if self._cancelling and yielded is not None and asyncio.isfuture(yielded) and yielded.cancel():
                self._cancelling = False  # asked while it ran: what it now waits for is cancelled
            self._waiting = yielded
            try:
                value = yield yielded
            except GeneratorExit:
                enter(coro.close)
                raise
            except BaseException as exc:  # a cancellation, or an error thrown in: the coroutine handles it
                step, value = coro.throw, exc
            else:
                step = coro.send
            finally:
                self._waiting = None


def _start_handler(run: LocalRun, ctx: contextvars.Context, outcome: Awaitable[Any]) -> None:
    """Run an async signal handler's first step now, in ``ctx``; give it a task only if it has to wait.

    A handler that fails in its first step fails in a task too, so the error
    surfaces as it would with a task from the start.
    """
    if type(outcome) is not _Coroutine:
        _handler_task(run, ctx, outcome)
        return
    try:
        ended, rest = _step_now(outcome, ctx)
    except BaseException as exc:
        _handler_task(run, ctx, _raise(exc))
        return
    if not ended:
        _handler_task(run, ctx, rest)


def _step_now(coro: Coroutine[Any, Any, Any], context: contextvars.Context | None = None) -> tuple[bool, Any]:
    """Run ``coro``'s first step now (in ``context``, if given); its error, if it raises one, propagates.

    Returns ``(True, its result)`` when it ended in that step, else ``(False, the rest)``:
    a :class:`_Resumed` to await, where the step left off.
    """
    try:
        yielded = coro.send(None) if context is None else context.run(coro.send, None)
    except StopIteration as stop:
        return True, stop.value
    return False, _Resumed(coro, yielded)


async def _raise(exc: BaseException) -> NoReturn:
    raise exc


class _Resumed:
    """Await the rest of a coroutine whose first step has run and yielded ``yielded``."""

    __slots__ = ("_coro", "_yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self._coro = coro
        self._yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro = self._coro
        yielded = self._yielded
        while True:
            try:
                value = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation, or an error thrown in: the coroutine handles it
                step: Callable[[Any], Any] = coro.throw
                value = exc
            else:
                step = coro.send
            try:
                yielded = step(value)
            except StopIteration as stop:
                return stop.value


def _handler_task(run: LocalRun, ctx: contextvars.Context, outcome: Awaitable[Any]) -> asyncio.Task[Any]:
    """Run an async signal or update handler of ``run`` as a task in ``ctx``, cancelled when the run ends."""
    task = asyncio.get_running_loop().create_task(_await(outcome), context=ctx)
    run.add_handler_task(task)
    task.add_done_callback(functools.partial(_handler_done, run))
    return task


def _handler_done(run: LocalRun, task: asyncio.Task[Any]) -> None:
    if run.handler_tasks is not None:
        run.handler_tasks.discard(task)
    run.schedule_recheck()


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _read(payload: Payload, hint: Any, what: str) -> Any:
    try:
        return DEFAULT_PAYLOAD_CONVERTER.from_payload(payload, hint)
    except PayloadError as exc:
        raise PayloadError(f"{what}: {exc.message}", non_retryable=True) from exc


def _read_args(payloads: Sequence[Payload], hints: FunctionHints, what: str) -> tuple[Any, ...]:
    return tuple(_read(payload, hints.param(i), what) for i, payload in enumerate(payloads))


def _carry(value: Any, hint: Any, what: str) -> Any:
    """Return ``value`` as a receiver reading it as ``hint`` gets it (payload parity)."""
    if DEFAULT_PAYLOAD_CONVERTER.carries_as_is(value, hint):
        return value
    try:
        payload = DEFAULT_PAYLOAD_CONVERTER.to_payload(value)
    except PayloadError as exc:
        raise PayloadError(f"{what}: {exc.message}", non_retryable=True) from exc
    return _read(payload, hint, what)


def _send_args(args: Sequence[Any], name: str) -> list[Payload]:
    """Encode an activity's arguments as the workflow sends them (payload parity)."""
    try:
        return [DEFAULT_PAYLOAD_CONVERTER.to_payload(arg) for arg in args]
    except PayloadError as exc:
        raise PayloadError(f"the arguments of activity {name}: {exc.message}", non_retryable=True) from exc


def _reply(returned: Any, name: str) -> Payload:
    """Encode what an activity attempt returned (payload parity); a result with no JSON form fails the attempt."""
    try:
        return DEFAULT_PAYLOAD_CONVERTER.to_payload(returned)
    except PayloadError as exc:
        raise PayloadError(f"activity {name} failed: its result: {exc.message}") from exc


def _carry_args(args: Sequence[Any], fn: Callable[..., Any], what: str) -> tuple[Any, ...]:
    """Return call arguments as ``fn`` gets them (payload parity): all encoded, then each read with its hint."""
    hints = function_hints(fn)
    if DEFAULT_PAYLOAD_CONVERTER.carry_args_as_is(args, hints):
        return tuple(args)
    try:
        payloads = [DEFAULT_PAYLOAD_CONVERTER.to_payload(arg) for arg in args]
    except PayloadError as exc:
        raise PayloadError(f"{what}: {exc.message}", non_retryable=True) from exc
    return _read_args(payloads, hints, what)


_EVENTS = "ntro.events"
_Coroutine = types.CoroutineType


def _emit_observable(result: Any, run: LocalRun | None, name: str, attempt: int) -> None:
    """Emit an activity's :class:`~ntro.events.ObservableResult` (nothing can be one unless ntro.events is loaded)."""
    events = sys.modules.get(_EVENTS)
    if events is not None:
        workflow_id = run.workflow_id if run is not None else "<no-workflow>"
        events.emit_result(result, workflow_id=workflow_id, activity=name, attempt=attempt)


def _activity_name(fn: Callable[..., Any]) -> str:
    defn = activity_definition(fn)
    return defn.name if defn is not None else str(getattr(fn, "__name__", repr(fn)))


def _find_handler(defn: WorkflowDefinition, kind: str, handler: Any) -> HandlerDefinition:
    """Return ``defn``'s ``kind`` ("signal", "query" or "update") handler named by ``handler`` (a name or the method).

    Raises:
        LookupError: The workflow has no such handler; the message lists those it has.
    """
    if kind == "signal":
        handlers, plural = defn.signals, "signals"
    elif kind == "query":
        handlers, plural = defn.queries, "queries"
    else:
        handlers, plural = defn.updates, "updates"
    if isinstance(handler, str):
        name = handler
    else:
        record = handler_definition(handler, kind)
        name = record.name if record is not None else str(getattr(handler, "__name__", handler))
    found = handlers.get(name)
    if found is None:
        known = ", ".join(sorted(handlers)) or "none"
        raise LookupError(f"workflow {defn.name} has no {kind} {name!r} ({plural}: {known})")
    return found

"""LocalRuntime, which runs runbooks in-process on the current asyncio event loop, and its handle to a run.

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

The runtime is made of parts, one module each (see ``_base``); this module
is its face: what it is made with, the runs it gives handles to, and what
workflow code asks of it beyond activities, children and waiting.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ntro.runtime.local._activities import Activities, activity_name
from ntro.runtime.local._children import ChildWorkflows
from ntro.runtime.local._clock import Clock, VirtualClock, WallClock
from ntro.runtime.local._context import get_attempt, get_run
from ntro.runtime.local._events import Observer
from ntro.runtime.local._handlers import Handlers
from ntro.runtime.local._payloads import AS_GIVEN, PARITY
from ntro.runtime.local._registry import RunTable
from ntro.runtime.local._run import LocalRun, LocalWorkflowDescription, LocalWorkflowStatus
from ntro.runtime.local._runs import ContinueAsNew
from ntro.runtime.local._stepping import InContext
from ntro.runtime.local._waiting import Waiting
from ntro.runtime.protocol import ChildWorkflowOptions, WorkflowDefinition, WorkflowInfo, resolve_workflow
from ntro.workflow.exceptions import WorkflowNotFoundError

if TYPE_CHECKING:
    from ntro.runtime.protocol import PendingAction

DEFAULT_RETAIN_FINISHED = 1000
"""How many finished runs a LocalRuntime keeps reachable by id, by default."""


class LocalRuntime(ChildWorkflows, Handlers, Activities, Waiting):
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

    A :class:`LocalWorkflowHandle` acts on its run through the runtime's
    run-level methods: ``deliver_signal``, ``run_query``, ``run_update``,
    ``cancel_run`` and ``child_runs``.
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
        self._runs = RunTable(retain_finished)
        self.clock = clock if clock is not None else WallClock()
        self.task_queue = task_queue
        self._payloads = PARITY if payload_parity else AS_GIVEN
        self._hosted = {activity_name(fn): fn for fn in activities}
        self._observers = []
        self._inflight = 0
        self._virtual = self.clock if isinstance(self.clock, VirtualClock) else None
        # Virtual time stands still while an activity runs: an attempt's deadlines count real time.
        self._attempt_clock = WallClock() if self._virtual is not None else self.clock
        if self._virtual is not None:
            self._virtual.attach(lambda: self._inflight > 0)

    def __repr__(self) -> str:
        parity = ", payload_parity=True" if self.payload_parity else ""
        return f"LocalRuntime(clock={type(self.clock).__name__}(){parity})"

    @property
    def payload_parity(self) -> bool:
        """Whether values cross as on Temporal (see the ``payload_parity`` argument)."""
        return self._payloads.parity

    @property
    def retain_finished(self) -> int:
        """How many finished runs stay reachable by id (see the ``retain_finished`` argument)."""
        return self._runs.retain

    # -- observers ----------------------------------------------------------------------
    def add_observer(self, observer: Observer) -> None:
        """Tell ``observer`` about every :class:`LocalEvent` of this runtime."""
        self._observers.append(observer)

    def remove_observer(self, observer: Observer) -> None:
        """Stop telling ``observer``."""
        if observer in self._observers:
            self._observers.remove(observer)

    # -- runs -----------------------------------------------------------------------------
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
        return LocalWorkflowHandle(self, run)

    def list_workflows(self) -> list[LocalWorkflowHandle]:
        """Return the handles of the running and retained runs, oldest start first."""
        return [LocalWorkflowHandle(self, run) for run in self._runs]

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
        run = self._start_run(workflow, args, workflow_id, task_queue, run_id, parent, start_signal, start_signal_args)
        return LocalWorkflowHandle(self, run)

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
        run.driver = driver = InContext(run.context, drive)
        self._record(run, 0)
        try:
            result = await driver
        except BaseException as exc:
            run.settle(error=exc)
            raise
        run.settle(result)
        return result

    async def start_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> LocalWorkflowHandle:
        """Start a child workflow of the current run and return its handle."""
        return LocalWorkflowHandle(self, self._start_child(workflow, args, options))

    # -- the Runtime protocol: what workflow code asks of its run ------------------------------
    def workflow_info(self) -> WorkflowInfo:
        """Describe the running workflow."""
        return self._current_run("runbook.info()").info

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
        run = get_run()
        return run.logger if run is not None else logging.getLogger("ntro.workflow")

    def in_workflow(self) -> bool:
        """Whether the caller is workflow code of a local run (not an activity)."""
        return get_run() is not None and get_attempt() is None

    def step_changed(self, step_id: str, title: str, status: str) -> None:
        """Report a step's progress to observers (``step.started`` and so on)."""
        if self._observers:
            run = get_run()
            self._emit(f"step.{status}", run.workflow_id if run else "<no-workflow>", step_id=step_id, title=title)

    def gate_changed(self, action: PendingAction, status: str) -> None:
        """Report a gate opening or closing to observers (``gate.opened``, ``gate.closed``)."""
        if self._observers:
            run = get_run()
            where = run.workflow_id if run else "<no-workflow>"
            self._emit(f"gate.{status}", where, gate=action.gate, action=action.kind, step_id=action.step_id)


class _NoArgument:
    """What ``signal`` and ``update`` get when no argument is given (``None`` is a value)."""

    def __repr__(self) -> str:
        return "<no argument>"


_NO_ARGUMENT: Any = _NoArgument()


def _pack(arg: Any, args: Sequence[Any]) -> tuple[Any, ...]:
    if arg is _NO_ARGUMENT:
        return tuple(args)
    if args:
        raise TypeError("pass either one argument or args=[...], not both")
    return (arg,)


class LocalWorkflowHandle:
    """A handle to a local run, a root run or a child, shaped like temporalio's workflow handles.

    Await it, or its :meth:`result`, for the run's result. After a
    continue-as-new it acts on the newest run of the chain. ``None`` is a
    value like any other, as on Temporal: ``signal(name, None)`` sends
    ``None``; leave the argument out to send none.
    """

    __slots__ = ("_run", "_runtime")

    def __init__(self, runtime: LocalRuntime, run: LocalRun) -> None:
        self._runtime = runtime
        self._run = run

    def __repr__(self) -> str:
        return f"LocalWorkflowHandle(id={self.id!r}, status={self._run.status.value})"

    @property
    def id(self) -> str:
        """The workflow id."""
        return self._run.workflow_id

    @property
    def run_id(self) -> str:
        """The run id (empty unless one was given)."""
        return self._run.run_id

    @property
    def first_execution_run_id(self) -> str:
        """The run id of the chain's first run (empty unless one was given), as on a child handle."""
        return self._run.run_id

    @property
    def runtime(self) -> LocalRuntime:
        """The runtime the run belongs to."""
        return self._runtime

    @property
    def instance(self) -> Any:
        """The workflow object itself (for tests and debugging)."""
        return self._run.instance

    @property
    def definition(self) -> WorkflowDefinition:
        """The workflow's definition, with its name, run method, signals, queries and updates."""
        return self._run.defn

    @property
    def status(self) -> LocalWorkflowStatus:
        """The run's status now (of the newest run, after a continue-as-new)."""
        return self._run.latest().status

    def __await__(self) -> Generator[Any, Any, Any]:
        return asyncio.shield(self._run.completion()).__await__()

    async def signal(self, signal: Any, arg: Any = _NO_ARGUMENT, /, *, args: Sequence[Any] = ()) -> None:
        """Send a signal (by name or handler method) with one argument, ``args=``, or none.

        Raises:
            LookupError: The workflow has no such signal.
            RuntimeError: The run has ended.
            TypeError: Both ``arg`` and ``args`` were given.
        """
        self._runtime.deliver_signal(self._run.latest(), signal, _pack(arg, args))

    async def update(self, update: Any, arg: Any = _NO_ARGUMENT, /, *, args: Sequence[Any] = ()) -> Any:
        """Send an update (by name or handler method) with one argument, ``args=``, or none; return its answer.

        Raises:
            ~ntro.workflow.exceptions.UpdateFailedError: The validator refused
                it or the handler failed; the run goes on.
            TypeError: Both ``arg`` and ``args`` were given.
        """
        return await self._runtime.run_update(self._run.latest(), update, _pack(arg, args))

    async def query(self, query: Any, *args: Any) -> Any:
        """Call a query handler (by name or method) and return its answer."""
        return await self._runtime.run_query(self._run.latest(), query, args)

    async def result(self) -> Any:
        """Wait for the run to finish and return its result (its error is raised)."""
        return await asyncio.shield(self._run.completion())

    async def wait(self) -> None:
        """Wait for the run to finish, however it ends; raise nothing of its own (see :meth:`result`)."""
        ended = self._run.completion()
        if not ended.done():
            await asyncio.wait((ended,))

    async def cancel(self) -> None:
        """Cancel the run (and so its children and running activities) and wait for it to stop."""
        if self._run.ended:
            return
        ended = self._run.completion()
        self._runtime.cancel_run(self._run)
        await asyncio.wait((ended,))

    async def describe(self) -> LocalWorkflowDescription:
        """Return a :class:`LocalWorkflowDescription` snapshot (of the newest run, after a continue-as-new)."""
        return self._run.latest().describe()

    def children(self) -> list[LocalWorkflowHandle]:
        """Return handles of the run's child workflows still running or retained, in start order.

        ``describe().children`` lists the ids of all of them.
        """
        return [LocalWorkflowHandle(self._runtime, child) for child in self._runtime.child_runs(self._run)]

    def done(self) -> bool:
        """Whether the run has finished."""
        return self._run.ended


LocalChildHandle = LocalWorkflowHandle
"""A child's handle is a :class:`LocalWorkflowHandle` (the name stays for code written against it)."""

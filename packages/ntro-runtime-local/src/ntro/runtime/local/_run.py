"""The state of one local workflow run: its instance, task, waiters and children."""

from __future__ import annotations

import asyncio
import contextvars
import enum
import hashlib
import itertools
import logging
import random
import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol

import attrs

from ntro.runtime.protocol import WorkflowDefinition, WorkflowInfo

_serials = itertools.count(1)


class Driver(Protocol):
    """What drives a run in its caller's task: it can cancel the run as ``Task.cancel`` would."""

    def cancel(self) -> None:
        """Cancel the run's code where it waits, or at its next step."""


class LocalWorkflowStatus(enum.StrEnum):
    """The status of a local run; the names match Temporal's execution statuses."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TIMED_OUT = "TIMED_OUT"
    CONTINUED_AS_NEW = "CONTINUED_AS_NEW"


@attrs.frozen
class LocalWorkflowDescription:
    """A snapshot of a local run, as returned by ``handle.describe()``."""

    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str
    status: LocalWorkflowStatus
    parent_workflow_id: str | None
    start_time: datetime
    close_time: datetime | None
    children: tuple[str, ...]


class _Waiter:
    __slots__ = ("future", "listed", "predicate")

    def __init__(self, predicate: Callable[[], bool], future: asyncio.Future[None]) -> None:
        self.predicate = predicate
        self.future = future
        self.listed = True  # among the run's waiters


class LocalRun:
    """One workflow execution under LocalRuntime (internal; use the handle).

    A finished run keeps no reference to its parent, its children or any
    task of the runtime's, so once the runtime lets go of it (see
    ``LocalRuntime(retain_finished=...)``) only the caller's handles keep it.
    """

    __slots__ = (
        "__weakref__",
        "_info",
        "_logger",
        "_random",
        "_recheck_pending",
        "activity_seq",
        "child_seq",
        "children",
        "close_time",
        "context",
        "defn",
        "driver",
        "final",
        "handler_tasks",
        "instance",
        "outcome",
        "parent",
        "parent_workflow_id",
        "run_id",
        "running_children",
        "serial",
        "start_time",
        "status",
        "successor",
        "task",
        "task_queue",
        "timed_out",
        "unstarted",
        "waiters",
        "workflow_id",
    )

    def __init__(
        self,
        defn: WorkflowDefinition,
        instance: Any,
        workflow_id: str,
        task_queue: str,
        start_time: datetime,
        run_id: str = "",
        parent: LocalRun | None = None,
    ) -> None:
        self.defn = defn
        self.instance = instance
        self.workflow_id = workflow_id
        self.task_queue = task_queue
        self.run_id = run_id
        self.start_time = start_time
        self.parent_workflow_id = parent.workflow_id if parent is not None else None
        self._info: WorkflowInfo | None = None  # made when first asked for (most runs never are)
        self.serial = next(_serials)
        self.status = LocalWorkflowStatus.RUNNING
        # The run's own task; or, for a run driven in its caller's task (``LocalRuntime.run``), its driver.
        self.task: asyncio.Task[Any] | None = None
        self.driver: Driver | None = None
        # Run inline: the future of the chain's outcome, made when a handle first waits for it.
        self.outcome: asyncio.Future[Any] | None = None
        # Run inline and ended: its result and error, for a handle that asks afterwards.
        self.final: tuple[Any, BaseException | None] | None = None
        # The run method's coroutine until the task takes its first step (closed if it never does).
        self.unstarted: Coroutine[Any, Any, Any] | None = None
        self.context: contextvars.Context = contextvars.copy_context()
        self.waiters: list[_Waiter] | None = None  # made with the first waiter (most runs never wait)
        # The parent while this run is running (cleared when it ends).
        self.parent = parent
        # Every child started, as (workflow id, serial), and the ones still running.
        self.children: list[tuple[str, int]] | None = None  # made with the first child
        self.running_children: set[LocalRun] | None = None  # made with the first child
        self.handler_tasks: set[asyncio.Task[Any]] | None = None  # made with the first async handler
        self.activity_seq = 0
        self.child_seq = 0
        self.close_time: datetime | None = None
        self._random: random.Random | None = None
        self._logger: logging.LoggerAdapter[logging.Logger] | None = None
        self._recheck_pending = False
        self.timed_out = False
        # The run this one continued as (runbook.continue_as_new), once it has.
        self.successor: LocalRun | None = None

    def latest(self) -> LocalRun:
        """Return the newest run of this run's chain of continue-as-new runs (itself if it never continued)."""
        run = self
        while run.successor is not None:
            run = run.successor
        return run

    @property
    def info(self) -> WorkflowInfo:
        """The run's :class:`~ntro.workflow.WorkflowInfo`, as ``runbook.info()`` returns it."""
        info = self._info
        if info is None:
            info = self._info = WorkflowInfo(
                self.workflow_id,
                self.task_queue,
                self.run_id,
                1,
                workflow_type=self.defn.name,
                parent_workflow_id=self.parent_workflow_id,
                start_time=self.start_time,
            )
        return info

    @property
    def ended(self) -> bool:
        """Whether this run's chain (itself and the runs it continued as) has finished."""
        return self.latest().status is not LocalWorkflowStatus.RUNNING

    def completion(self) -> asyncio.Future[Any]:
        """Return what to wait on for the outcome of this run's chain (a run continued as new goes on).

        A run with a task of its own ends with that task. A run driven inline,
        in its caller's task, gets a future the first time one is asked for;
        :meth:`settle` resolves it when the chain ends.
        """
        run = self.latest()
        if run.task is not None:
            return run.task
        if run.outcome is None:
            run.outcome = asyncio.get_running_loop().create_future()
            if run.final is not None:  # asked after the end
                run.settle(*run.final)
        return run.outcome

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        """Record how an inline run's chain ended, and resolve its future if one was asked for."""
        run = self.latest()
        run.final = (result, error)
        run.driver = None  # done driving: let it go now, not when the run is dropped
        future = run.outcome
        if future is None or future.done():
            return
        if error is None:
            future.set_result(result)
        elif isinstance(error, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(error)

    # -- deterministic helpers ----------------------------------------------------------
    @property
    def random(self) -> random.Random:
        """The run's random generator, seeded from its workflow id."""
        if self._random is None:
            digest = hashlib.sha256(self.workflow_id.encode()).digest()
            self._random = random.Random(int.from_bytes(digest[:8], "big"))
        return self._random

    def uuid4(self) -> uuid.UUID:
        """Return the next deterministic version-4 UUID of this run."""
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]:
        """A logger that tags records with the workflow id."""
        if self._logger is None:
            self._logger = _WorkflowLoggerAdapter(
                logging.getLogger("ntro.workflow"),
                {"workflow_id": self.workflow_id, "workflow_type": self.defn.name},
            )
        return self._logger

    # -- conditions -------------------------------------------------------------------
    def add_waiter(self, predicate: Callable[[], bool]) -> _Waiter:
        """Register a condition waiter; it resolves when a recheck finds it true."""
        waiter = _Waiter(predicate, asyncio.get_running_loop().create_future())
        if self.waiters is None:
            self.waiters = []
        self.waiters.append(waiter)
        return waiter

    def add_handler_task(self, task: asyncio.Task[Any]) -> None:
        """Keep a running async signal or update handler, to cancel it when the run ends."""
        if self.handler_tasks is None:
            self.handler_tasks = set()
        self.handler_tasks.add(task)

    def remove_waiter(self, waiter: _Waiter) -> None:
        """Forget a waiter (it was resolved, timed out or was cancelled); nothing if it is gone already."""
        if waiter.listed and self.waiters is not None:
            waiter.listed = False
            self.waiters.remove(waiter)

    def schedule_recheck(self) -> None:
        """Re-check this run's conditions once the current step of the loop is done.

        Deferred with ``call_soon`` so a coroutine woken by the same event has
        made its state change before the predicates are evaluated.
        """
        if self.waiters and not self._recheck_pending:
            self._recheck_pending = True
            asyncio.get_running_loop().call_soon(self.recheck)

    def recheck(self) -> None:
        """Resolve every waiter whose predicate is now true."""
        self._recheck_pending = False
        if not self.waiters:
            return
        resolved = False
        for waiter in list(self.waiters):
            if waiter.future.done():
                self.remove_waiter(waiter)
                continue
            try:
                ok = waiter.predicate()
            except BaseException as exc:  # the predicate's error surfaces in the waiting coroutine
                self.remove_waiter(waiter)
                waiter.future.set_exception(exc)
                resolved = True
                continue
            if ok:
                self.remove_waiter(waiter)
                waiter.future.set_result(None)
                resolved = True
        if resolved:
            # The woken coroutines may change state another waiter depends on.
            self.schedule_recheck()

    # -- description -------------------------------------------------------------------
    def describe(self) -> LocalWorkflowDescription:
        """Return a snapshot of this run."""
        return LocalWorkflowDescription(
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            workflow_type=self.defn.name,
            task_queue=self.task_queue,
            status=self.status,
            parent_workflow_id=self.parent_workflow_id,
            start_time=self.start_time,
            close_time=self.close_time,
            children=tuple(workflow_id for workflow_id, _ in self.children or ()),
        )


class _WorkflowLoggerAdapter(logging.LoggerAdapter[logging.Logger]):
    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra = self.extra or {}
        kwargs.setdefault("extra", {}).update(extra)
        return f"{msg} ({{'workflow_id': {extra.get('workflow_id')!r}}})", kwargs

"""A run's life under LocalRuntime: made, recorded, driven to its end (through continue-as-new), cancelled, closed."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from ntro.runtime.local._base import RuntimeBase
from ntro.runtime.local._context import get_run, set_run
from ntro.runtime.local._handlers import find_handler
from ntro.runtime.local._ids import new_id
from ntro.runtime.local._run import LocalRun, LocalWorkflowStatus
from ntro.runtime.protocol import (
    ErrorType,
    WorkflowDefinition,
    check_workflow_id,
    default_child_id,
    resolve_workflow,
)
from ntro.workflow.exceptions import WorkflowError


class ContinueAsNew(BaseException):
    """Raised by ``runbook.continue_as_new`` under LocalRuntime; never catch it.

    A :class:`BaseException`, as temporalio's ``ContinueAsNewError`` is, so
    ``except Exception`` in workflow code lets it through to the driver.
    """

    def __init__(self, next_args: tuple[Any, ...]) -> None:
        super().__init__("continue as new")
        self.next_args = next_args


class RunLifecycle(RuntimeBase):
    """Starting runs, driving each to its end, cancelling and closing them."""

    def _start_run(
        self,
        workflow: type | str,
        args: Sequence[Any],
        workflow_id: str | None,
        task_queue: str | None,
        run_id: str,
        parent: LocalRun | None,
        start_signal: str | None,
        start_signal_args: Sequence[Any],
    ) -> LocalRun:
        """Start a run as a task of its own (see ``LocalRuntime.start``); a start that fails leaves nothing behind."""
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
        return run

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
        payloads = self._payloads
        args = payloads.workflow_args(defn, args)
        instance = defn.cls()
        first: Callable[[], Any] | None = None
        if start_signal is not None:
            handler = find_handler(defn, "signal", start_signal)
            start_signal_args = payloads.handler_args(defn, "signal", handler, start_signal_args)
            first = functools.partial(getattr(instance, handler.method_name), *start_signal_args)
        coro = getattr(instance, defn.run_method)(*args)  # a wrong argument count fails here, before any trace
        queue = task_queue or (parent.task_queue if parent else self.task_queue)
        run = LocalRun(defn, instance, workflow_id, queue, self.clock.now(), run_id, parent)
        run.unstarted = coro
        self._enter_run(run.context, run)
        return run, self._drive(run, coro, first), child_seq

    def _record(self, run: LocalRun, child_seq: int) -> None:
        """Make a run that nothing can stop from starting any more reachable, and tell the observers."""
        workflow_id = run.workflow_id
        self._runs.add(run)
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
            result = self._payloads.workflow_result(run.defn, result)
        except asyncio.CancelledError:
            if run.timed_out:
                # Its execution/run timeout expired: like Temporal, the parent sees a TimeoutError.
                self._end(run, LocalWorkflowStatus.TIMED_OUT)
                raise TimeoutError(f"child workflow {run.defn.name} timed out") from None
            self._end(run, LocalWorkflowStatus.CANCELED)
            raise
        except BaseException as exc:
            self._end(run, LocalWorkflowStatus.FAILED, exc)
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
        args = self._payloads.workflow_args(defn, args)
        instance = defn.cls()
        coro = getattr(instance, defn.run_method)(*args)
        parent = run.parent
        nxt = LocalRun(defn, instance, run.workflow_id, run.task_queue, self.clock.now(), new_id(), parent)
        nxt.context = run.context
        nxt.task = run.task
        nxt.driver = run.driver
        nxt.outcome = run.outcome
        run.successor = nxt
        run.status = LocalWorkflowStatus.CONTINUED_AS_NEW
        self._close(run)
        self._runs.replace(nxt)
        if parent is not None:
            parent.children = [
                (wid, nxt.serial if serial == run.serial else serial) for wid, serial in parent.children or ()
            ]
            if parent.running_children is None:
                parent.running_children = set()
            parent.running_children.add(nxt)
            nxt.parent = parent
        set_run(nxt)  # in the run's task: its context now belongs to the next run
        if self._observers:
            self._emit("workflow.continued_as_new", nxt.workflow_id, run_id=nxt.run_id)
        return nxt, coro

    def cancel_run(self, run: LocalRun) -> None:
        """Cancel ``run`` (so its children and running activities too); nothing if its chain has ended.

        What a handle's ``cancel`` does; it returns at once, and the run
        stops at its next step. Every cancel goes through here: a run whose
        task has not taken its first step yet (cancelled right after its
        start) never enters its code, and is closed as ``CANCELED`` when the
        task ends.
        """
        if run.ended:
            return
        run = run.latest()
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
        self._end(run, LocalWorkflowStatus.TIMED_OUT if run.timed_out else LocalWorkflowStatus.CANCELED)

    def _end(self, run: LocalRun, status: LocalWorkflowStatus, error: BaseException | None = None) -> None:
        """Close a run that did not complete (``status``: failed, cancelled or timed out) and tell the observers."""
        run.status = status
        self._close(run)
        if self._observers:
            if status is LocalWorkflowStatus.CANCELED:
                self._emit("workflow.canceled", run.workflow_id)
            else:
                message = "timed out" if error is None else f"{type(error).__name__}: {error}"
                self._emit("workflow.failed", run.workflow_id, error=message)

    def _close(self, run: LocalRun) -> None:
        run.close_time = self.clock.now()
        # The run's context refers to the run, and the run to its task, which holds that context:
        # forget the run there, so a finished run is freed as soon as nothing else holds it
        # (not at the next full garbage collection). Its handlers get a context of their own.
        if get_run() is run:  # closing from the run's own task
            set_run(None)
        else:
            try:
                run.context.run(set_run, None)
            except RuntimeError:  # entered by a task still running in it (it is being cancelled)
                pass
        # Like Temporal's default parent-close policy: children do not outlive their parent.
        if run.running_children:
            for child in list(run.running_children):
                self.cancel_run(child)
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
        self._runs.retire(run)
        self._touch()

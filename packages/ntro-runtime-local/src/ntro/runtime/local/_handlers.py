"""A run's signal, query and update handlers under LocalRuntime: found by name or method, run in the run's context."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import types
from collections.abc import Awaitable, Sequence
from typing import Any

from ntro.runtime.local._base import RuntimeBase
from ntro.runtime.local._run import LocalRun, LocalWorkflowStatus
from ntro.runtime.local._stepping import awaiting, raising, step_now
from ntro.runtime.protocol import HandlerDefinition, WorkflowDefinition, handler_definition, update_failure

_Coroutine = types.CoroutineType


class Handlers(RuntimeBase):
    """Delivering signals, answering queries, applying updates."""

    def deliver_signal(self, run: LocalRun, signal: Any, args: Sequence[Any]) -> None:
        """Run ``run``'s handler for ``signal`` (a name or the handler method) with ``args``, now.

        What a handle's ``signal`` does. A plain handler runs to its end; an
        ``async`` one takes its first step here and, if it has to wait, goes
        on in a task of its own. The gates it opens are woken before this returns.

        Raises:
            LookupError: The workflow has no such signal (the message lists those it has).
            RuntimeError: The run has ended.
            ~ntro.runtime.protocol.PayloadError: An argument cannot be carried (payload parity).
        """
        handler = find_handler(run.defn, "signal", signal)
        if run.status is not LocalWorkflowStatus.RUNNING:
            raise RuntimeError(f"workflow {run.workflow_id!r} is {run.status.value.lower()}; it takes no signals")
        args = self._payloads.handler_args(run.defn, "signal", handler, args)
        if self._observers:
            self._emit("signal.received", run.workflow_id, signal=handler.name)
        method = getattr(run.instance, handler.method_name)
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
        """Call ``run``'s handler for ``query`` (a name or the handler method) and return its answer.

        What a handle's ``query`` does; a finished run answers too.

        Raises:
            LookupError: The workflow has no such query (the message lists those it has).
            ~ntro.runtime.protocol.PayloadError: An argument or the answer cannot be carried (payload parity).
        """
        handler = find_handler(run.defn, "query", query)
        payloads = self._payloads
        args = payloads.handler_args(run.defn, "query", handler, args)
        method = getattr(run.instance, handler.method_name)
        answer = self._handler_context(run).run(method, *args)
        if inspect.isawaitable(answer):
            answer = await answer
        return payloads.query_answer(run.defn, handler, answer, by_name=isinstance(query, str))

    async def run_update(self, run: LocalRun, update: Any, args: Sequence[Any]) -> Any:
        """Check and apply ``run``'s update ``update`` (a name or the handler method) and return its answer.

        What a handle's ``update`` does. The validator, if any, runs first, in
        the run's context; an error from it refuses the request before the
        handler touches any state. The handler then runs as a signal's does,
        and the caller waits for it.

        Raises:
            LookupError: The workflow has no such update (the message lists those it has).
            RuntimeError: The run has ended.
            ~ntro.workflow.exceptions.UpdateFailedError: The validator refused
                the request, the handler failed, or the run ended first.
            ~ntro.runtime.protocol.PayloadError: An argument or the answer cannot be carried (payload parity).
        """
        handler = find_handler(run.defn, "update", update)
        workflow_id = run.workflow_id
        if run.status is not LocalWorkflowStatus.RUNNING:
            raise RuntimeError(f"workflow {workflow_id!r} is {run.status.value.lower()}; it takes no updates")
        name = handler.name
        args = self._payloads.handler_args(run.defn, "update", handler, args)
        ctx = run.context
        if handler.validator is not None:
            try:
                ctx.run(getattr(run.instance, handler.validator), *args)
            except Exception as exc:
                raise update_failure(workflow_id, name, exc) from exc
        if self._observers:
            self._emit("update.accepted", workflow_id, update=name)
        try:
            outcome = ctx.run(getattr(run.instance, handler.method_name), *args)
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
        return self._payloads.update_answer(handler, outcome)

    def _handler_context(self, run: LocalRun) -> contextvars.Context:
        """Return the context ``run``'s handlers run in: its own while it runs, a new one after."""
        if run.status is LocalWorkflowStatus.RUNNING:
            return run.context
        ctx = contextvars.copy_context()
        self._enter_run(ctx, run)
        return ctx


def find_handler(defn: WorkflowDefinition, kind: str, handler: Any) -> HandlerDefinition:
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


def _start_handler(run: LocalRun, ctx: contextvars.Context, outcome: Awaitable[Any]) -> None:
    """Run an async signal handler's first step now, in ``ctx``; give it a task only if it has to wait.

    A handler that fails in its first step fails in a task too, so the error
    surfaces as it would with a task from the start.
    """
    if type(outcome) is not _Coroutine:
        _handler_task(run, ctx, outcome)
        return
    try:
        ended, rest = step_now(outcome, ctx)
    except BaseException as exc:
        _handler_task(run, ctx, raising(exc))
        return
    if not ended:
        _handler_task(run, ctx, rest)


def _handler_task(run: LocalRun, ctx: contextvars.Context, outcome: Awaitable[Any]) -> asyncio.Task[Any]:
    """Run an async signal or update handler of ``run`` as a task in ``ctx``, cancelled when the run ends."""
    task = asyncio.get_running_loop().create_task(awaiting(outcome), context=ctx)
    run.add_handler_task(task)
    task.add_done_callback(functools.partial(_handler_done, run))
    return task


def _handler_done(run: LocalRun, task: asyncio.Task[Any]) -> None:
    if run.handler_tasks is not None:
        run.handler_tasks.discard(task)
    run.schedule_recheck()

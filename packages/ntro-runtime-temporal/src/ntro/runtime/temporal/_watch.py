"""The runs of the worker a client hosts in this process: their events told to observers, their crashes noticed.

A :class:`~ntro.runtime.temporal.TemporalClient` made by ``open_client`` with
``workflows`` hosts a worker; its :class:`RunWatch` feeds on what that
worker's workflow code reports (:mod:`ntro.runtime.temporal._events`): each
:class:`~ntro.runtime.protocol.RunEvent` is told to the client's observers
(:class:`~ntro.runtime.protocol.RunEventSource`), and a workflow task that
fails is kept, so that a query waiting on that run stops waiting at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ntro.runtime.protocol import RunEvent, RunObserver
from ntro.runtime.temporal._events import unwatch, watch

__all__ = ["Crashed", "RunWatch"]


class Crashed(Exception):
    """The workflow task failed while the client waited for an answer from the workflow."""


class RunWatch:
    """What the worker hosted in this process tells of its runs: events for observers, and crashes."""

    def __init__(self) -> None:
        self._hosted: str | None = None  # the task queue of the worker this client hosts in-process
        self._loop: asyncio.AbstractEventLoop | None = None
        self._run_observers: list[RunObserver] = []
        self._reported: set[tuple[str, Any]] = set()
        self.crashes: dict[str, str] = {}  # workflow id -> its failed workflow task, as the worker saw it
        self._crash_waiters: dict[str, asyncio.Future[None]] = {}

    def add_run_observer(self, observer: RunObserver) -> None:
        """Tell ``observer`` every event of the hosted runs (see ``TemporalClient.add_run_observer``)."""
        self._run_observers.append(observer)

    def remove_run_observer(self, observer: RunObserver) -> None:
        """Stop telling ``observer`` (nothing happens when it was not added)."""
        if observer in self._run_observers:
            self._run_observers.remove(observer)

    def host(self, task_queue: str) -> None:
        """Watch the runs of the in-process worker on ``task_queue``: their events, and workflow tasks that fail."""
        self._hosted, self._loop = task_queue, asyncio.get_running_loop()
        watch(task_queue, self._feed)

    def unhost(self) -> None:
        """Stop watching (once the worker has stopped: a failing task is retried until then)."""
        if self._hosted is not None:
            unwatch(self._hosted, self._feed)
            self._hosted = None

    def _feed(self, event: RunEvent, key: tuple[str, Any]) -> None:
        if key in self._reported:  # workflow code run again after a failed task, or a retried crash
            return
        self._reported.add(key)
        if event.kind == "workflow.crashed":
            detail = event.detail
            self.crashes[event.workflow_id] = f"{detail['error_type']}: {detail['message']}\n{detail['traceback']}"
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._crashed, event.workflow_id)
        for observer in list(self._run_observers):
            observer(event)

    def _crashed(self, workflow_id: str) -> None:
        waiter = self._crash_waiters.pop(workflow_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def unless_crashed(self, workflow_id: str, call: Callable[[], Awaitable[Any]]) -> Any:
        """Await ``call()``, unless the workflow task of ``workflow_id`` fails first (then raise :class:`Crashed`).

        A query waits for the workflow task in flight: one that fails would
        keep it waiting for its whole timeout.
        """
        if self._hosted is None:
            return await call()
        if workflow_id in self.crashes:
            raise Crashed
        waiter = self._crash_waiters.get(workflow_id)
        if waiter is None or waiter.done():
            waiter = self._crash_waiters[workflow_id] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(call())
        await asyncio.wait((task, waiter), return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        await asyncio.wait((task,))
        raise Crashed

"""Handles to local runs, shaped like temporalio's workflow and child-workflow handles."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ntro.runtime.local._run import LocalRun, LocalWorkflowDescription

if TYPE_CHECKING:
    from ntro.runtime.local._runtime import LocalRuntime


class LocalChildHandle:
    """A child workflow started under LocalRuntime; await it for its result."""

    __slots__ = ("_run",)

    def __init__(self, run: LocalRun) -> None:
        self._run = run

    @property
    def id(self) -> str:
        """The child's workflow id."""
        return self._run.workflow_id

    @property
    def first_execution_run_id(self) -> str:
        """The child's run id (empty unless one was given)."""
        return self._run.run_id

    def __await__(self) -> Any:
        return asyncio.shield(self._run.completion()).__await__()

    async def signal(self, signal: str, arg: Any = None, /) -> None:
        """Send ``signal`` to the child (``arg`` None sends no argument)."""
        self._run.runtime.deliver_signal(self._run, signal, () if arg is None else (arg,))


class LocalWorkflowHandle:
    """A handle to a local run, shaped like temporalio's ``WorkflowHandle``."""

    __slots__ = ("_run",)

    def __init__(self, run: LocalRun) -> None:
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
    def runtime(self) -> LocalRuntime:
        """The runtime the run belongs to."""
        return self._run.runtime

    @property
    def instance(self) -> Any:
        """The workflow object itself (for tests and debugging)."""
        return self._run.instance

    async def signal(self, signal: Any, arg: Any = None, /, *, args: Sequence[Any] = ()) -> None:
        """Send a signal (by name or handler method) with one argument or ``args=``."""
        packed = tuple(args) if args else (() if arg is None else (arg,))
        self._run.runtime.deliver_signal(self._run.latest(), signal, packed)

    async def update(self, update: Any, arg: Any = None, /, *, args: Sequence[Any] = ()) -> Any:
        """Send an update (by name or handler method) with one argument or ``args=``; return its answer.

        Raises:
            ~ntro.workflow.exceptions.UpdateFailedError: The validator refused
                it or the handler failed; the run goes on.
        """
        packed = tuple(args) if args else (() if arg is None else (arg,))
        return await self._run.runtime.run_update(self._run.latest(), update, packed)

    async def query(self, query: Any, *args: Any) -> Any:
        """Call a query handler (by name or method) and return its answer."""
        return await self._run.runtime.run_query(self._run.latest(), query, args)

    async def result(self) -> Any:
        """Wait for the run to finish and return its result (its error is raised)."""
        return await asyncio.shield(self._run.completion())

    async def cancel(self) -> None:
        """Cancel the run (and so its children and running activities) and wait for it to stop."""
        if self._run.ended:
            return
        ended = self._run.completion()
        self._run.runtime._cancel_run(self._run.latest())
        await asyncio.wait((ended,))

    async def describe(self) -> LocalWorkflowDescription:
        """Return a :class:`LocalWorkflowDescription` snapshot (of the newest run, after a continue-as-new)."""
        return self._run.latest().describe()

    def children(self) -> list[LocalWorkflowHandle]:
        """Return handles of the run's child workflows still running or retained, in start order.

        ``describe().children`` lists the ids of all of them.
        """
        return [LocalWorkflowHandle(child) for child in self._run.runtime._child_runs(self._run)]

    def done(self) -> bool:
        """Whether the run has finished."""
        return self._run.ended

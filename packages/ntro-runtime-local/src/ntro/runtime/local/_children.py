"""Child workflows under LocalRuntime: runs started by a run, which end with it and may be given a time limit."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from typing import Any

from ntro.runtime.local._run import LocalRun
from ntro.runtime.local._runs import RunLifecycle
from ntro.runtime.protocol import ChildWorkflowOptions


class ChildWorkflows(RunLifecycle):
    """Starting children of the current run, and finding a run's children."""

    async def execute_child_workflow(
        self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions, /
    ) -> Any:
        """Start a child workflow and return its result (its failure is raised)."""
        child = self._start_child(workflow, args, options)
        return await asyncio.shield(child.completion())

    def child_runs(self, run: LocalRun) -> list[LocalRun]:
        """Return ``run``'s children that are running or retained, in start order (a handle's ``children``)."""
        return self._runs.children_of(run)

    def _start_child(self, workflow: type | str, args: Sequence[Any], options: ChildWorkflowOptions) -> LocalRun:
        """Start a child of the current run; one given an execution or run timeout is cancelled as timed out then."""
        parent = self._current_run("start_child_workflow")
        child = self._start_run(workflow, args, options.id, options.task_queue, "", parent, None, ())
        if self._observers:
            self._emit("child.started", parent.workflow_id, child_workflow_id=child.workflow_id)
        if options.execution_timeout is not None or options.run_timeout is not None:
            limit = min(t for t in (options.execution_timeout, options.run_timeout) if t is not None)
            assert child.task is not None
            cancel_timer = self.clock.call_later(limit, functools.partial(self._time_out, child))
            child.task.add_done_callback(lambda _t: cancel_timer())
        return child

    def _time_out(self, run: LocalRun) -> None:
        if not run.ended:
            run.timed_out = True
            self.cancel_run(run)

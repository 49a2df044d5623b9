"""The runs a LocalRuntime can reach by id: every running run, and the newest finished ones it retains."""

from __future__ import annotations

import collections
from collections.abc import Iterator

from ntro.runtime.local._run import LocalRun


class RunTable:
    """Runs by workflow id, in start order: the running ones, and the ``retain`` most recently finished.

    A run of a chain of continue-as-new runs is found as the chain's newest.
    Beyond ``retain`` finished runs the oldest is dropped first, so memory
    stays flat however many runs a runtime drives.
    """

    __slots__ = ("_finished", "_runs", "retain")

    def __init__(self, retain: int) -> None:
        if retain < 0:
            raise ValueError(f"retain_finished must be 0 or more, not {retain}")
        self.retain = retain
        self._runs: dict[str, LocalRun] = {}  # running runs and the retained finished ones, in start order
        self._finished: collections.OrderedDict[str, LocalRun] = collections.OrderedDict()  # oldest first

    def get(self, workflow_id: str) -> LocalRun | None:
        """Return the run with ``workflow_id``, if it is running or retained."""
        return self._runs.get(workflow_id)

    def __iter__(self) -> Iterator[LocalRun]:
        """The runs, oldest start first."""
        return iter(list(self._runs.values()))

    def add(self, run: LocalRun) -> None:
        """List a run that has started, last (a finished run with its id is dropped)."""
        workflow_id = run.workflow_id
        if workflow_id in self._runs:
            self._finished.pop(workflow_id, None)
            del self._runs[workflow_id]  # re-inserted below, so the table stays in start order
        self._runs[workflow_id] = run

    def replace(self, run: LocalRun) -> None:
        """List the next run of a chain (continue-as-new) in its place, as a running run."""
        self._finished.pop(run.workflow_id, None)
        self._runs[run.workflow_id] = run

    def retire(self, run: LocalRun) -> None:
        """Keep a finished run reachable among the ``retain`` newest; drop the oldest beyond."""
        workflow_id = run.workflow_id
        if self._runs.get(workflow_id) is not run:
            return
        if self.retain == 0:
            del self._runs[workflow_id]
            return
        self._finished[workflow_id] = run
        while len(self._finished) > self.retain:
            old_id, old = self._finished.popitem(last=False)
            if self._runs.get(old_id) is old:
                del self._runs[old_id]

    def children_of(self, run: LocalRun) -> list[LocalRun]:
        """Return ``run``'s children that are running or retained, in start order."""
        found = []
        for workflow_id, serial in run.children or ():
            child = self._runs.get(workflow_id)
            if child is not None and child.serial == serial:
                found.append(child)
        return found

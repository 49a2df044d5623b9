"""Driving a run to its end: answer each gate once, report progress, return the result.

The same loop serves every engine, because it only uses the client protocol:
``ntro workflow run`` drives a run with it, the harness too, and so can a test
or a notebook.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs

from ntro.client._gates import Gate, answer_gate, open_gates
from ntro.runtime.protocol import StepState, WorkflowClient, WorkflowDescription, WorkflowHandle, WorkflowStatus
from ntro.workflow.exceptions import NtroError, WorkflowError, WorkflowFailedError

__all__ = ["AnswerPolicy", "RunWatcher", "StepChange", "drive"]

DEFAULT_POLL = 0.1
"""Seconds between looks when the engine cannot say that something changed."""


class AnswerPolicy(Protocol):
    """Decides how a gate is answered."""

    async def answer(self, gate: Gate) -> Any:
        """Return the payload to signal for ``gate``, or ``None`` to leave it open for now."""


@attrs.frozen
class StepChange:
    """A step of some workflow of the run moved on.

    Attributes:
        workflow_id: The workflow the step belongs to.
        parent_workflow_id: Its parent, for a child workflow.
        depth: 0 for the root, 1 for its children, and so on.
        step: The step, with its new status (``"active"`` or ``"completed"``).
    """

    workflow_id: str
    parent_workflow_id: str | None
    depth: int
    step: StepState


class RunWatcher:
    """Describes a run and its children, and turns successive looks into :class:`StepChange` s.

    Engine-neutral: it reads ``describe()`` only, so progress looks the same
    on every engine. A finished workflow is described once more, then no longer.
    """

    def __init__(self, client: WorkflowClient, root_id: str) -> None:
        self.client = client
        self.root_id = root_id
        self._seen: dict[tuple[str, str], str] = {}
        self._final: dict[str, WorkflowDescription] = {}
        self._where: dict[str, tuple[str | None, int]] = {root_id: (None, 0)}

    async def look(self) -> dict[str, WorkflowDescription]:
        """Return the descriptions of the root and every child it started, by id, root first."""
        found: dict[str, WorkflowDescription] = {}
        await self._visit(self.root_id, None, 0, found)
        return found

    async def _visit(
        self, workflow_id: str, parent: str | None, depth: int, found: dict[str, WorkflowDescription]
    ) -> None:
        if workflow_id in found:
            return
        description = self._final.get(workflow_id)
        if description is None:
            try:
                description = await self.client.get_workflow_handle(workflow_id).describe()
            except NtroError:
                return
            if description.status.finished and workflow_id != self.root_id:
                self._final[workflow_id] = description
        found[workflow_id] = description
        self._where[workflow_id] = (parent, depth)
        for child in description.children:
            await self._visit(child.workflow_id, workflow_id, depth + 1, found)

    def changes(self, descriptions: Mapping[str, WorkflowDescription]) -> list[StepChange]:
        """Return the step changes in ``descriptions`` since the previous call."""
        found: list[StepChange] = []
        for workflow_id, description in descriptions.items():
            parent, depth = self._where.get(workflow_id, (None, 0))
            for step in description.steps:
                key = (workflow_id, step.id)
                if step.status != self._seen.get(key, "pending") and step.status in ("active", "completed"):
                    self._seen[key] = step.status
                    found.append(StepChange(workflow_id, parent, depth, step))
        return found


async def drive(
    client: WorkflowClient,
    handle: WorkflowHandle,
    policy: AnswerPolicy,
    *,
    on_steps: Callable[[list[StepChange]], Awaitable[None] | None] | None = None,
    on_look: Callable[[Mapping[str, WorkflowDescription]], None] | None = None,
    poll: float = DEFAULT_POLL,
    timeout: float | None = None,
) -> Any:
    """Answer the run's gates as ``policy`` says until it ends, and return its result.

    Each gate is answered at most once (gates are told apart by their
    ``gate`` number). While it looks and answers, skipped time is held; when
    there is nothing to answer, the run is let to move on by itself
    (:meth:`~ntro.runtime.protocol.WorkflowClient.advance_time`), so skipped
    time never runs past a gate the policy is about to answer.

    Args:
        client: The client the run was started with.
        handle: The run.
        policy: How to answer gates.
        on_steps: Called with the step changes seen at each look.
        on_look: Called with every look at the run (the root and its children).
        poll: Seconds between looks on engines that cannot signal a change.
        timeout: Give up after this many seconds (wall time).

    Raises:
        WorkflowFailedError: The run failed, was cancelled, terminated or
            timed out, or its workflow code crashed (on Temporal, a workflow
            task that keeps failing: reported at once, with its traceback;
            ``status`` is then ``RUNNING`` and ``cause`` a
            :class:`~ntro.workflow.exceptions.WorkflowError` whose ``type`` and
            ``message`` are the exception's, ``NameError`` for one).
        TimeoutError: ``timeout`` passed first.
    """
    answered: set[tuple[Any, ...]] = set()
    watcher = RunWatcher(client, handle.id)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        async with client.hold_time():
            descriptions = await watcher.look()
            if on_look is not None:
                on_look(descriptions)
            if on_steps is not None:
                await _report(on_steps, watcher.changes(descriptions))
            _raise_on_crash(descriptions)
            root = descriptions.get(handle.id)
            if root is not None and root.status.finished:
                break
            progressed = False
            known = {wid: d.action for wid, d in descriptions.items()}
            for gate in await open_gates(client, handle.id, known=known):
                if gate.key in answered:
                    continue
                payload = await policy.answer(gate)
                if payload is None:
                    continue
                answered.add(gate.key)
                progressed = True
                try:
                    await answer_gate(client, gate, payload)
                except NtroError:  # the gate closed (its workflow ended) while we answered
                    continue
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"workflow {handle.id} did not finish within {timeout:g}s")
        if not progressed:
            running = [wid for wid, d in descriptions.items() if d.status is WorkflowStatus.RUNNING]
            await client.advance_time(running, poll)
    return await handle.result()


_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*): (.*)$", re.DOTALL)
_TRACEBACK_START = re.compile(r'^(Traceback \(most recent call last\):|\s*File "[^"]+", line \d+)')


def _crash_cause(task_failure: str) -> WorkflowError:
    """The exception workflow code raised, as runbook code would name it (``NameError: ...``).

    ``task_failure`` is ``<Type>: <message>`` (the message may span lines), then the traceback.
    """
    lines = task_failure.strip().splitlines()
    head: list[str] = []
    for line in lines:
        if _TRACEBACK_START.match(line):
            break
        head.append(line)
    text = "\n".join(head) or (lines[0] if lines else "")
    named = _EXCEPTION.match(text)
    return WorkflowError(named.group(2), type=named.group(1)) if named else WorkflowError(text)


def _raise_on_crash(descriptions: Mapping[str, WorkflowDescription]) -> None:
    for description in descriptions.values():
        if description.task_failure:
            cause = _crash_cause(description.task_failure)
            raise WorkflowFailedError(
                f"workflow {description.workflow_id} crashed in its workflow code (the engine retries it until "
                f"the code is fixed): {description.task_failure}",
                workflow_id=description.workflow_id,
                status=description.status.value,
                cause=cause,
            )


async def _report(on_steps: Callable[[list[StepChange]], Awaitable[None] | None], changes: list[StepChange]) -> None:
    if changes:
        outcome = on_steps(changes)
        if outcome is not None:
            await outcome

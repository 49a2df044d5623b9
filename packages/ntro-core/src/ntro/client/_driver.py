"""Driving a run to its end: answer each gate once, report progress, return the result.

The same loop serves every engine, because it only uses the client protocol:
``ntro workflow run`` drives a run with it, and so can a test or a notebook.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import attrs

from ntro.client._gates import Gate, answer_gate, open_gates
from ntro.runtime.protocol import StepState, WorkflowClient, WorkflowDescription, WorkflowHandle
from ntro.workflow.exceptions import NtroError

__all__ = ["AnswerPolicy", "StepChange", "StepTracker", "drive"]

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


class StepTracker:
    """Turns successive descriptions of a run and its children into :class:`StepChange` s.

    Engine-neutral: it reads ``describe()`` only, so progress looks the same
    on every engine. A step seen first as completed is reported once, as completed.
    """

    def __init__(self, client: WorkflowClient, root_id: str) -> None:
        self.client = client
        self.root_id = root_id
        self._seen: dict[tuple[str, str], str] = {}
        self._done: set[str] = set()

    async def changes(self) -> list[StepChange]:
        """Describe the run (and its children) and return the step changes since the last call."""
        found: list[StepChange] = []
        await self._visit(self.root_id, None, 0, found)
        return found

    async def _visit(self, workflow_id: str, parent: str | None, depth: int, found: list[StepChange]) -> None:
        if workflow_id in self._done:
            return
        try:
            description = await self.client.get_workflow_handle(workflow_id).describe()
        except NtroError:
            return
        for step in description.steps:
            key = (workflow_id, step.id)
            before = self._seen.get(key, "pending")
            if step.status != before and step.status in ("active", "completed"):
                self._seen[key] = step.status
                found.append(StepChange(workflow_id, parent, depth, step))
        for child in description.children:
            await self._visit(child.workflow_id, workflow_id, depth + 1, found)
        if description.status.finished and all(c.workflow_id in self._done for c in description.children):
            self._done.add(workflow_id)


async def drive(
    client: WorkflowClient,
    handle: WorkflowHandle,
    policy: AnswerPolicy,
    *,
    on_steps: Callable[[list[StepChange]], Awaitable[None] | None] | None = None,
    poll: float = DEFAULT_POLL,
) -> Any:
    """Answer the run's gates as ``policy`` says until it ends, and return its result.

    Each gate is answered at most once (gates are told apart by their
    ``gate`` number). While it looks and answers, skipped time is held, so a
    gate's timeout cannot fire under the answer.

    Args:
        client: The client the run was started with.
        handle: The run.
        policy: How to answer gates.
        on_steps: Called with the step changes seen at each look.
        poll: Seconds between looks on engines that cannot signal a change.

    Raises:
        WorkflowFailedError: The run failed, was cancelled, terminated or timed out.
    """
    answered: set[tuple[Any, ...]] = set()
    tracker = StepTracker(client, handle.id) if on_steps is not None else None
    result = asyncio.ensure_future(handle.result())
    try:
        while True:
            async with client.hold_time():
                if tracker is not None and on_steps is not None:
                    await _report(on_steps, await tracker.changes())
                for gate in await open_gates(client, handle.id):
                    if gate.key in answered:
                        continue
                    payload = await policy.answer(gate)
                    if payload is None:
                        continue
                    answered.add(gate.key)
                    try:
                        await answer_gate(client, gate, payload)
                    except NtroError:  # the gate closed (its workflow ended) while we answered
                        continue
            if result.done():
                break
            change = asyncio.ensure_future(client.wait_for_change(poll))
            await asyncio.wait({result, change}, return_when=asyncio.FIRST_COMPLETED)
            change.cancel()
            if result.done():
                if tracker is not None and on_steps is not None:
                    await _report(on_steps, await tracker.changes())
                break
        return result.result()
    finally:
        if not result.done():
            result.cancel()


async def _report(on_steps: Callable[[list[StepChange]], Awaitable[None] | None], changes: list[StepChange]) -> None:
    if changes:
        outcome = on_steps(changes)
        if outcome is not None:
            await outcome


def description_line(description: WorkflowDescription) -> str:
    """Return ``<workflow type> <id> <status in words>`` for messages."""
    return f"{description.workflow_type} {description.workflow_id} {description.status.in_words}"

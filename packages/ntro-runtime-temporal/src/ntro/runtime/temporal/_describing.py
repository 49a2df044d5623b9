"""A run on Temporal described for people: its tree of running children, its steps, and what it waits for.

``ntro workflow describe ID`` prints :func:`render` of the :func:`run_tree`
(``--json``: the tree's ``to_json``); :func:`waits_for` says in plain words
what a running workflow waits for, and the ``ntro workflow answer`` command
that answers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ntro.runtime.temporal._commands import utc_text

if TYPE_CHECKING:
    from ntro.runtime.protocol import WorkflowDescription
    from ntro.runtime.temporal._client import TemporalClient

__all__ = ["MAX_DEPTH", "STEP_MARKS", "RunNode", "render", "run_tree", "waits_for"]

STEP_MARKS = {"completed": "✓", "active": "▶", "pending": "·"}
"""How ``describe`` marks a step: done, under way, to come."""

MAX_DEPTH = 8
"""How deep ``describe`` follows running children."""


@attrs.frozen
class RunNode:
    """A run's description, with its running children described in turn."""

    description: WorkflowDescription
    children: tuple[RunNode, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The description as JSON-ready data, with ``running_children`` (what ``describe --json`` prints)."""
        data = self.description.to_json()
        data["running_children"] = [child.to_json() for child in self.children]
        return data


async def run_tree(client: TemporalClient, workflow_id: str) -> RunNode:
    """Describe the run and its running children (the client's one walk of a run), as a tree."""
    from ntro.client import RunWatcher

    descriptions = await RunWatcher(client, workflow_id).look()
    if workflow_id not in descriptions:  # say why, in the client's words (unknown id, unreachable server)
        await client.get_workflow_handle(workflow_id).describe()

    def node(wid: str, depth: int) -> RunNode:
        description = descriptions[wid]
        children = tuple(
            node(child.workflow_id, depth + 1)
            for child in description.children
            if child.status == "running" and child.workflow_id in descriptions and depth < MAX_DEPTH
        )
        return RunNode(description, children)

    return node(workflow_id, 0)


def waits_for(description: WorkflowDescription, root_id: str) -> str | None:
    """Say in plain words what a running workflow waits for, and how to answer it.

    Returns:
        ``waits for a review: ... (answer with: ntro workflow answer ROOT approve|reject)``,
        ``waits for an upload of SOURCE: ... (answer with: ... upload SOURCE FILE)``...;
        ``None`` for a finished run.
    """
    if description.status.finished:
        return None
    action = description.action
    if action is None:
        return "nothing to answer now" if description.steps else None
    kind = action.kind
    reason = action.reason or ""
    if kind == "interactive_review":
        return (
            f"waits for a review: {reason or 'approve or reject'} "
            f"(answer with: ntro workflow answer {root_id} approve|reject)"
        )
    if kind == "submit_file":
        source = action.slots[0].name or "a file"
        return (
            f"waits for an upload of {source}{f': {reason}' if reason else ''} "
            f"(answer with: ntro workflow answer {root_id} upload {source} FILE)"
        )
    if kind == "submit_files":
        listed = ", ".join(f"{s.name or 'a file'} ({s.status})" for s in action.slots)
        return (
            f"waits for uploads{f' ({reason})' if reason else ''}: {listed or 'none listed'} "
            f"(answer each with: ntro workflow answer {root_id} upload SOURCE FILE)"
        )
    if kind == "drill_down":
        return "waits for its child workflows"
    return f"waits for a {kind} action{f': {reason}' if reason else ''}"


def render(node: RunNode, root_id: str, indent: int = 0) -> list[str]:
    """Return the text lines ``ntro workflow describe`` prints for ``node`` and its running children."""
    d = node.description
    pad = "  " * indent
    lines: list[str] = []
    if indent == 0:
        where = f" on task queue {d.task_queue!r}" if d.task_queue else ""
        ended = f", ended {utc_text(d.close_time)}" if d.close_time is not None else ""
        lines.append(
            f"workflow {d.workflow_id} ({d.workflow_type}) {d.status.in_words}{where}, "
            f"started {utc_text(d.start_time)}{ended}"
        )
    for step in d.steps:
        lines.append(f"{pad}  {STEP_MARKS.get(step.status, '?')} {step.title}")
    if not d.status.finished and not d.steps and d.pending_action is None and not d.children:
        lines.append(f"{pad}  no runbook state (not an NtroWorkflow, or no worker answered its queries)")
    wait = waits_for(d, root_id)
    if wait:
        lines.append(f"{pad}  {wait}")
    if d.children:
        lines.append(f"{pad}  children:")
        described = {c.description.workflow_id: c for c in node.children}
        for child in d.children:
            sub = described.get(child.workflow_id)
            status = sub.description.status.value.lower().replace("_", " ") if sub is not None else child.status
            lines.append(f"{pad}    {child.workflow_id} ({child.slug}, step {child.step_id}): {status}")
            if sub is not None:
                lines += render(sub, root_id, indent + 2)
    return lines

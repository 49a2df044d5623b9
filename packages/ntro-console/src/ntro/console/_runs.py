"""What the run pages show, read through the client: a run's tree, its gates, its timeline, its outcome."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from ntro.client import RunWatcher, open_gates
from ntro.console._answers import AnswerRecord, Answers
from ntro.console._config import ConsoleConfig
from ntro.console._gates import GateView, gate_views
from ntro.runtime.protocol import StepState, WorkflowClient, WorkflowDescription, WorkflowStatus
from ntro.workflow.exceptions import NtroError, WorkflowFailedError, WorkflowNotFoundError

__all__ = ["RunNode", "RunPage", "RunRow", "TimelineEntry", "fingerprint", "list_runs", "load_run"]


@attrs.frozen
class RunNode:
    """A workflow of a run's tree: its description, what to call it, its children.

    Attributes:
        description: The workflow's description (steps, status...).
        slug: Its runbook's slug, when a loaded bundle has its class.
        label: What to call it on the page (a child: what sets it apart from its siblings).
        children: Its children, in the order they started.
    """

    description: WorkflowDescription
    slug: str | None
    label: str
    children: tuple[RunNode, ...] = ()

    @property
    def id(self) -> str:
        """The workflow id."""
        return self.description.workflow_id

    @property
    def steps(self) -> tuple[StepState, ...]:
        """Its breadcrumb."""
        return self.description.steps

    @property
    def active_step(self) -> StepState | None:
        """The step under way, if any."""
        return next((s for s in self.description.steps if s.status == "active"), None)


@attrs.frozen
class TimelineEntry:
    """One event of a run, for its timeline.

    Attributes:
        at: When it happened (UTC), if known.
        kind: ``start``, ``step``, ``answer``, ``child`` or ``end``.
        text: What happened, in words.
        workflow_id: The workflow it happened in.
        who: Who did it, for an answer.
        detail: More to show (a step's decision, an answer's note).
    """

    at: datetime | None
    kind: str
    text: str
    workflow_id: str
    who: str | None = None
    detail: str | None = None


@attrs.frozen
class RunPage:
    """Everything the run page shows.

    Attributes:
        root: The run's tree.
        gates: What it waits for from people, now.
        timeline: What happened, oldest first.
        result: The result, once it completed.
        error: Why it failed, once it did.
        fingerprint: Changes whenever anything on the page would.
    """

    root: RunNode
    gates: tuple[GateView, ...]
    timeline: tuple[TimelineEntry, ...]
    result: Any = None
    error: str | None = None
    fingerprint: str = ""

    @property
    def status(self) -> WorkflowStatus:
        """The run's status."""
        return self.root.description.status

    @property
    def finished(self) -> bool:
        """Whether the run has ended."""
        return self.status.finished

    def label_of(self, workflow_id: str) -> str:
        """What the page calls workflow ``workflow_id`` of the run (a child's label; the root's runbook)."""
        for node in _walk(self.root):
            if node.id == workflow_id:
                return node.label
        return workflow_id


@attrs.frozen
class RunRow:
    """A run of the runs page: its description and its runbook's slug."""

    description: WorkflowDescription
    slug: str | None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return _utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def fingerprint(descriptions: Mapping[str, WorkflowDescription]) -> str:
    """A digest of everything a run's page shows from its descriptions: it changes when the run moves."""
    data = [d.to_json() for d in descriptions.values()]
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _label(description: WorkflowDescription, parent: str | None, slug: str | None) -> str:
    wid = description.workflow_id
    if parent is not None and wid.startswith(parent + ":"):
        rest = wid[len(parent) + 1 :]
        return rest.replace(":", " · ")
    return slug or description.workflow_type


def _tree(
    root_id: str, descriptions: Mapping[str, WorkflowDescription], config: ConsoleConfig, parent: str | None = None
) -> RunNode:
    description = descriptions[root_id]
    slug = config.slug_of(description.workflow_type)
    children = tuple(
        _tree(c.workflow_id, descriptions, config, root_id)
        for c in description.children
        if c.workflow_id in descriptions
    )
    return RunNode(description, slug, _label(description, parent, slug), children)


async def _snapshots(client: WorkflowClient, workflow_id: str) -> Mapping[str, Any]:
    try:
        found = await client.get_workflow_handle(workflow_id).query("step_snapshots")
    except (NtroError, LookupError):
        return {}
    return found if isinstance(found, Mapping) else {}


def _decision_words(decision: Any) -> str | None:
    if not isinstance(decision, Mapping):
        return None
    kind = decision.get("kind")
    words = {"approve": "approved", "reject": "rejected"}.get(str(kind), str(kind) if kind else "answered")
    note = decision.get("note") or decision.get("reason")
    fixes = decision.get("corrections")
    if isinstance(fixes, list) and fixes:
        words += f" with {len(fixes)} correction(s)"
    return words + (f': "{note}"' if note else "")


async def _timeline(
    client: WorkflowClient, nodes: Sequence[RunNode], records: Sequence[AnswerRecord]
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    root = nodes[0]
    for node in nodes:
        d = node.description
        whose = "" if node is root else f"{node.label}: "
        if d.start_time is not None:
            text = "Run started" if node is root else f"Child {node.label} started"
            entries.append(TimelineEntry(_utc(d.start_time), "start" if node is root else "child", text, d.workflow_id))
        titles = {s.id: s.title for s in d.steps}
        for step_id, snapshot in (await _snapshots(client, d.workflow_id)).items():
            if not isinstance(snapshot, Mapping):
                continue
            entries.append(
                TimelineEntry(
                    _parse_time(snapshot.get("completed_at")),
                    "step",
                    f"{whose}{titles.get(step_id, step_id)} completed",
                    d.workflow_id,
                    detail=_decision_words(snapshot.get("decision")),
                )
            )
        if d.close_time is not None:
            text = f"Run {d.status.in_words}" if node is root else f"Child {node.label} {d.status.in_words}"
            entries.append(TimelineEntry(_utc(d.close_time), "end" if node is root else "child", text, d.workflow_id))
    for record in records:
        entries.append(
            TimelineEntry(
                _utc(record.at), "answer", f"{record.what}: {record.title}", record.workflow_id, record.who, record.note
            )
        )
    order = {"start": 0, "child": 1, "answer": 2, "step": 3, "end": 4}
    far = datetime.max.replace(tzinfo=UTC)
    entries.sort(key=lambda e: (e.at or far, order.get(e.kind, 5)))
    return entries


def _walk(node: RunNode) -> list[RunNode]:
    found = [node]
    for child in node.children:
        found += _walk(child)
    return found


async def load_run(client: WorkflowClient, root_id: str, config: ConsoleConfig, answers: Answers) -> RunPage:
    """Read run ``root_id`` (and its children) for its page.

    Raises:
        WorkflowNotFoundError: No run has that id.
    """
    descriptions = await RunWatcher(client, root_id).look()
    if root_id not in descriptions:
        await client.get_workflow_handle(root_id).describe()  # says why, in the engine's words
        raise WorkflowNotFoundError(f"no run with id {root_id!r}")
    root = _tree(root_id, descriptions, config)
    nodes = _walk(root)
    titles = {s.id: s.title for n in nodes for s in n.steps}
    # A description without the runbook's state (its query failed, or the run is no runbook) is asked again.
    known = {wid: d.pending_action for wid, d in descriptions.items() if d.steps}
    gates = gate_views(await open_gates(client, root_id, known=known), titles)
    timeline = await _timeline(client, nodes, answers.records([n.id for n in nodes]))
    result: Any = None
    error: str | None = None
    if root.description.status.finished:
        try:
            result = await client.get_workflow_handle(root_id).result()
        except WorkflowFailedError as exc:
            error = _failure(exc)
        except NtroError as exc:
            error = str(exc)
    return RunPage(root, tuple(gates), tuple(timeline), result, error, fingerprint(descriptions))


def _failure(exc: WorkflowFailedError) -> str:
    cause = exc.cause
    while isinstance(cause, WorkflowFailedError) and cause.cause is not None:
        cause = cause.cause
    text = getattr(cause, "message", None) or (str(cause) if cause is not None else "") or exc.message
    return str(text).strip().splitlines()[0] if str(text).strip() else exc.message


async def list_runs(
    client: WorkflowClient,
    config: ConsoleConfig,
    *,
    status: WorkflowStatus | None = None,
    runbook: str | None = None,
    limit: int = 200,
) -> list[RunRow]:
    """The top-level runs, newest first, filtered by status and runbook slug (children show on their run's page)."""
    rows = []
    for description in await client.list_workflows(status=status, limit=limit * 4):  # children are listed too
        if description.parent_workflow_id is not None:
            continue
        slug = config.slug_of(description.workflow_type)
        if runbook and runbook not in (slug, description.workflow_type):
            continue
        rows.append(RunRow(description, slug))
    return rows[:limit]

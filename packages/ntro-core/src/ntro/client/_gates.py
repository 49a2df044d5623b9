"""Reading what a run waits for from people, and answering it: the one place that does.

A runbook advertises its gates through the ``current_pending_action`` query
(ntro 0.1.2's shapes):

``submit_file``
    an upload, answered by the signal ``args.signal_name`` sent to
    ``args.signal_task_id`` (the workflow itself by default);
``submit_files``
    several uploads, one slot per expected source; each slot's
    ``args.signal_task_id`` is the child that takes it;
``interactive_review``
    an approve/reject/correct review, answered by the ``user_action`` signal;
``drill_down``
    nothing to answer here: the running children listed are asked instead.

:func:`open_gates` walks all of that, into children, and returns the gates
a person could answer now; :func:`answer_gate` sends an answer built by
:func:`review_answer` or :func:`upload_answer`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from ntro.runtime.protocol import WorkflowClient
from ntro.workflow.exceptions import NtroError

if TYPE_CHECKING:
    from ntro.documents import DocumentStore

__all__ = ["REVIEW_SIGNAL", "Gate", "answer_gate", "document_answer", "open_gates", "review_answer", "upload_answer"]

REVIEW_SIGNAL = "user_action"
"""The signal that answers an ``interactive_review`` (``NtroWorkflow.user_action``)."""

REVIEW_DECISIONS = ("approve", "reject")
"""The decisions a review takes."""


@attrs.frozen
class Gate:
    """One thing a run waits for a person to do.

    Attributes:
        workflow_id: The workflow that advertises it (a child, for a drill-down).
        kind: ``"submit_file"`` (an upload) or ``"interactive_review"``.
        signal_workflow_id: The workflow the answer is signalled to.
        signal_name: The signal that answers it.
        step_id: The step it belongs to, if known.
        reason: Why it is asked, for people.
        source: For an upload, the source asked for (``args.source``).
        pending: The pending action (or ``submit_files`` slot) it came from.
        key: Identifies the gate, so the same gate is never answered twice.
    """

    workflow_id: str
    kind: str
    signal_workflow_id: str
    signal_name: str
    step_id: str | None = None
    reason: str = ""
    source: str | None = None
    pending: Mapping[str, Any] = attrs.field(factory=dict)
    key: tuple[Any, ...] = ()

    @property
    def args(self) -> Mapping[str, Any]:
        """The action's ``args`` (empty for a review)."""
        args = self.pending.get("args")
        return args if isinstance(args, Mapping) else {}

    def describe(self) -> str:
        """Say in plain words what the gate asks for."""
        if self.kind == "interactive_review":
            return f"a review{f' of step {self.step_id}' if self.step_id else ''}: {self.reason or 'approve or reject'}"
        return f"an upload of {self.source or 'a file'}{f': {self.reason}' if self.reason else ''}"


async def _pending_of(client: WorkflowClient, workflow_id: str) -> Any:
    try:
        return await client.get_workflow_handle(workflow_id).query("current_pending_action")
    except (NtroError, LookupError):  # finished and gone, or not a runbook: nothing to answer there
        return None


def _upload_gate(workflow_id: str, pending: Mapping[str, Any], key: tuple[Any, ...]) -> Gate | None:
    args = pending.get("args")
    if not isinstance(args, Mapping) or not args.get("signal_name"):
        return None
    source = args.get("source")
    return Gate(
        workflow_id=workflow_id,
        kind="submit_file",
        signal_workflow_id=str(args.get("signal_task_id") or workflow_id),
        signal_name=str(args["signal_name"]),
        step_id=_str_or_none(pending.get("step_id")),
        reason=str(pending.get("reason") or pending.get("label") or pending.get("description") or ""),
        source=str(source) if source is not None else None,
        pending=dict(pending),
        key=key,
    )


def _str_or_none(value: Any) -> str | None:
    return str(value) if value is not None else None


async def open_gates(client: WorkflowClient, workflow_id: str, *, known: Mapping[str, Any] | None = None) -> list[Gate]:
    """Return the gates of ``workflow_id``, and of the children it drills down to, that a person can answer now.

    A ``submit_files`` slot whose child advertises nothing itself is
    returned as an upload gate built from the slot.

    Args:
        client: The client of the run.
        workflow_id: The workflow to start from (the root, usually).
        known: Pending actions already read, by workflow id (from
            descriptions); other workflows are asked with a query.
    """
    gates: list[Gate] = []
    seen: set[str] = set()

    async def visit(wid: str, slot: Gate | None) -> None:
        if wid in seen:
            return
        seen.add(wid)
        pending = known[wid] if known is not None and wid in known else await _pending_of(client, wid)
        if not isinstance(pending, Mapping):
            if slot is not None:
                gates.append(slot)
            return
        kind = pending.get("kind")
        token = pending.get("gate")
        if kind == "drill_down":
            for child in pending.get("children") or ():
                if isinstance(child, Mapping) and child.get("task_id"):
                    await visit(str(child["task_id"]), None)
        elif kind == "submit_files":
            config = (pending.get("display_hint") or {}).get("config") or {}
            for expected in config.get("expected") or ():
                if not isinstance(expected, Mapping) or expected.get("status", "pending") != "pending":
                    continue
                args = expected.get("args") or {}
                target = str(args.get("signal_task_id") or "")
                if not target:
                    continue
                slot_action = {**expected, "reason": expected.get("label") or pending.get("reason")}
                if pending.get("step_id") is not None:
                    slot_action["step_id"] = pending["step_id"]
                slot_gate = _upload_gate(wid, slot_action, ("slot", wid, token, target))
                await visit(target, slot_gate)
        elif kind == "submit_file":
            gate = _upload_gate(wid, pending, (wid, token, kind))
            if gate is not None:
                gates.append(gate)
        elif kind == "interactive_review":
            gates.append(
                Gate(
                    workflow_id=wid,
                    kind="interactive_review",
                    signal_workflow_id=wid,
                    signal_name=REVIEW_SIGNAL,
                    step_id=_str_or_none(pending.get("step_id")),
                    reason=str(pending.get("reason") or ""),
                    pending=dict(pending),
                    key=(wid, token, kind),
                )
            )

    await visit(workflow_id, None)
    return gates


def review_answer(
    decision: str, *, note: str | None = None, corrections: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Return the ``user_action`` payload that answers a review.

    Runbooks read ``kind`` (``"approve"`` or ``"reject"``), and
    ``corrections`` when they allow them.

    Raises:
        ValueError: ``decision`` is neither ``approve`` nor ``reject``.
    """
    if decision not in REVIEW_DECISIONS:
        raise ValueError(f"a review is answered with approve or reject, not {decision!r}")
    answer: dict[str, Any] = {"kind": decision}
    if note:
        answer["note"] = note
    if corrections:
        answer["corrections"] = [dict(c) for c in corrections]
    return answer


def upload_answer(
    gate: Gate, *, document_ref: str, filename: str | None = None, content_type: str | None = None
) -> dict[str, Any]:
    """Return the payload that answers upload ``gate`` with the document ``document_ref``.

    The shape runbooks read (ntro 0.1.2's ``DocumentSubmissionPayload``):
    ``document_ref``, ``filename``, ``content_type``, ``source``,
    ``tenant_slug`` and ``entity_slug``.
    """
    source = gate.source or gate.signal_name
    return {
        "document_ref": document_ref,
        "filename": filename or f"{source}-sample",
        "content_type": content_type or "application/octet-stream",
        "source": source,
        "tenant_slug": gate.args.get("tenant_id_or_slug"),
        "entity_slug": gate.args.get("entity_id_or_slug"),
    }


def document_answer(
    gate: Gate,
    data: bytes | str | os.PathLike[str] | IO[bytes],
    *,
    filename: str | None = None,
    content_type: str | None = None,
    store: DocumentStore | None = None,
) -> dict[str, Any]:
    """Put a document into the store, then return the payload that answers upload ``gate`` with its ref.

    The store is written before anything is sent, so an answer never points
    at nothing: send the payload with :func:`answer_gate`. ``ntro workflow
    answer ID upload SOURCE FILE`` and ``ntro workflow run --interactive``
    answer uploads this way. This call blocks while the document is written;
    from async code, run it with ``asyncio.to_thread``.

    Args:
        gate: An upload gate (``submit_file``).
        data: The document: a local file's path, its bytes, or a binary file object.
        filename: Its name (default: the path's name, or the file object's).
        content_type: Its media type (default: guessed from ``filename``).
        store: The store to put it into (default: :func:`ntro.documents.default_store`).

    Raises:
        ntro.documents.DocumentError: The document cannot be stored (too large,
            the store cannot be reached); nothing was written.
    """
    from ntro import documents

    if filename is None:
        named = data if isinstance(data, str | os.PathLike) else getattr(data, "name", None)
        filename = Path(named).name if isinstance(named, str | os.PathLike) and str(named) else None
    target = store if store is not None else documents.default_store()
    ref = target.put(data, filename, content_type)
    return upload_answer(
        gate,
        document_ref=ref,
        filename=filename,
        content_type=content_type or documents.guess_content_type(filename),
    )


async def answer_gate(client: WorkflowClient, gate: Gate, payload: Any) -> None:
    """Send ``payload`` as the answer to ``gate``.

    Raises:
        WorkflowNotFoundError: The workflow that takes the answer is not running.
    """
    await client.get_workflow_handle(gate.signal_workflow_id).signal(gate.signal_name, payload)

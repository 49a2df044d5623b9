"""Reading what a run waits for from people, and answering it: the one place that does.

A runbook advertises what it waits for through the ``current_pending_action``
query, read as a :class:`~ntro.client.PendingAction` (``submit_file``,
``submit_files``, ``interactive_review``, ``drill_down``). :func:`open_gates`
walks a run's pending actions, into the children they drill down to and the
upload slots they list, and returns the :class:`Gate` s a person could answer
now: each one located in the run's tree, with the signal that answers it.

Answers are built here, one builder each: :func:`review_answer` (with
:func:`correction`), :func:`upload_answer`, :func:`row_action`; which gate an
answer goes to is chosen by :func:`pick_reviews` and :func:`pick_upload`; and
:func:`answer_gate` sends it. An answer to a review carries the gate's
number, so the runbook takes one answer per review, however many people
press approve at the same moment (see ``NtroWorkflow.user_action``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from ntro.runtime.protocol import (
    REVIEW_DECISIONS,
    REVIEW_SIGNAL,
    ROW_ACTION,
    DisplayHint,
    HintAction,
    PendingAction,
    SignalTarget,
    UploadSlot,
    WorkflowClient,
)
from ntro.workflow.exceptions import NtroError

if TYPE_CHECKING:
    from ntro.documents import DocumentStore

__all__ = [
    "Gate",
    "GateClosedError",
    "GateNotFoundError",
    "answer_gate",
    "correction",
    "document_answer",
    "gate_is_open",
    "open_gates",
    "pick_reviews",
    "pick_upload",
    "review_answer",
    "row_action",
    "upload_answer",
]


class GateNotFoundError(NtroError, LookupError):
    """No open gate takes the answer (none of that kind, none of that source, or several): the message says which."""


class GateClosedError(NtroError):
    """The gate is no longer open: someone answered it already, or the run moved on."""


@attrs.frozen
class Gate:
    """One thing a run waits for a person to do: a pending action, located in the run's tree.

    Attributes:
        workflow_id: The workflow that advertises it (a child, for a drill-down).
        action: Its pending action (for a slot of ``submit_files``: the
            ``submit_files`` action of ``workflow_id``).
        signal: The signal that answers it, and the workflow that takes it.
        slot: For an upload: what it asks for (the ``submit_file``'s upload, or the slot).
        for_slot: For a child's own upload that fills a ``submit_files`` slot
            of its parent: the parent's slot gate (a console groups them by it).
    """

    workflow_id: str
    action: PendingAction
    signal: SignalTarget
    slot: UploadSlot | None = None
    for_slot: Gate | None = None

    @classmethod
    def of(cls, workflow_id: str, action: PendingAction | Mapping[str, Any]) -> Gate | None:
        """Return the gate ``action``, published by ``workflow_id``, opens there.

        ``None`` when it asks nothing of a person there: a drill-down, a
        ``submit_files`` (its slots are answered in its children, see
        :func:`open_gates`), an upload that names no signal.
        """
        parsed = PendingAction.parse(action)
        if parsed is None:
            return None
        if parsed.kind == "interactive_review":
            return cls(workflow_id, parsed, SignalTarget(REVIEW_SIGNAL, workflow_id))
        if parsed.kind == "submit_file":
            slot = parsed.slots[0]
            if slot.signal is not None:
                return cls(workflow_id, parsed, SignalTarget(slot.signal.name, slot.target or workflow_id), slot)
        return None

    @property
    def kind(self) -> str:
        """``"interactive_review"`` for a review, ``"submit_file"`` for an upload (a slot's too)."""
        return "interactive_review" if self.action.kind == "interactive_review" else "submit_file"

    @property
    def is_slot(self) -> bool:
        """Whether it is a slot of a ``submit_files`` whose child advertises nothing itself."""
        return self.action.kind == "submit_files"

    @property
    def signal_workflow_id(self) -> str:
        """The workflow the answer is signalled to."""
        return self.signal.workflow_id or self.workflow_id

    @property
    def signal_name(self) -> str:
        """The signal that answers it."""
        return self.signal.name

    @property
    def number(self) -> int | None:
        """The gate's number in its workflow (new for each gate the run opens), if published."""
        return self.action.gate

    @property
    def step_id(self) -> str | None:
        """The step it belongs to, if known."""
        return self.action.step_id

    @property
    def reason(self) -> str:
        """Why it is asked, for people (a slot's label first)."""
        slot = self.slot or UploadSlot(None, None)
        if self.kind == "interactive_review":
            texts: tuple[str | None, ...] = (self.action.reason,)
        elif self.is_slot:
            texts = (slot.label, self.action.reason, slot.description)
        else:
            texts = (self.action.reason, slot.label, slot.description)
        return next((t for t in texts if t), "")

    @property
    def source(self) -> str | None:
        """For an upload, the source asked for (``args.source``)."""
        return self.slot.source if self.slot is not None else None

    @property
    def upload_name(self) -> str:
        """The name of an upload (its source, else its signal's name), as people and ``answer upload SOURCE`` say it."""
        return self.source or self.signal_name

    @property
    def args(self) -> Mapping[str, Any]:
        """The upload's ``args`` (empty for a review)."""
        return self.slot.args if self.slot is not None else {}

    @property
    def display_hint(self) -> DisplayHint | None:
        """How to show it (a slot's is its ``submit_files``' ``MULTI_FILE_UPLOAD``)."""
        return self.action.display_hint

    @property
    def decisions(self) -> tuple[str, ...]:
        """A review's possible answers (approve and reject unless its hint lists its own ``actions``)."""
        return self.action.decisions

    @property
    def row_actions(self) -> tuple[HintAction, ...]:
        """What may be done to a review's rows while it is open (``edit_cell``, ``reject_row``...)."""
        return self.action.row_actions

    @property
    def pending(self) -> Mapping[str, Any]:
        """The pending action as published (for a slot, the slot with the reason and step it is asked for)."""
        if not self.is_slot or self.slot is None:
            return self.action.to_wire()
        view = {**self.slot.wire, "reason": self.slot.label or self.action.reason}
        if self.action.step_id is not None:
            view["step_id"] = self.action.step_id
        return view

    @property
    def key(self) -> tuple[Any, ...]:
        """Identifies the gate, so the same gate is never answered twice."""
        if self.is_slot:
            return ("slot", self.workflow_id, self.number, self.signal.workflow_id)
        return (self.workflow_id, self.number, self.kind)

    def describe(self) -> str:
        """Say in plain words what the gate asks for."""
        if self.kind == "interactive_review":
            return f"a review{f' of step {self.step_id}' if self.step_id else ''}: {self.reason or 'approve or reject'}"
        return f"an upload of {self.source or 'a file'}{f': {self.reason}' if self.reason else ''}"


async def _pending_of(client: WorkflowClient, workflow_id: str) -> PendingAction | None:
    try:
        return PendingAction.parse(await client.get_workflow_handle(workflow_id).query("current_pending_action"))
    except (NtroError, LookupError):  # finished and gone, or not a runbook: nothing to answer there
        return None


async def open_gates(
    client: WorkflowClient,
    workflow_id: str,
    *,
    known: Mapping[str, PendingAction | Mapping[str, Any] | None] | None = None,
) -> list[Gate]:
    """Return the gates of ``workflow_id``, and of the children it drills down to, that a person can answer now.

    A ``submit_files`` slot whose child advertises nothing itself is
    returned as an upload gate of the slot.

    Args:
        client: The client of the run.
        workflow_id: The workflow to start from (the root, usually).
        known: Pending actions already read, by workflow id (from
            descriptions); other workflows are asked with a query.
    """
    gates: list[Gate] = []
    seen: set[str] = set()

    async def visit(wid: str, slot_gate: Gate | None) -> None:
        if wid in seen:
            return
        seen.add(wid)
        action = (
            PendingAction.parse(known[wid]) if known is not None and wid in known else await _pending_of(client, wid)
        )
        if action is None:
            if slot_gate is not None:
                gates.append(slot_gate)
            return
        if action.kind == "drill_down":
            for child in action.children or ():
                if child.workflow_id:
                    await visit(child.workflow_id, None)
        elif action.kind == "submit_files":
            for slot in action.slots:
                if slot.status == "pending" and slot.target is not None:
                    in_parent = Gate(wid, action, slot.signal, slot) if slot.signal is not None else None
                    before = len(gates)
                    await visit(slot.target, in_parent)
                    for i in range(before, len(gates)):  # the child's own upload fills this slot
                        if gates[i].workflow_id == slot.target and gates[i].kind == "submit_file":
                            gates[i] = attrs.evolve(gates[i], for_slot=in_parent)
        else:
            gate = Gate.of(wid, action)
            if gate is not None:
                gates.append(gate)

    await visit(workflow_id, None)
    return gates


def _waiting_words(gates: Sequence[Gate]) -> str:
    return "; ".join(f"{g.describe()} (in {g.workflow_id})" for g in gates) or "nothing a person can answer now"


def pick_reviews(gates: Sequence[Gate], workflow_id: str) -> list[Gate]:
    """Return the open reviews among ``gates`` (those :func:`open_gates` found under ``workflow_id``).

    Raises:
        GateNotFoundError: No review is open; the message says what the run waits for instead.
    """
    picked = [g for g in gates if g.kind == "interactive_review"]
    if not picked:
        raise GateNotFoundError(f"workflow {workflow_id} has no review open; it waits for: {_waiting_words(gates)}")
    return picked


def pick_upload(gates: Sequence[Gate], workflow_id: str, source: str) -> Gate:
    """Return the one open upload of ``source`` (its source, or its signal's name) among ``gates``.

    Raises:
        GateNotFoundError: No upload of ``source`` is open (the message lists
            those that are, or what the run waits for), or several are (one
            per child: answer through the child's id).
    """
    uploads = [g for g in gates if g.kind == "submit_file"]
    picked = [g for g in uploads if source in (g.source, g.signal_name)]
    if not picked:
        open_sources = ", ".join(sorted({g.upload_name for g in uploads}))
        where = f"the uploads open are: {open_sources}" if uploads else f"it waits for: {_waiting_words(gates)}"
        raise GateNotFoundError(f"workflow {workflow_id} waits for no upload of {source!r}; {where}")
    if len(picked) > 1:
        ids = ", ".join(g.signal_workflow_id for g in picked)
        raise GateNotFoundError(
            f"{len(picked)} uploads of {source!r} are open (workflows {ids}); answer one at a time "
            "with its workflow id: ntro workflow answer CHILD_ID upload SOURCE FILE"
        )
    return picked[0]


def review_answer(
    decision: str,
    *,
    note: str | None = None,
    corrections: Sequence[Mapping[str, Any]] = (),
    decisions: Sequence[str] = REVIEW_DECISIONS,
) -> dict[str, Any]:
    """Return the ``user_action`` payload that answers a review: ``{kind, note?, corrections?}``.

    Runbooks read ``kind`` (``"approve"`` or ``"reject"``), and
    ``corrections`` (see :func:`correction`) when they allow them.

    Args:
        decision: The answer.
        note: A note for the runbook and the record.
        corrections: Changes to the reviewed rows.
        decisions: The answers the review takes (a gate's :attr:`Gate.decisions`).

    Raises:
        ValueError: ``decision`` is not one of ``decisions``.
    """
    if decision not in decisions:
        raise ValueError(f"a review is answered with {' or '.join(decisions)}, not {decision!r}")
    answer: dict[str, Any] = {"kind": decision}
    if note:
        answer["note"] = note
    if corrections:
        answer["corrections"] = [dict(c) for c in corrections]
    return answer


def correction(row_id: str, field: str, new_value: Any) -> dict[str, Any]:
    """Return one correction for :func:`review_answer`: row ``row_id``'s ``field`` becomes ``new_value``.

    The shape runbooks read: ``{line_item_id, field, new_value}``.
    """
    return {"line_item_id": row_id, "field": field, "new_value": new_value}


def row_action(
    action: str, *, row_id: str, field: str | None = None, value: Any = None, reason: str | None = None
) -> dict[str, Any]:
    """Return a row action for an open review: ``{"kind": "row_action", "payload": {action, row_id, ...}}``.

    Sent as the ``user_action`` signal (with :func:`answer_gate`), it goes
    to the runbook's ``on_row_action`` and leaves the review open.

    Args:
        action: ``"edit_cell"`` or ``"reject_row"`` (or another the review's
            :attr:`Gate.row_actions` offer).
        row_id: The row.
        field: For ``edit_cell``: the column.
        value: For ``edit_cell``: the new value.
        reason: Why, for ``reject_row``.
    """
    payload: dict[str, Any] = {"action": action, "row_id": row_id}
    if field is not None:
        payload["field"] = field
    if value is not None or action == "edit_cell":
        payload["value"] = value
    if reason:
        payload["reason"] = reason
    return {"kind": ROW_ACTION, "payload": payload}


def upload_answer(
    gate: Gate, *, document_ref: str, filename: str | None = None, content_type: str | None = None
) -> dict[str, Any]:
    """Return the payload that answers upload ``gate`` with the document ``document_ref``.

    The shape runbooks read (ntro 0.1.2's ``DocumentSubmissionPayload``):
    ``document_ref``, ``filename``, ``content_type`` (guessed from the file
    name when not given), ``source``, ``tenant_slug`` and ``entity_slug``.
    """
    from ntro.documents import guess_content_type

    source = gate.upload_name
    name = filename or f"{source}-sample"
    return {
        "document_ref": document_ref,
        "filename": name,
        "content_type": content_type or guess_content_type(name),
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


async def gate_is_open(client: WorkflowClient, gate: Gate) -> bool:
    """Whether ``gate`` is still open: its workflow still publishes it (same number), and a slot is still pending."""
    current = await _pending_of(client, gate.workflow_id)
    if current is None or current.kind != gate.action.kind or current.gate != gate.number:
        return False
    if gate.is_slot:
        return any(s.target == gate.signal.workflow_id and s.status == "pending" for s in current.slots)
    return True


async def answer_gate(client: WorkflowClient, gate: Gate, payload: Any, *, recheck: bool = False) -> Any:
    """Send ``payload`` as the answer to ``gate``; return what was sent.

    An answer to a review (or a row action for it) is sent with the gate's
    number (``"gate": N``): the runbook takes it only while that review is
    open, and takes one answer per review; a second is ignored.

    Args:
        client: The client of the run.
        gate: The gate, from :func:`open_gates`.
        payload: The answer (from :func:`review_answer`, :func:`upload_answer`, :func:`row_action`...).
        recheck: Look first whether the gate is still open (one query), and
            say so if not: for answers that may race with other people's.

    Raises:
        GateClosedError: ``recheck`` found the gate closed.
        WorkflowNotFoundError: The workflow that takes the answer is not running.
    """
    if recheck and not await gate_is_open(client, gate):
        raise GateClosedError(
            f"{gate.describe()} (workflow {gate.workflow_id}) is no longer open: it was answered already, "
            "or the run moved on"
        )
    if gate.kind == "interactive_review" and gate.number is not None and isinstance(payload, Mapping):
        payload = {**payload, "gate": gate.number}
    await client.get_workflow_handle(gate.signal_workflow_id).signal(gate.signal_name, payload)
    return payload

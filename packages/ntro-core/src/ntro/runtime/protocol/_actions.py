"""Pending actions: what a run waits for from a person, as typed records.

An ``NtroWorkflow`` publishes what it waits for through the
``current_pending_action`` query (and inside ``ntro_runbook_state``) as a
plain dict, in ntro 0.1.2's shapes. :class:`PendingAction` is that dict as a
record. The base class builds every dict it publishes through it, and every
reader (:mod:`ntro.client`'s gates, ``ntro workflow describe`` and
``answer``, ``ntro workflow run``, the harness, a console) reads one through
:meth:`PendingAction.from_wire`, so writer and readers cannot drift.

The four kinds (``kind``):

``submit_file``
    an upload: ``args`` name the signal that answers it (``signal_name``)
    and the workflow that takes it (``signal_task_id``), and usually the
    ``source`` asked for;
``submit_files``
    several uploads, one slot per expected source in the
    ``MULTI_FILE_UPLOAD`` hint's ``config.expected``, each taken by a child;
``interactive_review``
    approve or reject (with a note, and corrections where the runbook allows
    them), answered by the ``user_action`` signal; row actions may arrive
    while it is open;
``drill_down``
    nothing to answer here: the running ``children`` are asked instead.

Every gate a run opens carries ``gate``, a number new for each gate.

Nothing is lost in a round trip: keys the model does not know, and known
keys whose value it cannot read (a null, or a value of another type), are
kept as they came in ``extra``, so ``PendingAction.from_wire(w).to_wire() ==
w`` for every dict ``w``. Values the runbook owns (``payload``, ``args``, a
hint's ``config``) are shared, not copied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from ntro.runtime.protocol._hints import (
    _SKIP,
    DisplayHint,
    Feedback,
    HintAction,
    SignalTarget,
    UploadSlot,
    _of,
    _Record,
    _same,
)

__all__ = [
    "PENDING_ACTION_KINDS",
    "REVIEW_DECISIONS",
    "REVIEW_SIGNAL",
    "ROW_ACTION",
    "SLOT_STATUSES",
    "DrillChild",
    "PendingAction",
    "split_answer",
]

PENDING_ACTION_KINDS = ("submit_file", "submit_files", "interactive_review", "drill_down")
"""The kinds of pending action a runbook may advertise."""

REVIEW_SIGNAL = "user_action"
"""The signal that answers an ``interactive_review`` (``NtroWorkflow.user_action``)."""

REVIEW_DECISIONS = ("approve", "reject")
"""The answers a review takes when its display hint lists no ``actions`` of its own."""

REVIEW_TOOLS = ("ntro_task_approve", "ntro_task_reject")
"""The ``tools`` of a review (ntro 0.1.2's shape)."""

ROW_ACTION = "row_action"
"""The ``kind`` of a ``user_action`` that edits a review's rows without answering it."""

SLOT_STATUSES = ("pending", "completed", "failed")
"""The states of an upload slot of ``submit_files``."""

SLOT_SIGNAL = "document_submitted"
"""The signal ``collect_documents``' children take their upload by."""

ANSWER_GATE_KEY = "gate"
"""The key of a ``user_action`` that names the gate it answers (see :func:`split_answer`)."""


@attrs.frozen
class DrillChild(_Record):
    """A running child listed by a ``drill_down``.

    Attributes:
        workflow_id: The child's workflow id (``task_id``).
        step_id: The step that started it.
        slug: The runbook it runs.
        extra: Keys kept as they came.
    """

    _KEYS = (
        ("workflow_id", "task_id", _of(str), _same),
        ("step_id", "step_id", _of(str), _same),
        ("slug", "slug", _of(str), _same),
    )

    workflow_id: str | None = None
    step_id: str | None = None
    slug: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


def _texts(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else _SKIP


def _children(value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        return _SKIP
    return tuple(DrillChild.from_wire(v) for v in value)


def _record(kind: type[DisplayHint] | type[Feedback]) -> Callable[[Any], Any]:
    return lambda value: kind.from_wire(value) if isinstance(value, Mapping) else _SKIP


def _to_wire(record: Any) -> Any:
    return record.to_wire()


@attrs.frozen(kw_only=True)
class PendingAction(_Record):
    """What a workflow waits for from a person, as published by ``current_pending_action``.

    Read one with :meth:`from_wire`; a runbook's base class builds one with
    :meth:`review`, :meth:`advertised`, :meth:`uploads` or :meth:`drill_down`,
    and publishes :meth:`to_wire`.

    Attributes:
        kind: ``submit_file``, ``submit_files``, ``interactive_review`` or ``drill_down``.
        reason: Why it is asked, for people.
        step_id: The step it belongs to.
        gate: The gate's number: new for each gate the run opens.
        display_hint: How to show it.
        feedback: What the runbook last told the person (``set_user_feedback``).
        args: An upload's arguments (``signal_name``, ``signal_task_id``, ``source``...).
        payload: What a review shows (JSON data).
        tool: The agent tool that answers it, if named.
        tools: A review's agent tools.
        children: A drill-down's running children.
        extra: Keys kept as they came (see the module's notes).
    """

    kind: str | None = None
    reason: str | None = None
    step_id: str | None = None
    gate: int | None = None
    display_hint: DisplayHint | None = None
    feedback: Feedback | None = None
    args: Mapping[str, Any] | None = None
    payload: Any = None
    tool: str | None = None
    tools: tuple[str, ...] | None = None
    children: tuple[DrillChild, ...] | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    _KEYS = (
        ("kind", "kind", _of(str), _same),
        ("tool", "tool", _of(str), _same),
        ("tools", "tools", _texts, list),
        ("reason", "reason", _of(str), _same),
        ("args", "args", _of(Mapping), _same),
        ("payload", "payload", _of(object), _same),
        ("display_hint", "display_hint", _record(DisplayHint), _to_wire),
        ("children", "children", _children, lambda children: [c.to_wire() for c in children]),
        ("step_id", "step_id", _of(str), _same),
        ("feedback", "feedback", _record(Feedback), _to_wire),
        ("gate", "gate", _of(int), _same),
    )

    # -- reading -----------------------------------------------------------------------------
    @classmethod
    def parse(cls, value: Any) -> PendingAction | None:
        """Read a query's answer: a pending action, or ``None`` for anything else (no action, no runbook)."""
        if isinstance(value, PendingAction):
            return value
        return cls.from_wire(value) if isinstance(value, Mapping) else None

    @property
    def component(self) -> str | None:
        """The display hint's component, if any."""
        return self.display_hint.component if self.display_hint is not None else None

    @property
    def signal(self) -> SignalTarget | None:
        """The signal that answers it (``user_action`` for a review, ``args``' for an upload), else ``None``."""
        if self.kind == "interactive_review":
            return SignalTarget(REVIEW_SIGNAL)
        if self.kind == "submit_file":
            return SignalTarget.from_args(self.args or {})
        return None

    @property
    def slots(self) -> tuple[UploadSlot, ...]:
        """The uploads asked for (one for ``submit_file``, the hint's slots for ``submit_files``), else none."""
        if self.kind == "submit_file":
            texts = {k: self.extra[k] for k in ("label", "description") if k in self.extra}
            return (UploadSlot.of_action({**texts, "args": self.args or {}}),)
        if self.kind == "submit_files" and self.display_hint is not None:
            return self.display_hint.slots
        return ()

    @property
    def decisions(self) -> tuple[str, ...]:
        """A review's possible answers (its hint's ``actions`` kinds, else approve and reject); none for other kinds."""
        if self.kind != "interactive_review":
            return ()
        actions = self.display_hint.actions if self.display_hint is not None else ()
        return tuple(dict.fromkeys(a.kind for a in actions)) or REVIEW_DECISIONS

    @property
    def allow_corrections(self) -> bool:
        """Whether a review's answer may carry ``corrections``."""
        return (
            self.kind == "interactive_review" and self.display_hint is not None and self.display_hint.allow_corrections
        )

    @property
    def editable_columns(self) -> tuple[str, ...]:
        """The columns a review's corrections and ``edit_cell`` row actions may change (see :class:`DisplayHint`)."""
        if self.kind != "interactive_review" or self.display_hint is None:
            return ()
        return self.display_hint.editable_columns

    @property
    def row_actions(self) -> tuple[HintAction, ...]:
        """What may be done to a review's rows while it is open (``edit_cell``, ``reject_row``...)."""
        if self.kind != "interactive_review" or self.display_hint is None:
            return ()
        return self.display_hint.row_actions

    # -- building (the runbook's side) ------------------------------------------------------
    @classmethod
    def review(
        cls,
        *,
        payload: Any,
        display_hint: Mapping[str, Any] | None = None,
        reason: str | None = None,
        step_id: str | None = None,
        feedback: Mapping[str, Any] | None = None,
        gate: int | None = None,
    ) -> PendingAction:
        """An ``interactive_review`` of ``payload`` (``APPROVAL_FORM`` unless a hint is given).

        Its published dict always has ``payload`` and ``reason``, null or not.
        """
        hint: Any = display_hint or {"component": "APPROVAL_FORM", "config": {}}
        extra: dict[str, Any] = {k: None for k, v in (("payload", payload), ("reason", reason)) if v is None}
        if not isinstance(hint, Mapping):  # not a hint this model reads: published as it came
            extra["display_hint"] = hint
        return cls(
            kind="interactive_review",
            tools=REVIEW_TOOLS,
            payload=payload,
            display_hint=DisplayHint.from_wire(hint) if isinstance(hint, Mapping) else None,
            reason=reason,
            step_id=step_id,
            feedback=Feedback.from_wire(feedback) if feedback is not None else None,
            gate=gate,
            extra=extra,
        )

    @classmethod
    def advertised(
        cls,
        action: Mapping[str, Any],
        *,
        gate: int,
        display_hint: Mapping[str, Any] | None = None,
        feedback: Mapping[str, Any] | None = None,
        step_id: str | None = None,
    ) -> PendingAction:
        """A runbook's own ``action`` dict as published when its gate opens (``await_signal_with_action``).

        ``display_hint`` replaces the action's own when given (an upload
        without one shows ``FILE_UPLOAD``); ``feedback`` and ``step_id`` fill
        in what the action does not carry; ``gate`` numbers it.
        """
        wire = dict(action)
        if display_hint:
            wire["display_hint"] = display_hint
        elif wire.get("display_hint") is None and wire.get("kind") == "submit_file":
            wire["display_hint"] = {"component": "FILE_UPLOAD", "config": {}}
        if feedback is not None:
            wire.setdefault("feedback", feedback)
        if step_id is not None:
            wire.setdefault("step_id", step_id)
        wire["gate"] = gate
        return cls.from_wire(wire)

    @classmethod
    def uploads(
        cls,
        slots: Sequence[Mapping[str, Any]],
        *,
        title: str,
        instructions: str | None = None,
        actions: list[dict[str, Any]] | None = None,
        step_id: str | None = None,
        gate: int | None = None,
    ) -> PendingAction:
        """A ``submit_files`` of published ``slots`` (see :meth:`UploadSlot.wire_for`), as ``MULTI_FILE_UPLOAD``."""
        config: dict[str, Any] = {"title": title, "instructions": instructions, "expected": list(slots)}
        if actions is not None:
            config["actions"] = actions
        return cls(
            kind="submit_files",
            reason=f"{len(slots)} document(s) to upload",
            display_hint=DisplayHint("MULTI_FILE_UPLOAD", config),
            step_id=step_id,
            gate=gate,
        )

    def with_slot_status(self, index: int, status: str) -> PendingAction:
        """Return this ``submit_files`` with slot ``index`` in ``status`` (``completed`` or ``failed``)."""
        hint = self.display_hint
        expected = list(hint.config.get("expected") or ()) if hint is not None and hint.config is not None else []
        if hint is None or not 0 <= index < len(expected):
            return self
        expected[index] = {**expected[index], "status": status}
        return attrs.evolve(self, display_hint=hint.with_config(expected=expected))

    def with_feedback(self, feedback: Mapping[str, Any]) -> PendingAction:
        """Return this action showing ``feedback``, on itself and in its hint's config (ntro 0.1.2's places)."""
        hint = self.display_hint.with_config(feedback=feedback) if self.display_hint is not None else None
        return attrs.evolve(self, feedback=Feedback.from_wire(feedback), display_hint=hint)

    @classmethod
    def drill_down(cls, children: Sequence[DrillChild]) -> PendingAction:
        """A ``drill_down`` into running ``children``."""
        return cls(kind="drill_down", reason="waiting on child workflows", children=tuple(children))


def split_answer(action: Any) -> tuple[int | None, Any]:
    """Return the gate a ``user_action`` names (``{"kind": ..., "gate": N}``), and the answer without it.

    A client that answers a gate puts its number in the answer, so the
    runbook takes it only while that review is open and not yet answered;
    the runbook itself sees the answer without the number. An answer that
    names no gate (ntro 0.1.2's) comes back as it is, with ``None``.
    """
    if not isinstance(action, Mapping):
        return None, action
    number = action.get(ANSWER_GATE_KEY)
    if not isinstance(number, int) or isinstance(number, bool):
        return None, action
    return number, {k: v for k, v in action.items() if k != ANSWER_GATE_KEY}

"""What the pages show of a gate: views built from :mod:`ntro.client`'s typed gates, in one place.

Templates and routes never read a pending action: they get a
:class:`GateView`, made here from the :class:`~ntro.client.Gate` s that
:func:`~ntro.client.open_gates` returns. A gate's ``display_hint`` chooses
its partial template (:data:`PARTIALS`); an unknown component gets the
readable fallback and the generic answer for its kind (an upload, or
approve/reject with a note).

The upload slots of a ``MULTI_FILE_UPLOAD`` become one view with one file
input per pending slot, whichever workflow takes each file (the slot's
child, when it advertises its own upload).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ntro.client import Gate, PendingAction

__all__ = [
    "PARTIALS",
    "ChoiceView",
    "ColumnView",
    "FeedbackView",
    "GateView",
    "RowView",
    "SectionView",
    "SlotView",
    "TableView",
    "gate_id",
    "gate_views",
]

PARTIALS = {
    "FILE_UPLOAD": "gates/file_upload.html",
    "MULTI_FILE_UPLOAD": "gates/multi_file_upload.html",
    "DATA_TABLE": "gates/data_table.html",
    "APPROVAL_FORM": "gates/approval_form.html",
    "SUMMARY": "gates/summary.html",
    "REPORT_PREVIEW": "gates/report_preview.html",
}
"""The partial template of each display-hint component a gate may have."""

FALLBACK = "gates/fallback.html"
"""The partial of a component the console does not know."""

UPLOAD_COMPONENTS = ("FILE_UPLOAD", "MULTI_FILE_UPLOAD")
REVIEW_COMPONENTS = ("DATA_TABLE", "APPROVAL_FORM", "SUMMARY", "REPORT_PREVIEW")

_DEFAULT_CHOICES = (("approve", "Approve", True), ("reject", "Reject", False))


def gate_id(key: Iterable[Any]) -> str:
    """A short, stable id for a gate's key, for URLs and form fields."""
    return hashlib.sha256(repr(tuple(key)).encode()).hexdigest()[:20]


@attrs.frozen
class ChoiceView:
    """A button that answers a review: its decision (``approve``, ``reject``...), label and weight."""

    kind: str
    label: str
    primary: bool = False


@attrs.frozen
class ColumnView:
    """A column of a review table: its key, heading, and whether a person may correct it."""

    key: str
    label: str
    editable: bool = False


@attrs.frozen
class RowView:
    """One row of a review table.

    Attributes:
        id: The row's id (its ``id`` field, else its position).
        cells: The row's values, in the columns' order.
        doubtful: Its confidence is under the hint's warning threshold.
        rejected: It is marked rejected already (``status: rejected``).
    """

    id: str
    cells: tuple[Any, ...]
    doubtful: bool = False
    rejected: bool = False


@attrs.frozen
class TableView:
    """A table of a ``DATA_TABLE`` review.

    Attributes:
        key: Its name (form fields use it).
        label: Its heading.
        columns: Its columns.
        rows: Its rows.
        rejectable: Rows may be rejected (the hint offers ``reject_row``).
    """

    key: str
    label: str
    columns: tuple[ColumnView, ...]
    rows: tuple[RowView, ...]
    rejectable: bool = False

    @property
    def editable(self) -> bool:
        """Whether any cell may be corrected."""
        return any(c.editable for c in self.columns)


@attrs.frozen
class SectionView:
    """A part of a review's payload shown under its own heading (``summary``, ``table``, ``list`` or ``value``)."""

    label: str
    kind: str
    value: Any


@attrs.frozen
class SlotView:
    """One file asked for by an upload gate.

    Attributes:
        name: The source asked for (``bank-statement``), or the signal's name.
        label: What people read for it.
        status: ``pending``, ``completed`` or ``failed``.
        field: The form field its file goes in (``None`` when it takes no file now).
        accept: The file types it takes (``.csv``, ``text/csv``...); empty: any.
    """

    name: str
    label: str
    status: str
    field: str | None = None
    accept: tuple[str, ...] = ()

    @property
    def accept_attr(self) -> str:
        """The ``accept`` attribute of its file input."""
        return ",".join(self.accept)


@attrs.frozen
class FeedbackView:
    """What the runbook tells the person at the gate: a level (``info``, ``warning``, ``error``), a message, details."""

    level: str
    message: str
    details: Any = None


@attrs.frozen
class GateView:
    """One gate, as a page shows it.

    Attributes:
        id: Its id in URLs and forms.
        kind: ``upload`` or ``review``: what answers it.
        component: The display hint's component (``FILE_UPLOAD``...; ``""`` when it has none).
        template: The partial that renders it.
        workflow_id: The workflow that advertises it.
        number: The gate's number in that workflow.
        step_id: The step it belongs to.
        title: Its heading.
        reason: Why it is asked.
        subtitle: A line under the heading.
        instructions: What to do.
        feedback: What the runbook says at the gate, if anything.
        slots: For an upload: the files asked for.
        max_mb: For an upload: the largest file the runbook takes, in MB.
        payload: For a review: what is reviewed (JSON data).
        sections: For a review: the payload's parts the hint names.
        tables: For a ``DATA_TABLE``: its tables.
        choices: For a review: the answers offered.
        corrections: For a review: corrections go with an approval.
        row_edits: For a review: edited cells go as ``edit_cell`` row actions.
        gates: The :class:`~ntro.client.Gate` each form field answers (a
            review's own id, an upload slot's field), for the answering side.
    """

    id: str
    kind: str
    component: str
    template: str
    workflow_id: str
    number: int | None
    step_id: str | None
    title: str
    reason: str = ""
    subtitle: str = ""
    instructions: str = ""
    feedback: FeedbackView | None = None
    slots: tuple[SlotView, ...] = ()
    max_mb: float | None = None
    payload: Any = None
    sections: tuple[SectionView, ...] = ()
    tables: tuple[TableView, ...] = ()
    choices: tuple[ChoiceView, ...] = ()
    corrections: bool = False
    row_edits: bool = False
    gates: Mapping[str, Gate] = attrs.field(factory=dict, repr=False, eq=False)

    @property
    def known(self) -> bool:
        """Whether the console has a partial for its component (else it is shown plainly)."""
        return self.template != FALLBACK

    @property
    def pending_slots(self) -> tuple[SlotView, ...]:
        """The slots that take a file now."""
        return tuple(s for s in self.slots if s.field is not None)


def _feedback(action: PendingAction) -> FeedbackView | None:
    feedback = action.feedback
    if feedback is None and action.display_hint is not None:
        feedback = action.display_hint.feedback
    if feedback is None:
        return None
    payload = feedback.payload
    message = ""
    if isinstance(payload, Mapping):
        message = str(payload.get("message") or "")
        details = {k: v for k, v in payload.items() if k not in ("message", "rows")} or None
    else:
        details = payload
    return FeedbackView(feedback.level or "info", message or (feedback.kind or "").replace("_", " "), details)


def _template(component: str, kind: str) -> str:
    template = PARTIALS.get(component)
    if template is None:
        return FALLBACK
    if (kind == "upload") != (component in UPLOAD_COMPONENTS):  # a hint that does not fit the gate
        return FALLBACK
    return template


def _choices(gate: Gate) -> tuple[ChoiceView, ...]:
    hint = gate.display_hint
    actions = hint.actions if hint is not None else ()
    if actions:
        seen: dict[str, ChoiceView] = {}
        for action in actions:
            if action.kind in gate.decisions:
                seen.setdefault(action.kind, ChoiceView(action.kind, action.label, action.primary))
        if seen:
            return tuple(seen.values())
    return tuple(ChoiceView(k, label, primary) for k, label, primary in _DEFAULT_CHOICES if k in gate.decisions) or (
        tuple(ChoiceView(k, k.replace("_", " ").capitalize()) for k in gate.decisions)
    )


def _row_id(row: Mapping[str, Any], index: int) -> str:
    for key in ("id", "row_id", "line_item_id"):
        value = row.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    return str(index)


def _tables(gate: Gate) -> tuple[TableView, ...]:
    hint = gate.display_hint
    payload = gate.action.payload
    if hint is None or not isinstance(payload, Mapping):
        return ()
    editable = set(hint.editable_columns)
    row_kinds = {a.kind for a in gate.row_actions}
    rejectable = "reject_row" in row_kinds
    threshold = hint.config.get("confidence_warning_threshold") if hint.config is not None else None
    specs: list[tuple[str, str, str, Sequence[Any]]] = [(d.key, d.label, d.data_key, d.columns) for d in hint.datasets]
    if not specs:
        key = hint.data_key or next((k for k, v in payload.items() if _records(v)), None)
        if key is None:
            return ()
        specs = [(key, str(hint.title or key), key, hint.columns)]
    tables = []
    for key, label, data_key, declared in specs:
        records = payload.get(data_key)
        if not isinstance(records, list) or not _records(records):
            continue
        rows = [r for r in records if isinstance(r, Mapping)]
        if declared:
            columns = tuple(ColumnView(c.key, _label(c.label), c.key in editable) for c in declared)
        else:
            keys = list(dict.fromkeys(k for r in rows for k in r))
            columns = tuple(ColumnView(k, _label(k), k in editable) for k in keys)
        views = []
        for index, row in enumerate(rows):
            confidence = row.get("confidence")
            doubtful = (
                isinstance(threshold, (int, float))
                and isinstance(confidence, (int, float))
                and not isinstance(confidence, bool)
                and confidence < threshold
            )
            views.append(
                RowView(
                    _row_id(row, index),
                    tuple(row.get(c.key) for c in columns),
                    doubtful=bool(doubtful),
                    rejected=row.get("status") == "rejected",
                )
            )
        tables.append(TableView(key, label, columns, tuple(views), rejectable))
    return tuple(tables)


def _records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _label(text: str) -> str:
    return text.replace("_", " ").strip().capitalize() if text == text.lower() else text


def _sections(gate: Gate) -> tuple[SectionView, ...]:
    hint = gate.display_hint
    payload = gate.action.payload
    if hint is None or hint.config is None or not isinstance(payload, Mapping):
        return ()
    found = []
    for spec in hint.config.get("sections") or ():
        if isinstance(spec, Mapping) and isinstance(spec.get("key"), str) and spec["key"] in payload:
            label = spec.get("label") if isinstance(spec.get("label"), str) else _label(spec["key"])
            kind = spec.get("type") if spec.get("type") in ("summary", "table", "list") else "value"
            found.append(SectionView(str(label), str(kind), payload[spec["key"]]))
    return tuple(found)


def _view(gate: Gate, gid: str, kind: str, default: str, step_titles: Mapping[str, str], **rest: Any) -> GateView:
    """The view of ``gate``: what every gate shows (its hint's words, its step, its feedback), and ``rest``."""
    hint = gate.display_hint
    component = (hint.component if hint is not None else None) or ("FILE_UPLOAD" if kind == "upload" else "")
    return GateView(
        id=gid,
        kind=kind,
        component=component,
        template=_template(component, kind),
        workflow_id=gate.workflow_id,
        number=gate.number,
        step_id=gate.step_id,
        title=(hint.title if hint is not None else None) or step_titles.get(gate.step_id or "", "") or default,
        reason=gate.action.reason or "" if gate.is_slot else gate.reason,
        subtitle=(hint.subtitle if hint is not None else None) or "",
        instructions=(hint.instructions if hint is not None else None) or "",
        feedback=_feedback(gate.action),
        max_mb=hint.max_size_mb if hint is not None and kind == "upload" else None,
        **rest,
    )


def _review(gate: Gate, step_titles: Mapping[str, str]) -> GateView:
    gid = gate_id(gate.key)
    view = _view(gate, gid, "review", "Review", step_titles, gates={gid: gate})
    tables = _tables(gate) if view.template == PARTIALS["DATA_TABLE"] else ()
    return attrs.evolve(
        view,
        payload=gate.action.payload,
        sections=_sections(gate),
        tables=tables,
        choices=_choices(gate),
        corrections=gate.action.allow_corrections and any(t.editable for t in tables),
        row_edits=any(a.kind == "edit_cell" for a in gate.row_actions) and any(t.editable for t in tables),
    )


def _slot(gate: Gate, field: str | None, status: str = "pending") -> SlotView:
    slot = gate.slot
    hint = gate.display_hint
    name = gate.upload_name
    label = (slot.label if slot is not None else None) or gate.reason or name.replace("-", " ")
    accept = hint.accept if hint is not None else ()
    return SlotView(name, label, status, field, accept)


def _upload(gate: Gate, step_titles: Mapping[str, str]) -> GateView:
    gid = gate_id(gate.key)
    return _view(gate, gid, "upload", "Upload", step_titles, slots=(_slot(gate, gid),), gates={gid: gate})


def _slots(parent: Gate, members: Sequence[Gate], step_titles: Mapping[str, str]) -> GateView:
    """One view for a ``submit_files``: every slot, with a file input for each one open now."""
    hint = parent.display_hint
    by_target = {}
    for member in members:
        owner = member if member.is_slot else member.for_slot
        if owner is not None:
            by_target[owner.signal.workflow_id] = member
    slots = []
    gates: dict[str, Gate] = {}
    for slot in parent.action.slots:
        gate = by_target.get(slot.target)
        name = slot.name or "file"
        label = slot.label or slot.description or name.replace("-", " ")
        if gate is not None and slot.status == "pending":
            field = gate_id(gate.key)
            gates[field] = gate
            own = gate.display_hint if not gate.is_slot else None
            accept = (
                (own.accept if own is not None else ())
                or _slot_accept(slot.wire)
                or (hint.accept if hint is not None else ())
            )
            slots.append(SlotView(name, label, "pending", field, accept))
        else:
            slots.append(SlotView(name, label, slot.status if slot.status != "pending" else "waiting"))
    view = _view(parent, gate_id(("slots", parent.workflow_id, parent.number)), "upload", "Uploads", step_titles)
    return attrs.evolve(
        view, component="MULTI_FILE_UPLOAD", template=PARTIALS["MULTI_FILE_UPLOAD"], slots=tuple(slots), gates=gates
    )


def _slot_accept(wire: Mapping[str, Any]) -> tuple[str, ...]:
    accept = wire.get("accept")
    if isinstance(accept, str):
        return (accept,)
    return tuple(a for a in accept if isinstance(a, str)) if isinstance(accept, list) else ()


def gate_views(gates: Sequence[Gate], step_titles: Mapping[str, str] | None = None) -> list[GateView]:
    """Return what a page shows of ``gates`` (from :func:`~ntro.client.open_gates`), in their order.

    Args:
        gates: The open gates of a run.
        step_titles: Step titles by step id, for gates whose hint has no title.
    """
    titles = step_titles or {}
    views: list[GateView] = []
    groups: dict[tuple[str, int | None], tuple[Gate, list[Gate]]] = {}
    for gate in gates:
        owner = gate if gate.is_slot else gate.for_slot
        if owner is not None:
            group_key = (owner.workflow_id, owner.number)
            if group_key not in groups:
                groups[group_key] = (owner, [])
                views.append(GateView("", "", "", "", owner.workflow_id, owner.number, None, ""))  # placeholder
            groups[group_key][1].append(gate)
        elif gate.kind == "interactive_review":
            views.append(_review(gate, titles))
        else:
            views.append(_upload(gate, titles))
    for index, view in enumerate(views):
        if not view.id:
            owner, members = groups[(view.workflow_id, view.number)]
            views[index] = _slots(owner, members, titles)
    return views

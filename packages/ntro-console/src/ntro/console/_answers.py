"""Answering gates from the console: once each, checked, stored, logged, remembered for the timeline.

Every answer goes through :meth:`Answers.submit`:

1. it takes the lock of the gate (one answer at a time per gate in this process);
2. it refuses a gate this console answered already (and says who did, and when);
3. it reads the run's open gates again and refuses one that is no longer open
   (the gate number moved on: someone else answered it, or the run did);
4. it checks what was sent (a file of the type the gate takes, not empty, not
   too large; a decision the review offers) and builds the answer with
   :mod:`ntro.client`'s builders: uploads are put into the document store
   first (:mod:`ntro.documents`: the file's name is kept as metadata, never
   used as a path), so a signal never points at nothing;
5. it sends it, logs it on the ``ntro.console`` logger with who sent it, and
   keeps it for the run's timeline.

Reviews also carry their gate number (:func:`ntro.client.answer_gate` adds
it), so a runbook takes one answer per review even from two consoles.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

import attrs

from ntro.client import (
    Gate,
    answer_gate,
    correction,
    document_answer,
    open_gates,
    review_answer,
    row_action,
)
from ntro.console._gates import GateView, TableView, gate_views
from ntro.documents import DocumentError, DocumentStore, guess_content_type
from ntro.runtime.protocol import WorkflowClient
from ntro.workflow.exceptions import NtroError

__all__ = [
    "AlreadyAnsweredError",
    "AnswerError",
    "AnswerRecord",
    "Answers",
    "GateClosedError",
    "ReviewForm",
    "Upload",
    "cell_text",
]

_log = logging.getLogger("ntro.console")

_REMEMBERED = 10_000
"""How many answered gates the console remembers, to say who answered one."""


class AnswerError(NtroError, ValueError):
    """What was sent cannot answer the gate (a wrong file type, an empty file...); the message says why.

    Attributes:
        field: The form field at fault, if one is.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class GateClosedError(NtroError):
    """The gate is no longer open: the run moved on, ended, or someone answered it elsewhere."""


@attrs.frozen
class AnswerRecord:
    """One answer sent from the console.

    Attributes:
        at: When it was sent (UTC).
        who: Who sent it: the token's name, or ``local``.
        workflow_id: The workflow whose gate it answered.
        gate: The gate's number there.
        step_id: The step the gate belongs to.
        title: The gate's title.
        what: What was sent, in words (``approved``, ``uploaded bank.csv``...).
        note: The note that went with it.
    """

    at: datetime
    who: str
    workflow_id: str
    gate: int | None
    step_id: str | None
    title: str
    what: str
    note: str | None = None

    @classmethod
    def now(cls, who: str, gate: Gate, title: str, what: str, note: str | None = None) -> AnswerRecord:
        """A record of ``who`` answering ``gate`` now."""
        return cls(datetime.now(UTC), who, gate.workflow_id, gate.number, gate.step_id, title, what, note)

    @property
    def words(self) -> str:
        """The record in one line, for people."""
        note = f' ("{self.note}")' if self.note else ""
        return f"{self.who} {self.what}: {self.title}{note}"


class AlreadyAnsweredError(GateClosedError):
    """The gate was answered from this console already.

    Attributes:
        record: Who answered it, and when.
    """

    def __init__(self, record: AnswerRecord) -> None:
        super().__init__(
            f"already answered: {record.who} {record.what} at {record.at.strftime('%H:%M:%S')} UTC; "
            "nothing was sent again"
        )
        self.record = record


@attrs.frozen
class Upload:
    """A file sent in a form: its name (metadata only, never a path), media type and bytes."""

    filename: str
    content_type: str
    data: bytes


@attrs.frozen
class ReviewForm:
    """What a review form sent.

    Attributes:
        decision: The button pressed (``approve``, ``reject``...).
        note: The note typed.
        cells: Cell texts by ``(table, row, column)`` position in the review's tables.
        rejected: Rows ticked for rejection, as ``(table, row)`` positions.
    """

    decision: str
    note: str = ""
    cells: Mapping[tuple[int, int, int], str] = attrs.field(factory=dict)
    rejected: frozenset[tuple[int, int]] = frozenset()


def cell_text(value: Any) -> str:
    """How a cell's value is written in its input (and compared, to find what was changed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _typed(text: str, old: Any) -> Any:
    """The changed cell's value, of the old value's type where the text reads as one."""
    stripped = text.strip()
    if isinstance(old, bool):
        if stripped.lower() in ("true", "false"):
            return stripped.lower() == "true"
        return stripped
    if isinstance(old, int):
        try:
            return int(stripped)
        except ValueError:
            return stripped
    if isinstance(old, float):
        try:
            return float(stripped)
        except ValueError:
            return stripped
    return stripped if old is not None or stripped else None


def _changes(t: int, table: TableView, form: ReviewForm) -> list[tuple[str, str, Any, Any]]:
    """The cells of table ``t`` whose text differs from the row's value: (row id, column, new, old)."""
    found = []
    for r, row in enumerate(table.rows):
        for c, (column, value) in enumerate(zip(table.columns, row.cells, strict=True)):
            if not column.editable:
                continue
            text = form.cells.get((t, r, c))
            if text is not None and text.strip() != cell_text(value).strip():
                found.append((row.id, column.key, _typed(text, value), value))
    return found


def _accepts(accept: Sequence[str], filename: str, content_type: str) -> bool:
    if not accept:
        return True
    suffix = PurePath(filename).suffix.lower()
    guessed = guess_content_type(filename)
    for entry in accept:
        entry = entry.strip().lower()
        if entry.startswith("."):
            if suffix == entry:
                return True
        elif entry.endswith("/*"):
            if guessed.startswith(entry[:-1]) or content_type.lower().startswith(entry[:-1]):
                return True
        elif entry in (guessed, content_type.lower()):
            return True
    return False


def _size_words(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size:,} bytes"


class Answers:
    """The console's answering side, over one client.

    Args:
        client: The engine's client.
        documents: The document store uploads go into (``None``: the default store).
    """

    def __init__(self, client: WorkflowClient, documents: DocumentStore | None) -> None:
        self.client = client
        self.documents = documents
        self._locks: dict[str, asyncio.Lock] = {}
        self._done: OrderedDict[str, AnswerRecord] = OrderedDict()
        self._log: dict[str, list[AnswerRecord]] = {}

    def answered(self, key: str) -> AnswerRecord | None:
        """Who answered the gate (or upload slot) ``key`` from this console, if anyone did."""
        return self._done.get(key)

    def records(self, workflow_ids: Sequence[str]) -> list[AnswerRecord]:
        """The answers sent to the gates of ``workflow_ids``, oldest first."""
        found = [r for wid in workflow_ids for r in self._log.get(wid, ())]
        return sorted(found, key=lambda r: r.at)

    async def submit(
        self,
        root_id: str,
        view_id: str,
        who: str,
        *,
        review: ReviewForm | None = None,
        files: Mapping[str, Upload] = {},
    ) -> list[AnswerRecord]:
        """Answer the gate ``view_id`` of run ``root_id`` (a review, or uploads by form field).

        Raises:
            AlreadyAnsweredError: This console answered it already.
            GateClosedError: It is no longer open.
            AnswerError: What was sent cannot answer it; nothing was sent.
            WorkflowNotFoundError: The run does not exist.
        """
        lock = self._locks.setdefault(view_id, asyncio.Lock())
        async with lock:
            done = self._done.get(view_id)
            if done is not None:
                raise AlreadyAnsweredError(done)
            view = await self._open_view(root_id, view_id)
            if review is not None:
                if view.kind != "review":
                    raise AnswerError("this gate asks for files, not a decision")
                return [await self._review(view, review, who)]
            if view.kind != "upload":
                raise AnswerError("this gate is a review: answer it with its buttons")
            return await self._uploads(view, files, who)

    async def _open_view(self, root_id: str, view_id: str) -> GateView:
        gates = await open_gates(self.client, root_id)
        for view in gate_views(gates):
            if view.id == view_id:
                return view
        raise GateClosedError(
            "this gate is no longer open: it was answered elsewhere, or the run moved on "
            "(the page shows where it is now)"
        )

    def _remember(self, key: str, record: AnswerRecord) -> AnswerRecord:
        self._done[key] = record
        while len(self._done) > _REMEMBERED:
            self._done.popitem(last=False)
        self._log.setdefault(record.workflow_id, []).append(record)
        _log.info(
            "%s %s (workflow %s, gate %s, step %s)",
            record.who,
            record.what,
            record.workflow_id,
            record.gate,
            record.step_id,
        )
        return record

    async def _review(self, view: GateView, form: ReviewForm, who: str) -> AnswerRecord:
        gate = view.gates[view.id]
        if form.decision not in {c.kind for c in view.choices}:
            offered = " or ".join(c.kind for c in view.choices)
            raise AnswerError(f"this review is answered with {offered}, not {form.decision!r}")
        note = form.note.strip() or None
        messages: list[Any] = []
        corrections: list[dict[str, Any]] = []
        edits = 0
        if form.decision != "reject":
            for t, table in enumerate(view.tables):
                changes = _changes(t, table, form)
                edits += len(changes)
                for row_id, column, new, _old in changes:
                    if view.row_edits:
                        messages.append(row_action("edit_cell", row_id=row_id, field=column, value=new))
                    if view.corrections:
                        corrections.append(correction(row_id, column, new))
                if table.rejectable:
                    for r, row in enumerate(table.rows):
                        if (t, r) in form.rejected and not row.rejected:
                            messages.append(row_action("reject_row", row_id=row.id, reason=note))
        try:
            answer = review_answer(form.decision, note=note, corrections=corrections, decisions=gate.decisions)
        except ValueError as exc:
            raise AnswerError(str(exc)) from None
        for message in messages:
            await answer_gate(self.client, gate, message)
        await answer_gate(self.client, gate, answer)
        done = {"approve": "approved", "reject": "rejected"}.get(form.decision, f"answered {form.decision}")
        extra = []
        if edits:
            extra.append(f"{edits} cell(s) corrected")
        rejected = sum(1 for m in messages if m["payload"]["action"] == "reject_row")
        if rejected:
            extra.append(f"{rejected} row(s) rejected")
        return self._remember(
            view.id,
            AnswerRecord.now(
                who, view.gates[view.id], view.title, done + (f" with {', '.join(extra)}" if extra else ""), note
            ),
        )

    async def _uploads(self, view: GateView, files: Mapping[str, Upload], who: str) -> list[AnswerRecord]:
        slots = {s.field: s for s in view.pending_slots if s.field is not None}
        chosen = {f: files[f] for f in slots if f in files and (files[f].filename or files[f].data)}
        if not chosen:
            raise AnswerError("choose a file to upload first", field=next(iter(slots), None))
        for field, upload in chosen.items():
            slot = slots[field]
            done = self._done.get(field)
            if done is not None:
                raise AlreadyAnsweredError(done)
            name = upload.filename or "(no name)"
            if not upload.data:
                raise AnswerError(
                    f"{name} is empty (0 bytes); choose the file that holds the {slot.label}", field=field
                )
            if not _accepts(slot.accept, upload.filename, upload.content_type):
                raise AnswerError(
                    f"{name} is not a file this upload takes: it takes {', '.join(slot.accept)}", field=field
                )
            if view.max_mb is not None and len(upload.data) > view.max_mb * 2**20:
                raise AnswerError(
                    f"{name} is {_size_words(len(upload.data))}; this upload takes at most {view.max_mb:g} MB",
                    field=field,
                )
        records = []
        for field, upload in chosen.items():
            gate: Gate = view.gates[field]
            try:  # the store is written before the answer is sent: an answer never points at nothing
                payload = await asyncio.to_thread(
                    document_answer,
                    gate,
                    upload.data,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    store=self.documents,
                )
            except DocumentError as exc:
                raise AnswerError(f"{upload.filename} was not stored: {exc}", field=field) from None
            await answer_gate(self.client, gate, payload)
            what = f"uploaded {upload.filename} ({_size_words(len(upload.data))})"
            records.append(self._remember(field, AnswerRecord.now(who, gate, slots[field].label, what)))
        if all(s.field in chosen for s in view.pending_slots):
            self._done[view.id] = records[-1]
        return records

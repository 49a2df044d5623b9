"""expense-processor: collect expense rows (signalled rows or an uploaded CSV), categorise them,
review them with row actions (edit a cell, reject a row) while the gate is open, and commit the journal.

Workflow code only: no clock, no randomness, no file I/O here (the activities do
the I/O); time comes from ``runbook.now()``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ntro.workflow import IngestIssueSummary, IngestOutcome, IngestProgressSnapshot, NtroWorkflow, runbook

from .activities import categorise_row, commit_expenses, ingest_submitted_document
from .models import CommitInput, ExpenseProcessorContext, ExpenseReport, ExpenseRow

ACTIVITY_TIMEOUT = timedelta(minutes=2)
EDITABLE_COLUMNS = ("vendor", "description", "amount", "category", "date")


@runbook.defn
class ExpenseProcessorWorkflow(NtroWorkflow):
    """Process one period's expenses for an entity."""

    def __init__(self) -> None:
        super().__init__()
        self._incoming: list[dict[str, Any]] = []
        self._documents: list[dict[str, Any]] = []
        self._rows: list[ExpenseRow] = []
        self._row_seq = 0
        self._reviewing = False

    # -- signals ------------------------------------------------------------------------
    @runbook.signal
    async def data_submitted(self, payload: dict[str, Any]) -> None:
        """Rows arrive: ``{"rows": [{vendor, amount, date, ...}, ...]}`` or one row as a dict."""
        rows = payload.get("rows") if "rows" in payload else [payload]
        for row in rows or []:
            self._row_seq += 1
            record = dict(row)
            record.setdefault("id", f"ROW-{self._row_seq:03d}")
            record.setdefault("source", "data_submitted")
            self._incoming.append(record)

    @runbook.signal
    async def document_submitted(self, payload: dict[str, Any]) -> None:
        """An expense CSV was uploaded: ``payload["document_ref"]`` says where."""
        self._documents.append(dict(payload))

    # -- row actions while the review is open ---------------------------------------------
    def on_row_action(self, action: dict[str, Any]) -> None:
        """Apply ``edit_cell`` and ``reject_row`` (and ``restore_row``) while the review gate is open.

        The row action's fields are in its ``payload`` (as ``ntro.client.row_action`` sends them),
        or beside its ``kind``.
        """
        if not self._reviewing:
            return
        if isinstance(action.get("payload"), dict):
            action = action["payload"]
        op = action.get("action") or action.get("row_action")
        row_id = action.get("row_id") or action.get("expense_id") or action.get("id")
        if op == "edit_cell":
            self._edit(
                row_id, action.get("column") or action.get("field"), action.get("value", action.get("new_value"))
            )
        elif op in ("reject_row", "restore_row"):
            index = self._index(row_id)
            if index is not None:
                rejected = op == "reject_row"
                self._rows[index] = self._rows[index].model_copy(
                    update={
                        "status": "rejected" if rejected else "pending",
                        "reject_reason": (action.get("reason") or "rejected in review") if rejected else None,
                    }
                )
                self._feedback(f"{op.replace('_', ' ')}: {row_id}")
        else:
            self._feedback(f"unknown row action {op!r}; use edit_cell, reject_row or restore_row", level="warning")

    def _index(self, row_id: Any) -> int | None:
        index = next((i for i, row in enumerate(self._rows) if row.id == row_id), None)
        if index is None:
            self._feedback(f"no row {row_id!r}", level="warning")
        return index

    def _edit(self, row_id: Any, column: Any, value: Any) -> bool:
        index = self._index(row_id)
        if index is None:
            return False
        if column not in EDITABLE_COLUMNS:
            self._feedback(f"column {column!r} cannot be edited; editable: {', '.join(EDITABLE_COLUMNS)}", "warning")
            return False
        row = self._rows[index]
        edited = [*row.edited_fields, column] if column not in row.edited_fields else row.edited_fields
        update: dict[str, Any] = {column: value, "edited_fields": edited}
        if column == "category":
            update["gl_account"] = None  # re-derived from the category when committing
        try:
            self._rows[index] = ExpenseRow.model_validate({**row.model_dump(), **update})
        except ValidationError as exc:
            self._feedback(f"{row_id}: {column} {value!r} rejected ({exc.errors()[0]['msg']})", level="warning")
            return False
        self._feedback(f"edited {row_id}: {column} = {value!r}")
        return True

    def _feedback(self, message: str, level: str = "info") -> None:
        self.set_user_feedback(kind="row_action", payload={"message": message, "rows": self._table()}, level=level)

    def _table(self) -> list[dict[str, Any]]:
        return [row.model_dump(mode="json") for row in self._rows]

    # -- steps ----------------------------------------------------------------------------
    @runbook.step(name="collect", title="Collect expenses", icon="Inbox")
    async def _collect(self, ctx: ExpenseProcessorContext) -> int:
        root_task_id = runbook.info().workflow_id.split(":")[0]
        last_upload = IngestOutcome(message=f"Send {ctx.entity_slug}'s expenses: a CSV, or rows by API")
        while len(self._incoming) < ctx.min_rows:
            progress = IngestProgressSnapshot(accepted_rows=len(self._incoming), target_rows=ctx.min_rows)
            self.set_user_feedback(kind="ingest", payload=last_upload.model_copy(update={"progress": progress}))
            await self.await_signal_with_action(
                predicate=lambda: bool(self._documents) or len(self._incoming) >= ctx.min_rows,
                action={
                    "kind": "submit_file",
                    "reason": f"Send {ctx.entity_slug}'s expenses for {ctx.period} (a CSV, or rows by API)",
                    "args": {
                        "tenant_id_or_slug": ctx.tenant_slug,
                        "entity_id_or_slug": ctx.entity_slug,
                        "source": "expense-report",
                        "schema_slug": "expense-report",
                        "signal_task_id": runbook.info().workflow_id,
                        "signal_name": "document_submitted",
                    },
                },
                display_hint={
                    "component": "FILE_UPLOAD",
                    "config": {
                        "title": f"Expenses for {ctx.period}",
                        "instructions": "CSV with id, date, employee, vendor, description, amount, currency.",
                        "accept": [".csv"],
                        "max_size_mb": 10,
                        "multiple": False,
                    },
                },
                timeout=timedelta(hours=ctx.collect_timeout_hours),
            )
            while self._documents:
                doc = self._documents.pop(0)
                rows = await runbook.execute_activity(
                    ingest_submitted_document, args=[doc, root_task_id], start_to_close_timeout=ACTIVITY_TIMEOUT
                )
                self._incoming.extend(ExpenseRow.model_validate(row).model_dump(mode="json") for row in rows)
                name = str(doc.get("filename") or doc.get("document_ref"))
                last_upload = IngestOutcome.from_counts(
                    parsed_rows=len(rows),
                    accepted_rows=len(rows),
                    source_ref=name,
                    message=f"{name}: {len(rows)} row(s)",
                )
        return len(self._incoming)

    @runbook.step(name="categorise", title="Categorise", icon="Tags")
    async def _categorise(self) -> dict[str, int]:
        skipped = 0
        for record in self._incoming:
            try:
                row = ExpenseRow.model_validate(record)
            except ValidationError as exc:
                skipped += 1
                reason = str(exc.errors()[0]["msg"])
                outcome = IngestOutcome.from_counts(
                    parsed_rows=1,
                    accepted_rows=0,
                    source_ref=str(record.get("id") or "a row"),
                    message=f"row {record.get('id')!r} skipped: {reason}",
                    reasons=[IngestIssueSummary(reason=reason, count=1)],
                )
                self.set_user_feedback(kind="ingest", payload=outcome, level="warning")
                continue
            self._rows.append(
                await runbook.execute_activity(categorise_row, row, start_to_close_timeout=ACTIVITY_TIMEOUT)
            )
        self._incoming = []
        return {"categorised": len(self._rows), "skipped": skipped}

    @runbook.step(name="review", title="Review expenses", icon="Table")
    async def _review(self, ctx: ExpenseProcessorContext) -> dict[str, Any]:
        total = sum((row.amount for row in self._rows), Decimal(0))
        flagged = [row.id for row in self._rows if row.needs_second_approval]
        self._reviewing = True
        try:
            decision = await self.wait_for_action(
                payload={"period": ctx.period, "rows": self._table(), "total": str(total), "flagged": flagged},
                display_hint={
                    "component": "DATA_TABLE",
                    "config": {
                        "title": f"Expenses for {ctx.period}",
                        "data_key": "rows",
                        "columns": ["id", "date", "employee", "vendor", "description", "amount", "category"],
                        "row_actions": [
                            {"kind": "edit_cell", "label": "Edit", "columns": list(EDITABLE_COLUMNS)},
                            {"kind": "reject_row", "label": "Reject"},
                            {"kind": "restore_row", "label": "Restore"},
                        ],
                        "footer_actions": [
                            {"kind": "reject", "label": "Reject all"},
                            {"kind": "approve", "label": "Approve", "primary": True},
                        ],
                        "allow_corrections": True,
                    },
                },
                reason=f"Review {len(self._rows)} expenses totalling {total}"
                + (f"; {len(flagged)} over the approval limit" if flagged else ""),
            )
        finally:
            self._reviewing = False
        for fix in decision.get("corrections", []):
            self._edit(
                fix.get("expense_id") or fix.get("id") or fix.get("line_item_id"),
                fix.get("field"),
                fix.get("new_value"),
            )
        return decision

    @runbook.step(name="commit", title="Commit the journal", icon="BookCheck")
    async def _commit(self, ctx: ExpenseProcessorContext, approval: dict[str, Any]) -> ExpenseReport:
        approved = approval.get("kind", "approve") != "reject"
        return await runbook.execute_activity(
            commit_expenses,
            CommitInput(
                period=ctx.period,
                entity_slug=ctx.entity_slug,
                rows=self._rows,
                approved=approved,
                reviewer_note=approval.get("reason") or approval.get("note"),
                committed_at=runbook.now().isoformat(),
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )

    @runbook.run
    async def run(self, ctx: ExpenseProcessorContext) -> ExpenseReport:
        """Collect, categorise, review and commit ``ctx.period``'s expenses."""
        ctx = ExpenseProcessorContext.model_validate(ctx)
        await self._collect(ctx)
        await self._categorise()
        approval = await self._review(ctx)
        return await self._commit(ctx, approval)

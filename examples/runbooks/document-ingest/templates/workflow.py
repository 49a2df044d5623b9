"""document-ingest: wait for an uploaded document, parse it, extract its lines, have them reviewed, commit.

Workflow code only: no clock, no randomness, no file I/O here (the activities do
the I/O); time comes from ``runbook.now()``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, WorkflowError, runbook

from .activities import commit_extraction, extract_fields, parse_document
from .models import (
    CommitInput,
    Correction,
    DocumentIngestInput,
    DocumentSubmission,
    ExtractedDocument,
    ExtractInput,
    IngestedDocument,
    ParsedDocument,
)

ACTIVITY_TIMEOUT = timedelta(minutes=5)
LOW_CONFIDENCE = 0.8


@runbook.defn
class DocumentIngestWorkflow(NtroWorkflow):
    """Ingest one document: upload, parse, extract, review (with corrections), commit."""

    def __init__(self) -> None:
        super().__init__()
        self._submission: dict[str, Any] | None = None

    @runbook.signal
    async def document_submitted(self, payload: dict[str, Any]) -> None:
        """The uploaded file is ready: ``payload`` says where (``document_ref``) and what it is."""
        self._submission = dict(payload)

    @runbook.step(name="await_submission", title="Upload the document", icon="Upload")
    async def _await_submission(self, ctx: DocumentIngestInput) -> DocumentSubmission:
        await self.await_signal_with_action(
            predicate=lambda: self._submission is not None,
            action={
                "kind": "submit_file",
                "reason": f"Upload the {ctx.source} for {ctx.entity_slug}" + (f" ({ctx.period})" if ctx.period else ""),
                "args": {
                    "tenant_id_or_slug": ctx.tenant_slug,
                    "entity_id_or_slug": ctx.entity_slug,
                    "source": ctx.source,
                    "schema_slug": ctx.schema_slug or ctx.source,
                    "signal_task_id": runbook.info().workflow_id,
                    "signal_name": "document_submitted",
                },
            },
            display_hint={
                "component": "FILE_UPLOAD",
                "config": {
                    "title": f"Upload the {ctx.source.replace('-', ' ')}",
                    "instructions": "A CSV or JSON export, as your bank or administrator sends it.",
                    "accept": [".csv", ".json"],
                    "max_size_mb": 50,
                    "multiple": False,
                },
            },
            timeout=timedelta(hours=ctx.upload_timeout_hours),
        )
        raw = dict(self._submission or {})
        if not raw.get("document_ref"):
            raise WorkflowError("the document_submitted signal carried no document_ref", non_retryable=True)
        raw["source"] = raw.get("source") or ctx.source
        if raw["source"] != ctx.source:
            raise WorkflowError(
                f"a {raw['source']} was submitted where a {ctx.source} was expected", non_retryable=True
            )
        return DocumentSubmission.model_validate(raw)

    @runbook.step(name="parse_document", title="Read the file", icon="FileText")
    async def _parse(self, submission: DocumentSubmission) -> ParsedDocument:
        return await runbook.execute_activity(parse_document, submission, start_to_close_timeout=ACTIVITY_TIMEOUT)

    @runbook.step(name="extract_fields", title="Extract the lines", icon="ScanText")
    async def _extract(self, parsed: ParsedDocument) -> ExtractedDocument:
        root_task_id = runbook.info().workflow_id.split(":")[0]
        return await runbook.execute_activity(
            extract_fields, ExtractInput(parsed=parsed, task_id=root_task_id), start_to_close_timeout=ACTIVITY_TIMEOUT
        )

    @runbook.step(name="review_extraction", title="Review the extraction", icon="Eye")
    async def _review(self, extracted: ExtractedDocument) -> dict[str, Any]:
        doubtful = [item.id for item in extracted.line_items if item.confidence < LOW_CONFIDENCE]
        return await self.wait_for_action(
            payload=extracted.model_dump(mode="json"),
            display_hint={
                "component": "DATA_TABLE",
                "config": {
                    "title": f"Check {extracted.filename}",
                    "subtitle": f"{len(extracted.line_items)} lines, total {extracted.total} {extracted.currency}",
                    "summary": {"low_confidence_lines": doubtful},
                    "datasets": [
                        {
                            "key": "lines",
                            "label": "Lines",
                            "data_key": "line_items",
                            "columns": [
                                {"key": "id", "label": "Line"},
                                {"key": "date", "label": "Date", "editable": True},
                                {"key": "description", "label": "Description", "editable": True},
                                {"key": "reference", "label": "Reference", "editable": True},
                                {"key": "amount", "label": "Amount", "type": "money", "editable": True},
                                {"key": "activity", "label": "Activity", "editable": True},
                                {"key": "confidence", "label": "Confidence"},
                                {"key": "issues", "label": "Issues"},
                            ],
                        }
                    ],
                    "allow_corrections": True,
                    "confidence_warning_threshold": LOW_CONFIDENCE,
                    "approve_label": "Commit",
                    "reject_label": "Reject",
                    "actions": [
                        {"kind": "reject", "label": "Reject"},
                        {"kind": "approve", "label": "Commit", "primary": True, "icon": "Check"},
                    ],
                },
            },
            reason=f"Check the {len(extracted.line_items)} lines extracted from {extracted.filename}"
            + (f"; {len(doubtful)} need a look" if doubtful else ""),
        )

    @runbook.step(name="commit", title="Commit", icon="CheckCircle")
    async def _commit(self, extracted: ExtractedDocument, decision: dict[str, Any]) -> IngestedDocument:
        approved = decision.get("kind", "approve") != "reject"
        corrections = [Correction.model_validate(c) for c in decision.get("corrections", [])]
        request = CommitInput(
            extracted=extracted,
            approved=approved,
            corrections=corrections,
            reviewer_note=decision.get("reason") or decision.get("note"),
            task_id=runbook.info().workflow_id.split(":")[0],
            committed_at=runbook.now().isoformat(),
        )
        return await runbook.execute_activity(commit_extraction, request, start_to_close_timeout=ACTIVITY_TIMEOUT)

    @runbook.run
    async def run(self, ctx: DocumentIngestInput) -> IngestedDocument:
        """Ingest one document described by ``ctx`` (a parent runbook passes a plain dict)."""
        ctx = DocumentIngestInput.model_validate(ctx)
        submission = await self._await_submission(ctx)
        parsed = await self._parse(submission)
        extracted = await self._extract(parsed)
        decision = await self._review(extracted)
        return await self._commit(extracted, decision)

"""Activities of the document-ingest runbook: read the file, extract the fields, commit the record.

All the I/O of the runbook happens here. Documents are small CSV or JSON files,
read through :mod:`ntro.documents`: ``document_ref`` is a ref of the document
store (``sha256:<hex>``, what ``ntro workflow answer ID upload SOURCE FILE``
sends), or ``sample:<name>`` for a sample shipped in ``data/samples/`` (what
``ntro workflow run`` and the harness send).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ntro import documents
from ntro.workflow import WorkflowError, activity

from .models import (
    CommitInput,
    DocumentSubmission,
    ExtractedDocument,
    ExtractInput,
    IngestedDocument,
    LineItem,
    ParsedDocument,
)

DATA = Path(__file__).parent / "data"
SAMPLES = DATA / "samples"


def _document(document_ref: str) -> tuple[documents.DocumentInfo, bytes]:
    """The document's name, type and size, and its bytes; a ref that will never resolve fails for good."""
    try:
        return documents.stat(document_ref, samples=SAMPLES), documents.read(document_ref, samples=SAMPLES)
    except documents.DocumentNotFoundError as exc:
        raise WorkflowError(str(exc), non_retryable=True) from None


def _schema(source: str) -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads((DATA / "schemas.json").read_text(encoding="utf-8"))
    if source not in schemas:
        raise WorkflowError(
            f"no extraction schema for source {source!r}; known sources: {', '.join(sorted(schemas))}",
            non_retryable=True,
        )
    return dict(schemas[source])


@activity.defn(name="document_ingest.parse_document")
async def parse_document(submission: DocumentSubmission) -> ParsedDocument:
    """Read the submitted CSV or JSON file into rows."""
    ref = submission.document_ref
    info, raw = _document(ref)
    text = raw.decode("utf-8-sig")
    source = submission.source
    # A bundled sample keeps its own name; an upload keeps the name it was uploaded under.
    stored = info.filename or ""
    filename = stored if ref.startswith(documents.SAMPLE_PREFIX) else (submission.filename or stored)
    digest = hashlib.sha256(raw).hexdigest()
    suffix = Path(stored or filename).suffix.lower()
    if suffix == ".json":
        data = json.loads(text)
        if not isinstance(data, dict):
            raise WorkflowError(f"{filename}: expected a JSON object at the top level", non_retryable=True)
        lines_key = str(_schema(source).get("lines_key", "lines")) if source else "lines"
        rows = data.get(lines_key, [])
        header = {k: v for k, v in data.items() if k != lines_key}
        return ParsedDocument(
            document_ref=ref, filename=filename, source=source, format="json", sha256=digest, header=header, rows=rows
        )
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
        return ParsedDocument(
            document_ref=ref, filename=filename, source=source, format="csv", sha256=digest, rows=rows
        )
    raise WorkflowError(f"{filename}: unsupported file type {suffix!r}; upload a .csv or .json", non_retryable=True)


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None


@activity.defn(name="document_ingest.extract_fields")
async def extract_fields(request: ExtractInput) -> ExtractedDocument:
    """Map the parsed rows onto line items with the source's schema, scoring each line."""
    parsed = request.parsed
    schema = _schema(parsed.source)
    if parsed.format not in schema["formats"]:
        raise WorkflowError(
            f"{parsed.filename}: a {parsed.source} must be {' or '.join(schema['formats'])}, not {parsed.format}",
            non_retryable=True,
        )
    columns: dict[str, str] = schema["columns"]
    items: list[LineItem] = []
    for n, row in enumerate(parsed.rows, start=1):
        issues = [f"missing {field}" for field in schema["required"] if not str(row.get(columns[field], "")).strip()]
        amount = _amount(row.get(columns["amount"], ""))
        if amount is None:
            issues.append("amount is not a number")
        reference = str(row.get(columns["reference"], "")).strip() or None
        if reference is None:
            issues.append("no reference")
        items.append(
            LineItem(
                id=f"L{n:03d}",
                date=str(row.get(columns["date"], "")),
                description=str(row.get(columns["description"], "")),
                reference=reference,
                amount=amount if amount is not None else Decimal(0),
                activity=row.get(columns["activity"]) if "activity" in columns else None,
                confidence=round(max(0.2, 1.0 - 0.3 * len(issues)), 2),
                issues=issues,
            )
        )
    fields = {k: parsed.header[k] for k in schema.get("header_fields", []) if k in parsed.header}
    if items:
        dates = sorted(i.date for i in items if i.date)
        if dates:
            fields.setdefault("first_date", dates[0])
            fields.setdefault("last_date", dates[-1])
    currency = str(parsed.header.get("currency") or schema.get("currency") or "USD")
    return ExtractedDocument(
        document_ref=parsed.document_ref,
        filename=parsed.filename,
        source=parsed.source,
        doc_type=schema["doc_type"],
        currency=currency,
        fields=fields,
        line_items=items,
        total=sum((i.amount for i in items), Decimal(0)),
        min_confidence=min((i.confidence for i in items), default=1.0),
    )


_EDITABLE = {"date", "description", "reference", "amount", "activity"}


@activity.defn(name="document_ingest.commit_extraction")
async def commit_extraction(request: CommitInput) -> IngestedDocument:
    """Apply the reviewer's corrections and return the committed record with its checksum.

    A rejected review commits nothing: the record comes back with status
    ``rejected`` and no line items.
    """
    doc = request.extracted
    base = {
        "document_ref": doc.document_ref,
        "filename": doc.filename,
        "source": doc.source,
        "doc_type": doc.doc_type,
        "currency": doc.currency,
        "reviewer_note": request.reviewer_note,
        "task_id": request.task_id,
        "committed_at": request.committed_at,
    }
    if not request.approved:
        return IngestedDocument(**base, status="rejected", fields=doc.fields, line_count=0, total=Decimal(0))
    items = {item.id: item.model_dump() for item in doc.line_items}
    fields = dict(doc.fields)
    for fix in request.corrections:
        if fix.line_item_id is None:
            fields[fix.field] = fix.new_value
            continue
        if fix.line_item_id not in items:
            raise WorkflowError(f"correction names unknown line item {fix.line_item_id!r}", non_retryable=True)
        if fix.field not in _EDITABLE:
            raise WorkflowError(
                f"line items' {fix.field!r} cannot be corrected; editable: {', '.join(sorted(_EDITABLE))}",
                non_retryable=True,
            )
        item = items[fix.line_item_id]
        item[fix.field] = fix.new_value
        item["confidence"] = 1.0
        item["issues"] = []
    lines = [LineItem.model_validate(item) for item in items.values()]
    currency = str(fields.get("currency", doc.currency))
    canonical = json.dumps(
        {"fields": fields, "lines": [line.model_dump(mode="json") for line in lines]}, sort_keys=True, default=str
    )
    return IngestedDocument(
        **{**base, "currency": currency},
        status="committed",
        fields=fields,
        line_items=lines,
        line_count=len(lines),
        total=sum((line.amount for line in lines), Decimal(0)),
        corrections_applied=len(request.corrections),
        checksum=hashlib.sha256(canonical.encode()).hexdigest(),
    )

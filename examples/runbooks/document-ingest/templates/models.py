"""Models of the document-ingest runbook: its input, the submitted file, what is extracted, what is committed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class DocumentIngestInput(BaseModel):
    """What a caller (a person, or a parent runbook) asks to be ingested."""

    model_config = ConfigDict(extra="ignore")

    tenant_slug: str = "demo-tenant"
    entity_slug: str = "demo-fund"
    source: str = Field(default="bank-statement", description="Which kind of document: a key of data/schemas.json")
    period: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    schema_slug: str | None = None
    upload_timeout_hours: int = Field(default=24, gt=0)


class DocumentSubmission(BaseModel):
    """The payload of the ``document_submitted`` signal: which document was uploaded."""

    model_config = ConfigDict(extra="allow")

    document_ref: str = Field(
        description="A document store ref (sha256:<hex>, see ntro.documents), or 'sample:<name>' for a bundled sample"
    )
    filename: str = ""
    content_type: str = "application/octet-stream"
    source: str = ""
    tenant_slug: str | None = None
    entity_slug: str | None = None


class ParsedDocument(BaseModel):
    """A submitted file read into rows (CSV) or a header plus rows (JSON)."""

    document_ref: str
    filename: str
    source: str
    format: Literal["csv", "json"]
    sha256: str
    header: dict[str, Any] = Field(default_factory=dict)
    rows: list[dict[str, Any]] = Field(default_factory=list)


class ExtractInput(BaseModel):
    """Input of the extract_fields activity."""

    parsed: ParsedDocument
    task_id: str


class LineItem(BaseModel):
    """One extracted line: a bank transaction, or one investor's capital activity."""

    id: str
    date: str
    description: str
    reference: str | None = None
    amount: Decimal
    activity: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    issues: list[str] = Field(default_factory=list)


class ExtractedDocument(BaseModel):
    """The structured result of extraction, shown to a reviewer."""

    document_ref: str
    filename: str
    source: str
    doc_type: str
    currency: str
    fields: dict[str, Any] = Field(default_factory=dict)
    line_items: list[LineItem]
    total: Decimal
    min_confidence: float


class Correction(BaseModel):
    """A reviewer's change: a line item's field (``line_item_id`` set) or a header field."""

    model_config = ConfigDict(extra="ignore")

    line_item_id: str | None = None
    field: str
    new_value: Any
    old_value: Any = None


class CommitInput(BaseModel):
    """Input of the commit_extraction activity."""

    extracted: ExtractedDocument
    approved: bool
    corrections: list[Correction] = Field(default_factory=list)
    reviewer_note: str | None = None
    task_id: str
    committed_at: str


class IngestedDocument(BaseModel):
    """The runbook's result: the committed (or rejected) record of one document."""

    document_ref: str
    filename: str
    source: str
    doc_type: str
    status: Literal["committed", "rejected"]
    currency: str
    fields: dict[str, Any] = Field(default_factory=dict)
    line_items: list[LineItem] = Field(default_factory=list)
    line_count: int
    total: Decimal
    corrections_applied: int = 0
    checksum: str | None = None
    reviewer_note: str | None = None
    task_id: str
    committed_at: str

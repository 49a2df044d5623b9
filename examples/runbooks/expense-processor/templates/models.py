"""Models of the expense-processor runbook."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ExpenseProcessorContext(BaseModel):
    """Whose expenses, for which month, and how long to wait for them."""

    model_config = ConfigDict(extra="forbid")

    tenant_slug: str = "demo-tenant"
    entity_slug: str = "demo-fund"
    period: str = Field(default="2026-10", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    min_rows: int = Field(default=1, ge=1, description="Collect until at least this many rows have arrived")
    collect_timeout_hours: int = Field(default=72, gt=0)


class ExpenseRow(BaseModel):
    """One expense line, as submitted and then categorised and reviewed."""

    model_config = ConfigDict(extra="ignore")

    id: str
    date: str
    employee: str = ""
    vendor: str
    description: str = ""
    amount: Decimal
    currency: str = "USD"
    source: str = "data_submitted"
    category: str | None = None
    gl_account: str | None = None
    needs_second_approval: bool = False
    status: Literal["pending", "rejected"] = "pending"
    reject_reason: str | None = None
    edited_fields: list[str] = Field(default_factory=list)


class JournalLine(BaseModel):
    """One line of the accrual journal the approved expenses produce."""

    account: str
    description: str
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)


class CommitInput(BaseModel):
    """Input of the commit_expenses activity."""

    period: str
    entity_slug: str
    rows: list[ExpenseRow]
    approved: bool
    reviewer_note: str | None = None
    committed_at: str


class ExpenseReport(BaseModel):
    """The runbook's result."""

    period: str
    entity_slug: str
    status: Literal["committed", "rejected"]
    approved_count: int
    rejected_count: int
    total_approved: Decimal
    by_category: dict[str, Decimal]
    journal: list[JournalLine]
    rejected: list[ExpenseRow]
    reviewer_note: str | None = None
    committed_at: str

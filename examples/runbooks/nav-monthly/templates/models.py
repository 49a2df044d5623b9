"""Models of the nav-monthly runbook."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class NavMonthlyContext(BaseModel):
    """Which fund and month to close. Every field has a default, so the demo runs with no input."""

    model_config = ConfigDict(extra="forbid")

    tenant_slug: str = "demo-tenant"
    entity_slug: str = "demo-fund"
    period: str = Field(default="2026-10", pattern=PERIOD_PATTERN, description="The month to close, YYYY-MM")
    sources: list[str] = Field(
        default_factory=lambda: ["bank-statement", "investor-notice"],
        description="One document-ingest child per source",
    )
    tb_timeout_hours: int = Field(default=48, gt=0, description="How long to wait for the trial balance")


class OpenPeriodInput(BaseModel):
    """Input of the open_period activity."""

    entity_slug: str
    period: str


class PeriodOpened(BaseModel):
    """An opened period: the fund, its dates and its opening NAV (the previous period's close)."""

    entity_slug: str
    fund_name: str
    base_currency: str
    period: str
    previous_period: str
    start_date: str
    end_date: str
    opening_nav: Decimal


class TrialBalanceInput(BaseModel):
    """Input of the check_trial_balance activity."""

    document_ref: str
    period: str
    opening_nav: Decimal


class TrialBalanceCheck(BaseModel):
    """What the starting trial balance says, and whether it holds together."""

    document_ref: str
    account_count: int
    total_debits: Decimal
    total_credits: Decimal
    difference: Decimal
    balanced: bool
    total_assets: Decimal
    total_liabilities: Decimal
    net_assets: Decimal
    matches_opening_nav: bool


class DocumentSummary(BaseModel):
    """The part of a committed document-ingest record that the NAV needs."""

    model_config = ConfigDict(extra="ignore")

    source: str
    doc_type: str
    status: str
    filename: str = ""
    line_count: int = 0
    total: Decimal = Decimal(0)
    checksum: str | None = None


class IngestedSource(DocumentSummary):
    """A committed document-ingest record with its lines, as the roll-forward reads it."""

    line_items: list[dict[str, Any]] = Field(default_factory=list)


class RollForwardInput(BaseModel):
    """Input of the roll_forward_nav activity."""

    opening_nav: Decimal
    documents: list[IngestedSource]


class NavRollForward(BaseModel):
    """Opening NAV to closing NAV, by kind of movement."""

    opening_nav: Decimal
    capital: Decimal
    income: Decimal
    expenses: Decimal
    closing_nav: Decimal
    nav_change_pct: Decimal
    exceptions: list[str] = Field(default_factory=list)


class ClosePeriodInput(BaseModel):
    """Input of the close_period activity."""

    entity_slug: str
    period: str
    closing_nav: Decimal
    closed_at: str


class PeriodClosed(BaseModel):
    """The closed period, as the period store would record it."""

    entity_slug: str
    period: str
    status: Literal["closed"]
    closing_nav: Decimal
    closed_at: str
    next_period: str


class PeriodSummary(BaseModel):
    """The runbook's result."""

    period: str
    entity_slug: str
    fund_name: str
    base_currency: str
    status: Literal["closed", "rejected"]
    opening_nav: Decimal
    closing_nav: Decimal
    nav_change_pct: Decimal
    trial_balance_balanced: bool
    trial_balance_matches_opening_nav: bool
    documents: list[DocumentSummary]
    exceptions: list[str] = Field(default_factory=list)
    decision: str
    reviewer_note: str | None = None
    completed_at: str

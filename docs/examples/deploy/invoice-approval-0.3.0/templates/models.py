"""Models of the invoice-approval runbook."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel


class Invoice(BaseModel):
    """The invoice to pay. Every field has a default, so the runbook runs with no input."""

    number: str = "INV-1001"
    vendor: str = "acme-paper"
    amount: Decimal = Decimal("1250.00")
    currency: str = "EUR"


class Vendor(BaseModel):
    """A known vendor and the amount it may be paid without a person's approval."""

    slug: str
    name: str
    approval_limit: Decimal


class Outcome(BaseModel):
    """What became of the invoice."""

    number: str
    status: Literal["paid", "rejected"]
    payment_ref: str | None = None

"""Activities of the invoice-approval runbook: every bit of its I/O."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from ntro.workflow import WorkflowError, activity

from .models import Invoice, Vendor

VENDORS = Path(__file__).parent / "data" / "vendors.json"


@activity.defn(name="invoice_approval.check_vendor")
async def check_vendor(invoice: Invoice) -> Vendor:
    """Look the invoice's vendor up in the vendor list."""
    vendors = json.loads(VENDORS.read_text(encoding="utf-8"))
    if invoice.vendor not in vendors:
        raise WorkflowError(f"unknown vendor {invoice.vendor!r}", type="UnknownVendor", non_retryable=True)
    known = vendors[invoice.vendor]
    return Vendor(slug=invoice.vendor, name=known["name"], approval_limit=Decimal(known["approval_limit"]))


@activity.defn(name="invoice_approval.pay")
async def pay(invoice: Invoice) -> str:
    """Pay the invoice and return the payment's reference (a real runbook calls the bank here).

    0.3.0: the reference names the vendor too.
    """
    return f"PAY-{invoice.vendor.upper()}-{invoice.number}"

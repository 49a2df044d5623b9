"""invoice-approval: check the vendor, have a person approve a large amount, pay."""

from __future__ import annotations

from datetime import timedelta

from ntro.workflow import NtroWorkflow, runbook

from .activities import check_vendor, pay
from .models import Invoice, Outcome, Vendor

TIMEOUT = timedelta(seconds=30)


@runbook.defn
class InvoiceApprovalWorkflow(NtroWorkflow):
    """Pay an invoice; above the vendor's limit, only once a person approves."""

    @runbook.step(name="check_vendor", title="Check the vendor", icon="Search")
    async def _check_vendor(self, invoice: Invoice) -> Vendor:
        return await runbook.execute_activity(check_vendor, invoice, start_to_close_timeout=TIMEOUT)

    @runbook.step(name="approve", title="Approve the payment", icon="Eye")
    async def _approve(self, invoice: Invoice, vendor: Vendor) -> bool:
        if invoice.amount <= vendor.approval_limit:
            return True  # within the vendor's limit: no gate
        answer = await self.wait_for_action(  # the gate: waits for a person's answer
            payload=invoice,
            reason=f"Approve {invoice.amount} {invoice.currency} to {vendor.name} ({invoice.number})",
        )
        return answer.get("kind") != "reject"

    @runbook.step(name="pay", title="Pay", icon="Banknote")
    async def _pay(self, invoice: Invoice) -> str:
        return await runbook.execute_activity(pay, invoice, start_to_close_timeout=TIMEOUT)

    @runbook.run
    async def run(self, invoice: Invoice) -> Outcome:
        """Check, approve, pay."""
        vendor = await self._check_vendor(invoice)
        if not await self._approve(invoice, vendor):
            return Outcome(number=invoice.number, status="rejected")
        return Outcome(number=invoice.number, status="paid", payment_ref=await self._pay(invoice))

"""The building blocks of a runbook, each in a small workflow, driven on LocalRuntime.

From the repository's root: ``python docs/examples/python/building_blocks.py [local|temporal]``.
The guide "Building runbooks" shows these pieces one by one.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from typing import Any

from ntro.client import ClientOptions, Gate, drive, open_client, review_answer, upload_answer
from ntro.workflow import NtroWorkflow, RetryPolicy, WorkflowError, activity, runbook
from ntro.workflow.exceptions import WorkflowFailedError

QUICK = timedelta(minutes=1)


# -- activities: all the I/O ---------------------------------------------------------------------
@activity.defn(name="claims.read_receipt")
async def read_receipt(document_ref: str) -> dict[str, str]:
    """Read an uploaded receipt (made up here from its reference)."""
    return {"document_ref": document_ref, "amount": "86.40", "merchant": "Rail & Co"}


@activity.defn(name="claims.reimburse")
async def reimburse(employee: str, amount: str) -> str:
    """Pay an employee back. It takes two arguments: call it with ``args=[...]``."""
    return f"paid {amount} to {employee}"


@activity.defn(name="claims.send_reminder")
async def send_reminder(day: int) -> None:
    """Remind the approver (a real one sends an e-mail)."""


# -- a runbook with an upload gate, a review gate and three steps --------------------------------
@runbook.defn
class ExpenseClaimWorkflow(NtroWorkflow):
    """One employee's expense claim: upload the receipt, review it, reimburse."""

    def __init__(self) -> None:
        super().__init__()  # always: the base class keeps the steps and gates
        self._receipt: dict[str, Any] | None = None

    @runbook.signal
    async def receipt_submitted(self, payload: dict[str, Any]) -> None:
        """The upload gate's answer: where the receipt is."""
        self._receipt = payload

    @runbook.step(name="receipt", title="Upload the receipt", icon="Upload")
    async def _upload(self, employee: str) -> dict[str, str]:
        await self.await_signal_with_action(
            predicate=lambda: self._receipt is not None,
            action={
                "kind": "submit_file",
                "reason": f"Upload {employee}'s receipt",
                "args": {
                    "source": "receipt",
                    "signal_task_id": runbook.info().workflow_id,  # who to signal...
                    "signal_name": "receipt_submitted",  # ...and with which signal
                },
            },
            timeout=timedelta(days=7),  # then TimeoutError, which fails the run
        )
        assert self._receipt is not None
        ref = str(self._receipt["document_ref"])
        return await runbook.execute_activity(read_receipt, ref, start_to_close_timeout=QUICK)

    @runbook.step(name="review", title="Review the claim", icon="Eye")
    async def _review(self, receipt: dict[str, str]) -> dict[str, Any]:
        return await self.wait_for_action(
            payload=receipt, reason=f"Reimburse {receipt['amount']} spent at {receipt['merchant']}?"
        )

    @runbook.step(name="reimburse", title="Reimburse", icon="Banknote")
    async def _reimburse(self, employee: str, amount: str) -> str:
        return await runbook.execute_activity(
            reimburse,
            args=[employee, amount],
            start_to_close_timeout=QUICK,
            retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=5)),
        )

    @runbook.run
    async def run(self, employee: str) -> str:
        """Upload, review, reimburse."""
        receipt = await self._upload(employee)
        decision = await self._review(receipt)
        if decision.get("kind") == "reject":
            return f"{employee}: rejected ({decision.get('note') or 'no reason given'})"
        return await self._reimburse(employee, receipt["amount"])


# -- child workflows, by slug ---------------------------------------------------------------------
@runbook.defn  # registers the slug "monthly-claims"; ExpenseClaimWorkflow is "expense-claim"
class MonthlyClaimsWorkflow(NtroWorkflow):
    """Every employee's claim for the month, as child workflows that run side by side."""

    @runbook.step(name="claims", title="Collect the claims", icon="Users")
    async def _claims(self, employees: list[str]) -> list[str]:
        return await self.run_child_workflows(slug="expense-claim", inputs=employees)

    @runbook.run
    async def run(self, employees: list[str]) -> list[str]:
        """One child per employee; results in the order of ``employees``."""
        return await self._claims(employees)


# -- timers, the clock, queries and errors --------------------------------------------------------
@runbook.defn
class SignOffWorkflow(NtroWorkflow):
    """Wait for a sign-off, with a reminder every day; give up after ``days`` days."""

    def __init__(self) -> None:
        super().__init__()
        self._signed_by: str | None = None

    @runbook.signal
    async def sign_off(self, who: str) -> None:
        """Somebody signed off."""
        self._signed_by = who

    @runbook.query
    def signed_by(self) -> str | None:
        """Who signed off, if anybody did yet."""
        return self._signed_by

    @runbook.run
    async def run(self, days: int) -> str:
        """Return who signed off, and after how long."""
        started = runbook.now()  # the engine's clock: the same on every replay
        for day in range(1, days + 1):
            try:
                await runbook.wait_condition(lambda: self._signed_by is not None, timeout=timedelta(days=1))
            except TimeoutError:
                await runbook.execute_activity(send_reminder, day, start_to_close_timeout=QUICK)
                continue
            return f"signed off by {self._signed_by} after {(runbook.now() - started).days} day(s)"
        waited = runbook.now() - started
        raise WorkflowError(f"nobody signed off in {waited.days} days", type="NoSignOff", non_retryable=True)


# -- driving them ---------------------------------------------------------------------------------
class Approver:
    """An :class:`~ntro.client.AnswerPolicy`: uploads a receipt, approves every review."""

    async def answer(self, gate: Gate) -> dict[str, Any]:
        """The payload that answers ``gate``."""
        if gate.kind == "submit_file":
            return upload_answer(gate, document_ref=f"receipts/{gate.workflow_id}.pdf")
        return review_answer("approve")


async def main(engine: str) -> None:
    """Run the monthly claims, then a sign-off nobody gives, with time skipping, on ``engine``."""
    options = ClientOptions(
        workflows=[MonthlyClaimsWorkflow, ExpenseClaimWorkflow, SignOffWorkflow],
        activities=[read_receipt, reimburse, send_reminder],
        time_skipping=True,  # a day's timeout passes at once
    )
    async with open_client(engine, options) as client:
        claims = await client.start_workflow(MonthlyClaimsWorkflow, ["ana", "ben"], id="claims-2026-10")
        print(await drive(client, claims, Approver()))

        waiting = await client.start_workflow(SignOffWorkflow, 3, id="sign-off-1")
        await waiting.signal("sign_off", "carla")
        print(await waiting.result(), "| query:", await waiting.query("signed_by"))

        ignored = await client.start_workflow(SignOffWorkflow, 3, id="sign-off-2")
        try:
            await drive(client, ignored, Approver())
        except WorkflowFailedError as exc:
            print(exc)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "local"))

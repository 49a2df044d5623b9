"""Start a bundle's runbook in-process, look at its gate, answer it, and wait for the result.

From the repository's root: ``python docs/examples/python/start_local_handle.py``.
"""

from __future__ import annotations

import asyncio

from ntro.runtime.local import LocalEvent
from ntro.workflow import start_local
from ntro.workflow.bundle import load_bundle, parse_input

invoices = load_bundle("docs/examples/runbooks/invoice-approval")  # registers the slug "invoice-approval"


async def main() -> None:
    """Run one invoice through its review, as the UI would."""
    waiting = asyncio.Event()

    def observe(event: LocalEvent) -> None:
        if event.kind == "workflow.waiting":  # the run waits on a condition: look at its pending action
            waiting.set()

    invoice = parse_input(invoices.workflow_cls, '{"number": "INV-1003", "amount": "2100.00"}')
    handle = await start_local(invoices.workflow_cls, invoice, workflow_id="inv-1003", observer=observe)
    await waiting.wait()
    pending = await handle.query("current_pending_action")
    print(pending["kind"], "at step", pending["step_id"], "-", pending["reason"])
    await handle.signal("user_action", {"kind": "approve", "note": "budgeted"})
    print(await handle.result())


if __name__ == "__main__":
    asyncio.run(main())

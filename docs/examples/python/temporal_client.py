"""Start a hosted runbook with temporalio's client and the ntro plugin, answer its gate, read its result.

Run it against a cluster whose ``ntro worker`` hosts docs/examples/runbooks on task queue ``runbooks``:
``TEMPORAL_HOST=127.0.0.1:7233 python docs/examples/python/temporal_client.py``.
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client

from ntro.runtime.temporal import NtroPlugin
from ntro.workflow.bundle import load_bundle, parse_input

invoices = load_bundle("docs/examples/runbooks/invoice-approval")


async def main() -> None:
    """Start INV-2001 by its run method, so the input and the result keep their types."""
    client = await Client.connect(os.environ["TEMPORAL_HOST"], namespace="default", plugins=[NtroPlugin()])
    invoice = parse_input(invoices.workflow_cls, '{"number": "INV-2001", "amount": "3100.00"}')
    handle = await client.start_workflow(invoices.workflow_cls.run, invoice, id="inv-2001", task_queue="runbooks")
    for _ in range(300):  # a UI would poll the same query
        pending = await handle.query("current_pending_action")
        if pending is not None:
            break
        await asyncio.sleep(0.1)  # the run has not reached its gate yet
    print(pending["kind"], "-", pending["reason"])
    await handle.signal("user_action", {"kind": "approve"})
    outcome = await handle.result()
    print(type(outcome).__name__, outcome)


if __name__ == "__main__":
    asyncio.run(main())

"""Host a runbook on a worker inside your own process, with the ntro plugin on the client.

``TEMPORAL_HOST=127.0.0.1:7233 python docs/examples/python/own_worker.py``: it hosts
invoice-approval on its own task queue, runs one invoice under the vendor's limit on
it, and stops.
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from ntro.runtime.temporal import NtroPlugin
from ntro.workflow.bundle import load_bundle, parse_input

invoices = load_bundle("docs/examples/runbooks/invoice-approval")


async def main() -> None:
    """Run a worker while one workflow runs on it."""
    client = await Client.connect(os.environ["TEMPORAL_HOST"], plugins=[NtroPlugin()])
    worker = Worker(
        client, task_queue="my-worker", workflows=[invoices.workflow_cls], activities=list(invoices.activities)
    )
    async with worker:  # or: await worker.run(), until the process is stopped
        invoice = parse_input(invoices.workflow_cls, '{"number": "INV-2002", "vendor": "northwind", "amount": "900"}')
        outcome = await client.execute_workflow(
            invoices.workflow_cls.run, invoice, id="inv-2002", task_queue="my-worker"
        )
    print(outcome)


if __name__ == "__main__":
    asyncio.run(main())

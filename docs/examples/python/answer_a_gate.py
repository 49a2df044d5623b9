"""Start the invoice-approval runbook, answer its gate as a person would, print the outcome.

From the repository's root: ``python docs/examples/python/answer_a_gate.py [local|temporal]``.
The same code drives either engine through the engine-neutral client.
"""

from __future__ import annotations

import asyncio
import sys

from ntro.client import ClientOptions, answer_gate, open_client, open_gates, review_answer, time_control
from ntro.workflow.bundle import load_bundle, parse_input


async def main(engine: str) -> None:
    """Run one invoice on ``engine`` and reject it at the gate."""
    bundle = load_bundle("docs/examples/runbooks/invoice-approval")
    invoice = parse_input(bundle.workflow_cls, '{"number": "INV-1002", "amount": "4800.00"}')
    options = ClientOptions(workflows=[bundle.workflow_cls], activities=bundle.activities)
    async with open_client(engine, options) as client:
        handle = await client.start_workflow(bundle.workflow_cls, invoice, id="inv-1002")
        while not (gates := await open_gates(client, handle.id)):
            await time_control(client).wait_for_change(timeout=1.0)  # returns as soon as the run moves
        gate = gates[0]
        print(f"the run waits at step {gate.step_id!r}: {gate.reason}")
        await answer_gate(client, gate, review_answer("reject", note="not in this quarter's budget"))
        print(await handle.result())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "local"))

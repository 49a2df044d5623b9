"""Where a harness scenario's time goes in Temporal mode, phase by phase.

``python bench/profiles/harness_temporal.py`` runs the benchmark scenario
(five activities and a three-day sleep) ten times on a time-skipping test
server and prints milliseconds per scenario: starting the run, driving it
(looks at the run, waits for a change, skips to the next timer) and replaying
its history in temporalio's sandboxed ``Replayer``; then the replay alone,
split into fetching the history and replaying it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workflows import FiveThenSleepWorkflow, step

import ntro.client
from ntro.runtime.temporal import NtroPlugin, TemporalClient
from ntro.testing import REAL, Scenario

SPENT: defaultdict[str, float] = defaultdict(float)
SCENARIOS = 10


def timed(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - started

    return wrapper


async def main() -> None:
    # The harness drives a run with ntro.client.drive, taken when the harness is first imported: time it there.
    ntro.client.drive = timed("drive (looks, waits, time skips)", ntro.client.drive)  # type: ignore[assignment]
    from ntro.testing import WorkflowHarness

    WorkflowHarness._replay = timed("replay in the sandbox", WorkflowHarness._replay)  # type: ignore[method-assign]
    TemporalClient.start_workflow = timed("start", TemporalClient.start_workflow)  # type: ignore[method-assign]
    TemporalClient.advance_time = timed("  of which advance_time", TemporalClient.advance_time)  # type: ignore[method-assign]
    scenario = Scenario("bench", mocks={"bench.step": REAL})
    async with WorkflowHarness(FiveThenSleepWorkflow, runtime="temporal", activities=[step]) as harness:
        await harness.run(input=0, scenario=scenario)  # warm up
        SPENT.clear()
        started = time.perf_counter()
        for _ in range(SCENARIOS):
            result = await harness.run(input=0, scenario=scenario)
        total = time.perf_counter() - started
        print(f"{'scenario':40s}{total / SCENARIOS * 1e3:8.1f} ms")
        for name in ("start", "drive (looks, waits, time skips)", "  of which advance_time", "replay in the sandbox"):
            print(f"{name:40s}{SPENT[name] / SCENARIOS * 1e3:8.1f} ms")

        from temporalio.worker import Replayer

        raw = harness.client.client  # type: ignore[attr-defined]
        replayer = Replayer(workflows=[FiveThenSleepWorkflow], plugins=[NtroPlugin()])
        handle = raw.get_workflow_handle(result.workflow_id)
        await replayer.replay_workflow(await handle.fetch_history())
        fetch = replay = 0.0
        for _ in range(SCENARIOS):
            started = time.perf_counter()
            history = await handle.fetch_history()
            fetched = time.perf_counter()
            await replayer.replay_workflow(history)
            fetch += fetched - started
            replay += time.perf_counter() - fetched
        print(f"{'fetch one history':40s}{fetch / SCENARIOS * 1e3:8.1f} ms")
        print(f"{'replay it (sandbox, new replay worker)':40s}{replay / SCENARIOS * 1e3:8.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())

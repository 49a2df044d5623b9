"""Time per harness scenario, local and Temporal, against raw temporalio on the same test server.

Usage: python bench/harness_scenario.py [--runs 20]

The workflow: five activities and a three-day sleep. Raw temporalio runs the
same steps written against temporalio directly, on the same time-skipping test
server. Prints medians in milliseconds and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import timedelta

from ntro.workflow import activity, runbook


@activity.defn(name="bench_harness.step")
async def step(x: int) -> int:
    return x + 1


@runbook.defn(slug="bench-harness-five")
class BenchFiveWorkflow:
    @runbook.run
    async def run(self, x: int) -> int:
        for _ in range(5):
            x = await runbook.execute_activity(step, x)
        await runbook.sleep(timedelta(days=3))
        return x


async def harness_times(runtime: str, runs: int) -> list[float]:
    from ntro.testing import REAL, Scenario, WorkflowHarness

    scenario = Scenario("bench", mocks={"bench_harness.step": REAL})
    times: list[float] = []
    async with WorkflowHarness(BenchFiveWorkflow, runtime=runtime, activities=[step]) as h:
        await h.run(input=0, scenario=scenario)  # warm up
        for _ in range(runs):
            started = time.perf_counter()
            result = await h.run(input=0, scenario=scenario)
            times.append(time.perf_counter() - started)
            assert result.status == "completed", result.error
    return times


async def raw_times(runs: int) -> list[float]:
    from raw_temporal_five import RawFive, raw_step
    from temporalio.worker import Worker

    from ntro.runtime.temporal.testing import start_time_skipping

    times: list[float] = []
    env = await start_time_skipping()
    async with env, Worker(env.client, task_queue="bench-raw", workflows=[RawFive], activities=[raw_step]):
        for i in range(runs + 1):
            started = time.perf_counter()
            await env.client.execute_workflow(RawFive.run, 0, id=f"raw-{uuid.uuid4()}", task_queue="bench-raw")
            if i:
                times.append(time.perf_counter() - started)
    return times


async def main(runs: int) -> None:
    local = await harness_times("local", runs)
    print(f"harness, local:    median {statistics.median(local) * 1000:7.2f} ms")
    temporal = await harness_times("temporal", runs)
    raw = await raw_times(runs)
    t, r = statistics.median(temporal), statistics.median(raw)
    print(f"harness, temporal: median {t * 1000:7.2f} ms")
    print(f"raw temporalio:    median {r * 1000:7.2f} ms   ratio {t / r:.2f}x")


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args().runs))

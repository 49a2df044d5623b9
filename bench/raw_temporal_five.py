"""The benchmark workflow written against temporalio directly: the anchor for the harness's Temporal mode."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bench_raw.step")
async def raw_step(x: int) -> int:
    return x + 1


@workflow.defn(name="BenchRawFive", sandboxed=False)
class RawFive:
    @workflow.run
    async def run(self, x: int) -> int:
        for _ in range(5):
            x = await workflow.execute_activity(raw_step, x, start_to_close_timeout=timedelta(minutes=5))
        await workflow.sleep(timedelta(days=3))
        return x

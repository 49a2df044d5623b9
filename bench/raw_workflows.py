"""The Temporal benchmark workflows written against temporalio directly: the anchors of the Temporal figures.

Each is the same steps as its counterpart in ``workflows.py``, with
temporalio's defaults (so sandboxed, like a worker given ``NtroPlugin``).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

TIMEOUT = timedelta(minutes=5)


@activity.defn(name="bench_raw.step")
async def raw_step(x: int) -> int:
    return x + 1


@workflow.defn(name="BenchRawChain")
class RawChain:
    """``n`` activities in sequence (``ChainWorkflow``)."""

    @workflow.run
    async def run(self, n: int) -> int:
        x = 0
        for _ in range(n):
            x = await workflow.execute_activity(raw_step, x, start_to_close_timeout=TIMEOUT)
        return x


@workflow.defn(name="BenchRawFiveThenSleep")
class RawFiveThenSleep:
    """Five activities and a three-day sleep (``FiveThenSleepWorkflow``)."""

    @workflow.run
    async def run(self, x: int) -> int:
        for _ in range(5):
            x = await workflow.execute_activity(raw_step, x, start_to_close_timeout=TIMEOUT)
        await workflow.sleep(timedelta(days=3))
        return x

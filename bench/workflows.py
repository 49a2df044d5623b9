"""The benchmark runbooks: one source, run unchanged by this project and by ntro 0.1.2.

Only names both versions provide are used (``runbook.defn`` bare, ``run``,
``signal``, ``execute_activity``, ``wait_condition``; ``activity.defn(name=)``).
:class:`FiveThenSleepWorkflow` also calls ``runbook.sleep``, which 0.1.2 lacks:
only the harness figures (this project alone) run it.
"""

from __future__ import annotations

import time
from datetime import timedelta

from ntro.workflow import activity, runbook


@activity.defn(name="bench.step")
async def step(x: int) -> int:
    return x + 1


@runbook.defn
class ChainWorkflow:
    """``n`` activities in sequence: the unit of every throughput figure."""

    @runbook.run
    async def run(self, n: int) -> int:
        x = 0
        for _ in range(n):
            x = await runbook.execute_activity(step, x)
        return x


@runbook.defn
class TimedChainWorkflow:
    """:class:`ChainWorkflow` with the start-to-close timeout real runbooks pass on every call."""

    @runbook.run
    async def run(self, n: int) -> int:
        x = 0
        for _ in range(n):
            x = await runbook.execute_activity(step, x, start_to_close_timeout=timedelta(minutes=5))
        return x


@runbook.defn
class GateWorkflow:
    """Waits at a gate until signalled; returns when it resumed (the benchmark's clock)."""

    def __init__(self) -> None:
        self._released = False

    @runbook.signal
    async def release(self) -> None:
        self._released = True

    @runbook.run
    async def run(self, x: int) -> float:
        await runbook.wait_condition(lambda: self._released)
        # Not workflow time: the moment this run went past its gate, read by the latency figure.
        return time.perf_counter()


@runbook.defn
class FiveThenSleepWorkflow:
    """Five activities and a three-day sleep: the harness scenario."""

    @runbook.run
    async def run(self, x: int) -> int:
        for _ in range(5):
            x = await runbook.execute_activity(step, x)
        await runbook.sleep(timedelta(days=3))
        return x

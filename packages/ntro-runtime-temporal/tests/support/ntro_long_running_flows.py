"""Workflows for the heartbeat, cancellation, update and continue-as-new tests on Temporal (sandbox-importable)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from ntro.workflow import RetryPolicy, activity, runbook

QUICK = RetryPolicy(initial_interval=timedelta(milliseconds=10), maximum_attempts=3)

attempts: list[tuple[int, tuple[Any, ...]]] = []
"""(attempt, heartbeat details) of each activity attempt started in this process."""

cancelled: list[int] = []
"""Attempts of ``keeps_beating`` that saw their cancellation."""


@activity.defn(name="lr.stalls_once")
async def stalls_once() -> dict[str, Any]:
    """Heartbeat, then hang on the first attempt (as if its worker died); finish on the next."""
    info = activity.info()
    attempts.append((info.attempt, info.heartbeat_details))
    if info.attempt == 1:
        activity.heartbeat({"row": 7})
        await asyncio.sleep(3600)
    return {"attempt": info.attempt, "details": list(info.heartbeat_details)}


@activity.defn(name="lr.keeps_beating")
async def keeps_beating() -> None:
    """Heartbeat until cancelled, noting the cancellation."""
    attempts.append((activity.info().attempt, ()))
    try:
        while True:
            activity.heartbeat()
            await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        cancelled.append(activity.info().attempt)
        raise


@runbook.defn(slug="lr-stall")
class StallFlow:
    """Call an activity that stalls once, with a short heartbeat timeout and a long start-to-close one."""

    @runbook.run
    async def run(self, heartbeat_s: float) -> dict[str, Any]:
        """Return what the second attempt saw."""
        return await runbook.execute_activity(
            stalls_once, heartbeat_timeout=heartbeat_s, start_to_close_timeout=timedelta(hours=1), retry_policy=QUICK
        )


@runbook.defn(slug="lr-beat")
class BeatFlow:
    """Run a heartbeating activity until the run is cancelled."""

    @runbook.run
    async def run(self) -> None:
        """Wait on the activity."""
        await runbook.execute_activity(keeps_beating, heartbeat_timeout=timedelta(seconds=2))


@runbook.defn(slug="lr-limits")
class Limits:
    """Hold a limit that updates change, until ``finish``."""

    def __init__(self) -> None:
        self.limit = 1
        self.done = False

    @runbook.run
    async def run(self) -> int:
        """Return the final limit."""
        await runbook.wait_condition(lambda: self.done)
        return self.limit

    @runbook.update
    async def set_limit(self, limit: int) -> int:
        """Set the limit; answer twice it."""
        self.limit = limit
        return limit * 2

    @set_limit.validator
    def _positive(self, limit: int) -> None:
        if limit <= 0:
            raise ValueError(f"the limit must be positive, not {limit}")

    @runbook.update(name="finish")
    def finish_now(self) -> str:
        """End the run."""
        self.done = True
        return "finishing"


@runbook.defn(slug="lr-periods")
class Periods:
    """Continue as new until period 3."""

    @runbook.run
    async def run(self, period: int) -> dict[str, Any]:
        """Return the last period and its run id."""
        if period < 3:
            runbook.continue_as_new(period + 1)
        return {"period": period, "run_id": runbook.info().run_id}


WORKFLOWS = [StallFlow, BeatFlow, Limits, Periods]
ACTIVITIES = [stalls_once, keeps_beating]

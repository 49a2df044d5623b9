"""durable-steps: n activities separated by durable timers (a test runbook)."""

from __future__ import annotations

from datetime import timedelta

from ntro.workflow import RetryPolicy, runbook

from .activities import step
from .models import DurableInput, DurableResult, StepInput

RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=1))


@runbook.defn
class DurableStepsWorkflow:
    """Run the steps one by one; the timers between them survive worker and server restarts."""

    @runbook.run
    async def run(self, request: DurableInput) -> DurableResult:
        """Return every step's value and their sum."""
        values: list[int] = []
        for index in range(request.steps):
            if index:
                await runbook.sleep(timedelta(seconds=request.pause_seconds))
            done = await runbook.execute_activity(
                step,
                StepInput(index=index, ledger=request.ledger),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RETRY,
            )
            values.append(done.value)
        return DurableResult(values=values, total=sum(values))

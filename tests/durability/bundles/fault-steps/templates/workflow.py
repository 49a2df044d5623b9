"""fault-steps: steps apart in time, signals, a held step and children (a test runbook)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, RetryPolicy, runbook

from .activities import step
from .models import FaultInput, FaultResult, StepInput


def _total(child: Any) -> int:
    """A child's total (on Temporal its result is the worker's FaultResult class, not the sandbox's)."""
    return int(child["total"] if isinstance(child, dict) else child.total)


RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=1))


@runbook.defn
class FaultStepsWorkflow(NtroWorkflow):
    """Run the steps, wait for the signals, run the children; all of it survives faults."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[int] = []

    @runbook.signal
    def add(self, value: int) -> None:
        """Take one signalled value."""
        self.received.append(value)

    @runbook.run
    async def run(self, request: FaultInput) -> FaultResult:
        """Return every step's value, the signalled values and the children's totals."""
        values: list[int] = []
        for index in range(request.steps):
            if index:
                await runbook.sleep(timedelta(seconds=request.pause_seconds))
            held = index == request.hold_step
            values.append(
                await runbook.execute_activity(
                    step,
                    StepInput(index=index, ledger=request.ledger, release=request.release if held else None),
                    # A held step's first attempt is lost with its worker: it times out and runs again.
                    start_to_close_timeout=timedelta(seconds=3 if held else 10),
                    retry_policy=RETRY,
                )
            )
            if index == 0 and request.signals:
                await runbook.wait_condition(lambda: len(self.received) >= request.signals)
        children: list[object] = []
        if request.children:
            child = FaultInput(ledger=request.ledger, steps=request.child_steps, pause_seconds=request.pause_seconds)
            children = await self.run_child_workflows(slug="fault-steps", inputs=[child] * request.children)
        signals = sorted(self.received)
        totals = [_total(c) for c in children]
        return FaultResult(
            values=values, signals=signals, children=totals, total=sum(values) + sum(signals) + sum(totals)
        )

"""holding: hold in an activity, at a gate or in a child until released or stopped (a test runbook)."""

from __future__ import annotations

from datetime import timedelta

from ntro.workflow import NtroWorkflow, runbook

from .activities import hold
from .models import HoldInput


@runbook.defn
class HoldingWorkflow(NtroWorkflow):
    """Hold where the input says."""

    def __init__(self) -> None:
        super().__init__()
        self.released = False

    @runbook.signal
    def release(self) -> None:
        """Open the gate."""
        self.released = True

    @runbook.run
    async def run(self, request: HoldInput) -> str:
        """Hold, then say where it held."""
        if request.at == "activity":
            await self.in_activity(request)
        elif request.at == "gate":
            await self.at_gate()
        else:
            await self.in_child(request)
        return f"held {request.at}"

    @runbook.step(name="activity", title="Hold in an activity")
    async def in_activity(self, request: HoldInput) -> str:
        """Run the holding activity."""
        return str(await runbook.execute_activity(hold, request.ledger, start_to_close_timeout=timedelta(hours=2)))

    @runbook.step(name="gate", title="Hold at a gate")
    async def at_gate(self) -> None:
        """Wait for the release signal."""
        await runbook.wait_condition(lambda: self.released)

    @runbook.step(name="child", title="Hold in a child")
    async def in_child(self, request: HoldInput) -> str:
        """Run a child of this runbook holding in its activity."""
        child = HoldInput(at="activity", ledger=request.ledger)
        return str(await self.run_child_workflow(slug="holding", input=child))

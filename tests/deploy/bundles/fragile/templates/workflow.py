"""deploy-fragile: one activity."""

from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook

from .activities import touch


@runbook.defn
class DeployFragileWorkflow(NtroWorkflow):
    """Touch a batch."""

    @runbook.run
    async def run(self, batch: str) -> str:
        """Return what the activity said."""
        return await runbook.execute_activity(touch, batch)

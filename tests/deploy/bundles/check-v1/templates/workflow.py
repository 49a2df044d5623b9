"""deploy-check v1: say which version checked the batch."""

from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class DeployCheckWorkflow(NtroWorkflow):
    """Check a batch."""

    @runbook.run
    async def run(self, batch: str) -> str:
        """Return who checked it."""
        return f"checked {batch} with deploy-check v1"

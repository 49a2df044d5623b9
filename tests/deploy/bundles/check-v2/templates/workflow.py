"""deploy-check v2: say which version checked the batch, now as a model (v1 returned a string)."""

from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook

from .models import CheckResult


@runbook.defn
class DeployCheckWorkflow(NtroWorkflow):
    """Check a batch."""

    @runbook.run
    async def run(self, batch: str) -> CheckResult:
        """Return who checked it."""
        return CheckResult(text=f"checked {batch} with deploy-check v2", version=2)

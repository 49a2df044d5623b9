"""approval: one APPROVAL_FORM at once; the result counts the answers the run was sent."""

from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class ApprovalWorkflow(NtroWorkflow):
    """Asks once, then a second step, so a test sees the run move on."""

    @runbook.step(name="ask", title="Approve the amount", icon="Check")
    async def _ask(self, amount: int) -> dict[str, Any]:
        return await self.wait_for_action(
            payload={"amount": amount},
            display_hint={"component": "APPROVAL_FORM", "config": {"title": f"Approve {amount}"}},
            reason=f"Approve paying {amount}",
        )

    @runbook.step(name="done", title="Record the decision", icon="Lock")
    async def _done(self, decision: dict[str, Any]) -> dict[str, Any]:
        return {"decision": decision.get("kind"), "note": decision.get("note")}

    @runbook.run
    async def run(self, amount: int = 100) -> dict[str, Any]:
        """Ask, then record."""
        return await self._done(await self._ask(amount))

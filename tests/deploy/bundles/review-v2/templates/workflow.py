"""deploy-review v2: prepare, review (unless told not to), check with the child deploy-check v2, report."""

from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook

from .activities import prepare
from .models import ReviewInput


@runbook.defn
class DeployReviewWorkflow(NtroWorkflow):
    """Prepare, review, check."""

    @runbook.run
    async def run(self, ctx: ReviewInput) -> list[str]:
        """Return what each step did, in order."""
        done = [f"deploy-review v2 for {ctx.entity_slug}", await runbook.execute_activity(prepare, ctx.batch)]
        if ctx.needs_review:
            decision = await self.wait_for_action(payload={"batch": ctx.batch}, reason=f"review {ctx.batch}")
            done.append(f"review: {decision['kind']}")
        check = await self.run_child_workflow(slug="deploy-check", input=ctx.batch)
        done.append(check.text)  # deploy-check v2 returns a CheckResult
        return done

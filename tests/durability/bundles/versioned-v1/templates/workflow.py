"""versioned-review v1: open the batch, wait for a person's review, close the batch (a test runbook)."""

from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook

from .activities import close_batch, open_batch


@runbook.defn
class VersionedReviewWorkflow(NtroWorkflow):
    """Open, review, close."""

    @runbook.run
    async def run(self, batch: str) -> list[str]:
        """Return what each step did, in order."""
        done = [await runbook.execute_activity(open_batch, batch)]
        decision = await self.wait_for_action(payload={"batch": batch}, reason=f"review {batch}")
        done.append(f"review: {decision['kind']}")
        done.append(await runbook.execute_activity(close_batch, batch))
        return done

"""versioned-review v2 without runbook.patched: the changes made in place, which breaks runs started on v1."""

from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook

from .activities import check_batch, close_and_archive, open_batch


@runbook.defn
class VersionedReviewWorkflow(NtroWorkflow):
    """Open, check, review, close and archive; a v1 history does not replay on this."""

    @runbook.run
    async def run(self, batch: str) -> list[str]:
        """Return what each step did, in order."""
        done = [await runbook.execute_activity(open_batch, batch)]
        done.append(await runbook.execute_activity(check_batch, batch))
        decision = await self.wait_for_action(payload={"batch": batch}, reason=f"review {batch}")
        done.append(f"review: {decision['kind']}")
        done.append(await runbook.execute_activity(close_and_archive, batch))
        return done

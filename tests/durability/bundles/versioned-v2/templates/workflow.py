"""versioned-review v2: v1 plus a check before the review and an archive at the close, behind runbook.patched."""

from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook

from .activities import check_batch, close_and_archive, close_batch, open_batch


@runbook.defn
class VersionedReviewWorkflow(NtroWorkflow):
    """Open, check, review, close and archive; runs started on v1 carry on."""

    @runbook.run
    async def run(self, batch: str) -> list[str]:
        """Return what each step did, in order."""
        done = [await runbook.execute_activity(open_batch, batch)]
        # New: check the batch before the review. A run that reached the review on v1 has no check
        # in its history, so it replays the old path here.
        if runbook.patched("check-before-review"):
            done.append(await runbook.execute_activity(check_batch, batch))
        decision = await self.wait_for_action(payload={"batch": batch}, reason=f"review {batch}")
        done.append(f"review: {decision['kind']}")
        # New: archive as the batch closes. A run still waiting at the review on v1 had not got
        # here, so it takes the new path.
        if runbook.patched("archive-on-close"):
            done.append(await runbook.execute_activity(close_and_archive, batch))
        else:
            done.append(await runbook.execute_activity(close_batch, batch))
        return done

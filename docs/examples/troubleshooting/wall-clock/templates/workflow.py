"""wall-clock: workflow code that reads the wall clock, which cannot replay."""

from datetime import UTC, datetime

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class WallClockWorkflow(NtroWorkflow):
    """Stamps its result with the wall clock: fine locally, refused by Temporal's sandbox."""

    @runbook.run
    async def run(self) -> str:
        """Return when it ran."""
        return f"ran at {datetime.now(UTC):%H:%M}"

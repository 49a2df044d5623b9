"""heartbeat-resume: one long activity with a short heartbeat timeout (a test runbook)."""

from __future__ import annotations

from datetime import timedelta

from ntro.workflow import RetryPolicy, runbook

from .activities import process_items
from .models import ProcessInput, ProcessResult

HEARTBEAT_TIMEOUT = timedelta(seconds=3)
"""An attempt that has not heartbeated for this long is failed and retried."""

START_TO_CLOSE_TIMEOUT = timedelta(minutes=10)
"""How long one attempt may take in all: far longer than the test waits."""

RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=1), maximum_attempts=5
)


@runbook.defn
class HeartbeatResumeWorkflow:
    """Process the items in one activity that survives the death of its worker."""

    @runbook.run
    async def run(self, request: ProcessInput) -> ProcessResult:
        """Return what the attempt that finished did."""
        return await runbook.execute_activity(
            process_items,
            request,
            start_to_close_timeout=START_TO_CLOSE_TIMEOUT,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            retry_policy=RETRY,
        )

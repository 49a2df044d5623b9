"""Heartbeats: a long activity that reports its progress and resumes from it when retried.

``load_rows`` loads a batch row by row and heartbeats the number of rows
done. Its first attempt loses its connection part-way (simulated here after
three rows); the retry reads the last heartbeat from
``activity.info().heartbeat_details`` and carries on from there instead of
starting over.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.runtime.protocol import WorkflowClient
from ntro.workflow import RetryPolicy, activity, runbook

DROPPED_AFTER = 3
"""The first attempt's connection drops after this many rows (the simulated failure)."""


@activity.defn(name="long_running.load_rows")
async def load_rows(batch: str, rows: int) -> dict[str, Any]:
    """Load ``rows`` rows of ``batch``, resuming after the rows a previous attempt reported done."""
    info = activity.info()
    done = int(info.heartbeat_details[0]) if info.heartbeat_details else 0
    resumed_from = done
    while done < rows:
        # ... load row number `done` of the batch here ...
        done += 1
        activity.heartbeat(done)
        if info.attempt == 1 and done == DROPPED_AFTER:
            raise ConnectionError(f"lost the connection to the ledger after row {done}")
    return {"batch": batch, "rows": rows, "attempt": info.attempt, "resumed_from": resumed_from}


@runbook.defn(slug="lr-load-batch")
class LoadBatch:
    """Load one batch with a heartbeating activity, retried from where it got to."""

    @runbook.run
    async def run(self, batch: str, rows: int) -> dict[str, Any]:
        """Load the batch; a stalled or failed attempt is retried."""
        return await runbook.execute_activity(
            load_rows,
            args=[batch, rows],
            start_to_close_timeout=timedelta(hours=2),  # the whole attempt
            heartbeat_timeout=timedelta(minutes=1),  # an attempt silent this long is failed and retried
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=5),
        )


async def load_a_batch(client: WorkflowClient) -> dict[str, Any]:
    """Load an eight-row batch and return what the last attempt reports."""
    handle = await client.start_workflow(LoadBatch, "ledger-2026-10", 8)
    result: dict[str, Any] = await handle.result()
    return result

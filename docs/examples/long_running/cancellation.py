"""Cancellation: a heartbeating activity learns the run was cancelled and cleans up.

``export_ledger`` writes a ledger export to a staging file, one slow page at
a time, heartbeating after each. When the run is cancelled
(``handle.cancel()``, ``ntro workflow cancel ID``), the activity gets
:class:`asyncio.CancelledError` and removes its half-written file before it
re-raises.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from ntro.client import time_control
from ntro.runtime.protocol import WorkflowClient
from ntro.workflow import activity, runbook
from ntro.workflow.exceptions import WorkflowFailedError

PAGE_SECONDS = 0.05
"""How long the (simulated) source takes to return a page."""


@activity.defn(name="long_running.export_ledger")
async def export_ledger(staging: str, pages: int) -> str:
    """Write ``pages`` pages of the ledger to ``staging``; a cancelled export leaves no file behind."""
    path = Path(staging)
    try:
        for page in range(pages):
            await asyncio.sleep(PAGE_SECONDS)  # fetch the next page from the (slow) source
            await asyncio.to_thread(_append, path, f"page {page}\n")
            activity.heartbeat(page + 1)
    except asyncio.CancelledError:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return f"exported {pages} pages to {path.name}"


def _append(path: Path, text: str) -> None:
    with path.open("a") as out:
        out.write(text)


@runbook.defn(slug="lr-export-ledger")
class ExportLedger:
    """Export the ledger with one long activity."""

    @runbook.run
    async def run(self, staging: str, pages: int) -> str:
        """Run the export; cancelling the run cancels it."""
        return await runbook.execute_activity(
            export_ledger,
            args=[staging, pages],
            start_to_close_timeout=timedelta(hours=1),
            heartbeat_timeout=timedelta(seconds=2),  # on Temporal a cancellation arrives with a heartbeat
        )


async def cancel_an_export(client: WorkflowClient, staging: Path) -> str:
    """Start a long export, cancel the run once the export is under way, and say how the run ended."""
    handle = await client.start_workflow(ExportLedger, str(staging), 10_000, id="ledger-export")
    async with asyncio.timeout(60):
        while not await asyncio.to_thread(staging.exists):  # until the first page is written
            await time_control(client).wait_for_change(PAGE_SECONDS)
    await handle.cancel()
    try:
        result: str = await handle.result()
    except WorkflowFailedError as ended:
        return str(ended)  # a cancelled run has no result
    return result

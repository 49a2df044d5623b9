"""Continue-as-new: a runbook that closes one month per run, for as many months as it is given.

Each run closes its month, waits for the next one and hands over to a fresh
run of itself with ``runbook.continue_as_new``, carrying only what the next
month needs. The workflow id stays the same; the caller gets the last run's
result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.runtime.protocol import WorkflowClient
from ntro.workflow import activity, runbook


def next_month(month: str) -> str:
    """Return the month after ``month`` (``"2026-12"`` -> ``"2027-01"``)."""
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12}-{number % 12 + 1:02d}"


@activity.defn(name="long_running.close_month")
async def close_month(month: str) -> str:
    """Close the books of ``month``."""
    return f"closed {month}"


@runbook.defn(slug="lr-monthly-close")
class MonthlyClose:
    """Close ``month``, then each following month up to ``last``, one run per month."""

    @runbook.run
    async def run(self, month: str, last: str, closed: int = 0) -> dict[str, Any]:
        """Close this run's month; continue as new with the next one until ``last``."""
        await runbook.execute_activity(close_month, month)
        if month < last:
            await runbook.sleep(timedelta(days=28))  # until the next month is ready to close
            runbook.continue_as_new(args=[next_month(month), last, closed + 1])
        return {"last_closed": month, "months_closed": closed + 1}


async def close_a_quarter(client: WorkflowClient) -> dict[str, Any]:
    """Close the months from 2026-11 to 2027-01; return the last run's result."""
    handle = await client.start_workflow(MonthlyClose, "2026-11", "2027-01")
    result: dict[str, Any] = await handle.result()
    return result

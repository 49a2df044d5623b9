"""Updates: change a waiting run and get an answer back, with a validator to refuse bad requests.

A month's card spending runs against a limit while the month is open. A
manager raises the limit with the ``set_limit`` update and is told how many
of the month's payments are still over it; a limit that is not positive is
refused by the validator before the run sees it. ``close`` ends the month.
"""

from __future__ import annotations

from typing import Any

from ntro.runtime.protocol import WorkflowClient
from ntro.workflow import activity, runbook
from ntro.workflow.exceptions import UpdateFailedError

PAYMENTS = (120, 480, 1_250, 2_900, 75)
"""The month's card payments (what the activity would read from the card provider)."""


@activity.defn(name="long_running.count_payments_over")
async def count_payments_over(limit: int) -> int:
    """Count the month's payments over ``limit``."""
    return sum(1 for amount in PAYMENTS if amount > limit)


@runbook.defn(slug="lr-spending-limit")
class SpendingLimit:
    """Hold a month's spending limit open to changes until the month is closed."""

    def __init__(self) -> None:
        self.limit = 1_000
        self.changes: list[int] = []
        self.closed = False

    @runbook.run
    async def run(self, month: str) -> dict[str, Any]:
        """Wait until the month is closed; return the limit it ended with."""
        await runbook.wait_condition(lambda: self.closed)
        return {"month": month, "limit": self.limit, "changes": self.changes}

    @runbook.update
    async def set_limit(self, limit: int) -> dict[str, int]:
        """Change the limit; answer with how many payments are still over it."""
        self.limit = limit
        self.changes.append(limit)
        over = await runbook.execute_activity(count_payments_over, limit)
        return {"limit": limit, "payments_over": over}

    @set_limit.validator
    def _check_limit(self, limit: int) -> None:
        if limit <= 0:
            raise ValueError(f"the limit must be positive, not {limit}")

    @runbook.update
    def close(self) -> int:
        """Close the month; answer with its final limit."""
        self.closed = True
        return self.limit


async def change_the_limit(client: WorkflowClient) -> list[Any]:
    """Raise the limit, try a bad one, close the month; return every answer and the result."""
    handle = await client.start_workflow(SpendingLimit, "2026-10")
    answers: list[Any] = [await handle.update("set_limit", 2_000)]
    try:
        await handle.update("set_limit", -5)
    except UpdateFailedError as refused:
        answers.append(f"refused: {refused.cause.type}: {refused.cause.message}")
    answers.append(await handle.update("close"))
    answers.append(await handle.result())
    return answers

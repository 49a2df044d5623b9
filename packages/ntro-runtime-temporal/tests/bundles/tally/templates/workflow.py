"""tally: a running total that updates change (a test runbook for ``ntro workflow update``)."""

from __future__ import annotations

from typing import Any

from ntro.workflow import runbook


@runbook.defn
class TallyWorkflow:
    """Adds what ``add`` updates bring until ``close``; returns the total."""

    def __init__(self) -> None:
        self.total = 0
        self.closed = False

    @runbook.run
    async def run(self, start: dict[str, Any]) -> dict[str, Any]:
        self.total = int(start.get("total", 0))
        await runbook.wait_condition(lambda: self.closed)
        return {"total": self.total}

    @runbook.update
    def add(self, amount: int) -> int:
        """Add ``amount``; answer the new total."""
        self.total += amount
        return self.total

    @add.validator
    def _not_negative(self, amount: int) -> None:
        if amount < 0:
            raise ValueError(f"cannot add a negative amount ({amount})")

    @runbook.update
    def close(self) -> dict[str, Any]:
        """End the run."""
        self.closed = True
        return {"closing_total": self.total}

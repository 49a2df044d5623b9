"""The durable-steps activity: append ``<index> <pid>`` to the ledger, return ``index**2 + 1``."""

from __future__ import annotations

import os

from ntro.workflow import activity

from .models import StepDone, StepInput


@activity.defn(name="durable_steps.step")
async def step(request: StepInput) -> StepDone:
    """Record that step ``request.index`` ran in this process, durably, and return its value."""
    with open(request.ledger, "a", encoding="utf-8") as ledger:
        ledger.write(f"{request.index} {os.getpid()}\n")
        ledger.flush()
        os.fsync(ledger.fileno())
    return StepDone(index=request.index, value=request.index**2 + 1)

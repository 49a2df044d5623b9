"""The fault-steps activity: ledger lines ``start|done <workflow id>/<activity id> <attempt> <pid>``."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from ntro.workflow import activity

from .models import StepInput


def _record(ledger: str, what: str) -> None:
    info = activity.info()
    with open(ledger, "a", encoding="utf-8") as out:
        out.write(f"{what} {info.workflow_id}/{info.activity_id} {info.attempt} {os.getpid()}\n")
        out.flush()
        os.fsync(out.fileno())


@activity.defn(name="fault_steps.step")
async def step(request: StepInput) -> int:
    """Record the start, wait for ``release`` on a held first attempt, record the end, return ``index**2 + 1``."""
    _record(request.ledger, "start")
    if request.release is not None and activity.info().attempt == 1:
        while not Path(request.release).exists():
            await asyncio.sleep(0.05)
    _record(request.ledger, "done")
    return request.index**2 + 1

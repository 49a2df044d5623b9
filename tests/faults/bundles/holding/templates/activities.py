"""The holding activity: writes ``started``, then holds until it is cancelled (``cancelled``) or released."""

from __future__ import annotations

import asyncio
import os

from ntro.workflow import activity


def _note(ledger: str | None, what: str) -> None:
    if ledger is None:
        return
    with open(ledger, "a", encoding="utf-8") as out:
        out.write(f"{what} {activity.info().workflow_id}\n")
        out.flush()
        os.fsync(out.fileno())


@activity.defn(name="holding.hold")
async def hold(ledger: str | None) -> str:
    """Hold for an hour, noting in ``ledger`` that it started, and whether it was cancelled."""
    _note(ledger, "started")
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        _note(ledger, "cancelled")
        raise
    _note(ledger, "done")
    return "held"

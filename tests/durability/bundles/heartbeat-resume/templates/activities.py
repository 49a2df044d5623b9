"""The heartbeat-resume activity: work through the items, heartbeating the next item and the running total."""

from __future__ import annotations

import asyncio
import os

from ntro.workflow import activity

from .models import ProcessInput, ProcessResult


def _record(progress: str, line: str) -> None:
    """Append ``line`` to the progress file, durably (the worker may be killed right after)."""
    with open(progress, "a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


@activity.defn(name="heartbeat_resume.process")
async def process_items(request: ProcessInput) -> ProcessResult:
    """Process the items in order; a retried attempt starts where the last heartbeat left off.

    After each item it heartbeats the next item and the total so far; an
    attempt whose worker died finds them in ``activity.info().heartbeat_details``.
    """
    info = activity.info()
    start, total = info.heartbeat_details if info.heartbeat_details else (0, 0)
    for item in range(start, request.items):
        await asyncio.sleep(request.seconds_per_item)  # the work on one item
        total += item
        _record(request.progress, f"{item} {info.attempt} {os.getpid()}")
        activity.heartbeat(item + 1, total)
    return ProcessResult(attempt=info.attempt, resumed_from=start, items=request.items, total=total, pid=os.getpid())

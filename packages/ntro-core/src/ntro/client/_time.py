"""Time control for any client: the client's own when it offers it, else real time and a short sleep."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from ntro.runtime.protocol import TimeControl, WorkflowClient

__all__ = ["DEFAULT_POLL", "time_control"]

DEFAULT_POLL = 0.1
"""Seconds between looks when the engine cannot say that something changed."""


class _RealTime:
    """Time control for a client that offers none: time is real, and a change is looked for after a short sleep."""

    def __init__(self, poll: float) -> None:
        self.poll = poll

    async def wait_for_change(self, timeout: float) -> None:
        await asyncio.sleep(max(0.0, min(timeout, self.poll)))

    def hold_time(self) -> AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()

    async def advance_time(self, workflow_ids: Sequence[str], timeout: float) -> None:
        await self.wait_for_change(timeout)


def time_control(client: WorkflowClient, poll: float = DEFAULT_POLL) -> TimeControl:
    """Return ``client`` when it offers :class:`~ntro.runtime.protocol.TimeControl`, else real time.

    Real time holds nothing (``hold_time`` is a no-op) and waits ``poll``
    seconds (at most the timeout given) for a change, so a caller can wait
    for a run to move on with any engine::

        await time_control(client).wait_for_change(timeout=1.0)
    """
    if isinstance(client, TimeControl):
        return client
    return _RealTime(poll)

"""Time on a Temporal server, for a client: wait for change, or hold, let run and skip the time-skipping server's clock.

A :class:`~ntro.runtime.temporal.TemporalClient` offers
:class:`~ntro.runtime.protocol.TimeControl` through its :class:`Clock`. On a
real cluster time is real: the clock only waits a poll interval. On the
time-skipping test server it holds the server's clock while the caller looks
and answers, lets it run while a result is awaited, and skips it to a run's
next timer once the run is idle.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import temporalio.client
from temporalio.service import RPCError

__all__ = ["LOCAL_POLL_INTERVAL", "POLL_INTERVAL", "Clock"]

_log = logging.getLogger("ntro.runtime.temporal")

POLL_INTERVAL = 0.1
LOCAL_POLL_INTERVAL = 0.01  # a time-skipping test server runs on this machine: looking costs little
"""Seconds :meth:`Clock.wait_for_change` waits at most (Temporal pushes no change events)."""


class Clock:
    """The time control of a client of ``client``: real time on a cluster, the test server's clock when it skips time.

    Args:
        client: The ``temporalio.client.Client``.
        time_skipping: Whether ``client`` talks to a time-skipping test server.
    """

    def __init__(self, client: temporalio.client.Client, *, time_skipping: bool) -> None:
        self.client = client
        self.time_skipping = time_skipping
        self.looked: dict[str, int] = {}  # history length of each workflow at its caller's last look (describe())

    async def advance_time(self, workflow_ids: Sequence[str], timeout: float) -> None:
        """Let the runs move on; skip to their next timer once idle (see ``TemporalClient.advance_time``)."""
        if not self.time_skipping or not workflow_ids:
            await self.wait_for_change(timeout)
            return
        # Skip only over what the caller has seen: a history that grew since its last look
        # (a gate opened, a child started) is looked at again first.
        # Children the caller cannot see (no runbook state) are found through the server's
        # pending children; their timers and execution timeouts count too.
        next_fire: datetime | None = None
        queue, seen = list(workflow_ids), set()
        while queue:
            workflow_id = queue.pop(0)
            if workflow_id in seen:
                continue
            seen.add(workflow_id)
            handle = self.client.get_workflow_handle(workflow_id)
            try:
                info = await handle.describe()
            except RPCError:
                continue
            if info.status != temporalio.client.WorkflowExecutionStatus.RUNNING:
                continue
            raw = info.raw_description
            unseen = workflow_id in workflow_ids and self.looked.get(workflow_id) != info.history_length
            if unseen or raw.pending_activities or raw.HasField("pending_workflow_task"):
                await self.wait_for_change(timeout)
                return
            queue += [child.workflow_id for child in raw.pending_children]
            fires = [await _next_timer(handle)]
            config = raw.execution_config
            for limit in (config.workflow_execution_timeout, config.workflow_run_timeout):
                if limit.ToTimedelta() > timedelta(0) and info.start_time is not None:
                    fires.append(info.start_time + limit.ToTimedelta())
            for fire in fires:
                if fire is not None and (next_fire is None or fire < next_fire):
                    next_fire = fire
        if next_fire is None:
            await self.wait_for_change(timeout)
            return
        from google.protobuf.empty_pb2 import Empty
        from temporalio.api.testservice.v1 import SleepRequest

        now = (await self.client.test_service.get_current_time(Empty())).time.ToDatetime(tzinfo=UTC)
        request = SleepRequest()
        request.duration.FromTimedelta(max(next_fire - now, timedelta(0)) + timedelta(milliseconds=1))
        await self.client.test_service.unlock_time_skipping_with_sleep(request)

    async def wait_for_change(self, timeout: float) -> None:
        """Wait a short poll interval (at most ``timeout`` seconds): Temporal pushes no change events."""
        interval = LOCAL_POLL_INTERVAL if self.time_skipping else POLL_INTERVAL
        await asyncio.sleep(max(0.0, min(timeout, interval)))

    def hold_time(self) -> AbstractAsyncContextManager[None]:
        """Keep the time-skipping server's clock still while the caller looks (see ``TemporalClient.hold_time``)."""
        return self._lock_for_the_block(True)

    def time_moving(self) -> AbstractAsyncContextManager[None]:
        """While awaiting a result on the time-skipping server, let its clock skip (as temporalio does)."""
        return self._lock_for_the_block(False)

    @asynccontextmanager
    async def _lock_for_the_block(self, lock: bool) -> AsyncIterator[None]:
        """Take one of the test server's time-skipping locks for the block (``lock``), or give one back."""
        if not self.time_skipping:
            yield
            return
        from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest

        service = self.client.test_service
        take, give = service.lock_time_skipping, service.unlock_time_skipping
        if lock:
            await take(LockTimeSkippingRequest())
        else:
            await give(UnlockTimeSkippingRequest())
        try:
            yield
        finally:
            if lock:
                await _quietly(give(UnlockTimeSkippingRequest()), "unlock time skipping")
            else:
                await _quietly(take(LockTimeSkippingRequest()), "lock time skipping")


async def _quietly(call: Any, what: str) -> None:
    try:
        await call
    except Exception as exc:  # the server is going away with the environment: nothing left to balance
        _log.debug("could not %s: %s", what, exc)


async def _next_timer(handle: temporalio.client.WorkflowHandle[Any, Any]) -> datetime | None:
    """Return when the earliest timer still pending in ``handle``'s history fires, or ``None``."""
    from temporalio.api.enums.v1 import EventType

    started: dict[int, datetime] = {}
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            attrs = event.timer_started_event_attributes
            fires = event.event_time.ToDatetime(tzinfo=UTC) + attrs.start_to_fire_timeout.ToTimedelta()
            started[event.event_id] = fires
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            started.pop(event.timer_fired_event_attributes.started_event_id, None)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            started.pop(event.timer_canceled_event_attributes.started_event_id, None)
    return min(started.values(), default=None)

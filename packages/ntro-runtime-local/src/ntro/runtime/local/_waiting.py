"""What workflow code waits on under LocalRuntime: the clock's time, its timers, and conditions."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime, timedelta

from ntro.runtime.local._base import RuntimeBase
from ntro.runtime.local._clock import Clock
from ntro.runtime.local._context import get_run


class Waiting(RuntimeBase):
    """Time, sleeps and conditions, on the runtime's clock."""

    def now(self) -> datetime:
        """Return the clock's time."""
        return self.clock.now()

    async def sleep(self, duration: timedelta, /) -> None:
        """Sleep on the runtime's clock (instant on a virtual clock once idle)."""
        await sleep_on(self.clock, duration)
        run = get_run()
        if run is not None:
            run.schedule_recheck()

    async def wait_condition(self, predicate: Callable[[], bool], timeout: timedelta | None, /) -> None:
        """Wait until ``predicate()`` is true; no polling: re-checked on events."""
        if predicate():
            return
        run = self._current_run("wait_condition")
        waiter = run.add_waiter(predicate)
        cancel_timer: Callable[[], None] | None = None
        if timeout is not None:

            def expire() -> None:
                if not waiter.future.done():
                    run.remove_waiter(waiter)
                    waiter.future.set_exception(TimeoutError("wait_condition timed out"))

            cancel_timer = self.clock.call_later(timeout, expire)
        if self._observers:
            self._emit("workflow.waiting", run.workflow_id, timeout=timeout.total_seconds() if timeout else None)
        self._touch()
        try:
            await waiter.future
        finally:
            run.remove_waiter(waiter)
            if cancel_timer is not None:
                cancel_timer()
            run.schedule_recheck()


async def sleep_on(clock: Clock, duration: timedelta) -> None:
    """Sleep ``duration`` on ``clock`` (a duration of zero or less yields to the loop once)."""
    if duration <= timedelta(0):
        await asyncio.sleep(0)
        return
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    cancel_timer = clock.call_later(duration, functools.partial(_resolve, future))
    try:
        await future
    finally:
        cancel_timer()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)

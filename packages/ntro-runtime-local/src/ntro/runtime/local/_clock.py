"""Clocks for LocalRuntime: the wall clock, or a virtual clock that skips idle time."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

DEFAULT_VIRTUAL_START = datetime(2026, 1, 1, tzinfo=UTC)
_COMPACT_AFTER = 64  # rebuild the timer heap once more than this many (and half of it) are cancelled


class _Timer:
    __slots__ = ("callback", "seq", "when")

    def __init__(self, when: datetime, seq: int, callback: Callable[[], None]) -> None:
        self.when = when
        self.seq = seq
        self.callback: Callable[[], None] | None = callback

    def __lt__(self, other: _Timer) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


class Clock:
    """What LocalRuntime needs from a clock: the time, and timers."""

    virtual: bool = False

    def now(self) -> datetime:
        """Return the current time, timezone-aware UTC."""
        raise NotImplementedError

    def call_later(self, delay: timedelta, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` after ``delay``; return a function that cancels it."""
        raise NotImplementedError


class WallClock(Clock):
    """Real time: ``now()`` is the system clock, timers are the event loop's."""

    def now(self) -> datetime:
        """Return the system time in UTC."""
        return datetime.now(UTC)

    def call_later(self, delay: timedelta, callback: Callable[[], None]) -> Callable[[], None]:
        """Schedule ``callback`` on the running loop after ``delay``.

        It runs in an empty context: a cancelled timer that waits in the
        loop's schedule keeps nothing of its caller's context (its run) alive.
        """
        handle = asyncio.get_running_loop().call_later(
            max(delay.total_seconds(), 0.0), callback, context=contextvars.Context()
        )
        return handle.cancel


class VirtualClock(Clock):
    """Deterministic time that jumps to the next timer when nothing else can happen.

    ``now()`` starts at ``start`` (2026-01-01T00:00:00Z by default) and moves
    only when a timer fires. A timer fires when the runtime is idle: no
    activity in flight, no hold (see :meth:`hold`) and no runtime event during
    a few event-loop turns. So ``runbook.sleep(timedelta(days=3))`` and long
    gate timeouts complete at once, while code that is still working is never
    overtaken by time.

    Args:
        start: The initial time (must be timezone-aware).
        settle_turns: Event-loop turns without runtime activity before time jumps.
    """

    virtual = True

    def __init__(self, start: datetime = DEFAULT_VIRTUAL_START, *, settle_turns: int = 8) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock start must be timezone-aware")
        self._now = start.astimezone(UTC)
        self._timers: list[_Timer] = []  # a heap; cancelled timers stay until dropped or compacted
        self._cancelled = 0  # how many timers in the heap are cancelled
        self._seq = itertools.count()
        self._settle_turns = settle_turns
        self._holds = 0
        self._generation = 0
        self._busy: Callable[[], bool] = lambda: False
        self._skipper: asyncio.Task[None] | None = None

    def now(self) -> datetime:
        """Return the virtual time."""
        return self._now

    def attach(self, busy: Callable[[], bool]) -> None:
        """Tell the clock how to ask its runtime whether work is in flight."""
        self._busy = busy

    def touch(self) -> None:
        """Note runtime activity: time will not jump during the next settle turns."""
        self._generation += 1

    def hold(self) -> None:
        """Stop time from jumping until :meth:`release` (nestable).

        Drivers that answer gates (harnesses, the CLI) hold the clock while
        they decide, so a gate's timeout never fires under them.
        """
        self._holds += 1

    def release(self) -> None:
        """Undo one :meth:`hold`."""
        if self._holds <= 0:
            raise RuntimeError("VirtualClock.release() without a matching hold()")
        self._holds -= 1
        self.touch()

    @property
    def held(self) -> bool:
        """Whether a :meth:`hold` is in force."""
        return self._holds > 0

    def advance(self, delta: timedelta) -> None:
        """Move time forward by ``delta`` now, firing every timer that falls due."""
        self._fire_until(self._now + delta)

    def call_later(self, delay: timedelta, callback: Callable[[], None]) -> Callable[[], None]:
        """Register a virtual timer; it fires when the runtime is idle.

        Cancelling it lets go of ``callback`` at once, so a long timeout that
        was cancelled keeps nothing alive until its time comes.
        """
        timer = _Timer(self._now + max(delay, timedelta(0)), next(self._seq), callback)
        heapq.heappush(self._timers, timer)
        self.touch()
        if self._skipper is None or self._skipper.done():
            # In an empty context, not the caller's: the skipper may outlive the run that started it.
            self._skipper = asyncio.get_running_loop().create_task(
                self._skip_idle_time(), name="ntro-virtual-clock", context=contextvars.Context()
            )
        return functools.partial(self._cancel, timer)

    def _cancel(self, timer: _Timer) -> None:
        if timer.callback is None:  # fired or already cancelled
            return
        timer.callback = None
        self._cancelled += 1
        if self._cancelled > _COMPACT_AFTER and self._cancelled * 2 > len(self._timers):
            self._timers = [t for t in self._timers if t.callback is not None]
            heapq.heapify(self._timers)
            self._cancelled = 0

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0].callback is None:
            heapq.heappop(self._timers)
            self._cancelled -= 1

    def _fire_until(self, until: datetime) -> None:
        self._drop_cancelled()
        while self._timers and self._timers[0].when <= until:
            timer = heapq.heappop(self._timers)
            callback = timer.callback
            if callback is None:
                self._cancelled -= 1
                continue
            timer.callback = None
            self._now = max(self._now, timer.when)
            callback()
            self._drop_cancelled()
        self._now = max(self._now, until)
        self.touch()

    async def _skip_idle_time(self) -> None:
        while True:
            self._drop_cancelled()
            if not self._timers:
                return
            generation = self._generation
            for _ in range(self._settle_turns):
                await asyncio.sleep(0)
            if generation != self._generation or self._holds or self._busy():
                if self._busy() or self._holds:
                    await asyncio.sleep(0.001)  # real work or a driver is deciding: don't spin
                continue
            self._drop_cancelled()
            if self._timers:
                self._fire_until(self._timers[0].when)

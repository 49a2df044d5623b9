"""Server-sent events: each open run page hears ``changed`` when its run moves.

One task per console watches the engine (:meth:`WorkflowClient.wait_for_change`:
at once on LocalRuntime, a short poll on Temporal) and wakes the streams; each
stream then looks at its run (one look per run and change, shared by every
page open on it) and sends ``changed`` when the run's fingerprint moved. The
page's script fetches the run's fragment and swaps it in.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from ntro.client import RunWatcher, time_control
from ntro.console._runs import fingerprint
from ntro.runtime.protocol import WorkflowClient

__all__ = ["Feeds"]

KEEPALIVE = 15.0
"""Seconds between keep-alive comments on an idle stream."""

MIN_GAP = 0.02
"""Seconds between two looks at the engine: a burst of events is one change for the pages."""

POLL = 0.25
"""Seconds between looks on an engine that cannot say when something changed."""


class Feeds:
    """The change streams of one console.

    Args:
        client: The engine's client.
        stopping: Set when the console stops: every stream ends.
    """

    def __init__(self, client: WorkflowClient, stopping: asyncio.Event) -> None:
        self.client = client
        self.stopping = stopping
        self._tick = asyncio.Event()
        self._generation = 0
        self._looks: dict[str, tuple[int, asyncio.Task[str | None]]] = {}
        self._watchers = 0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        clock = time_control(self.client, POLL)  # an engine without change notices: a short poll
        while not self.stopping.is_set():
            await clock.wait_for_change(KEEPALIVE)
            self._generation += 1
            self._tick.set()
            self._tick = asyncio.Event()
            await asyncio.sleep(MIN_GAP)

    def _ensure_watching(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch(), name="ntro-console-feeds")

    async def close(self) -> None:
        """Stop watching the engine."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    async def _fingerprint(self, root_id: str) -> str | None:
        """The run's fingerprint at the current generation, looked at once however many pages ask.

        The look is a task of its own: a page that goes away while it runs
        (its stream is cancelled) leaves it to finish for the others.
        """
        generation = self._generation
        cached = self._looks.get(root_id)
        if cached is None or cached[0] != generation:
            if len(self._looks) > 1000:
                self._looks.clear()
            cached = (generation, asyncio.get_running_loop().create_task(self._look(root_id)))
            self._looks[root_id] = cached
        return await asyncio.shield(cached[1])

    async def _look(self, root_id: str) -> str | None:
        try:
            descriptions = await RunWatcher(self.client, root_id).look()
        except Exception:  # the engine is unreachable for a moment: try again at the next change
            return None
        return fingerprint(descriptions) if descriptions else None

    async def fingerprint(self, root_id: str) -> str | None:
        """The run's fingerprint now (``None`` when it cannot be looked at)."""
        self._ensure_watching()
        return await self._fingerprint(root_id)

    async def moved(self, root_id: str, since: str | None, timeout: float) -> None:
        """Return once the run's fingerprint is no longer ``since``, or after ``timeout`` seconds.

        After an answer, the page it leads to then shows the run moved on
        (on LocalRuntime at once; on Temporal once the worker took it) instead
        of waiting for its live update.
        """
        if since is None:
            return
        self._ensure_watching()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await asyncio.sleep(0)  # let an in-process run take the answer first
            if await self._look(root_id) != since:  # a look of its own: the shared one is from before
                return
            left = deadline - loop.time()
            if left <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), min(left, POLL))

    async def changes(self, root_id: str, since: str | None = None) -> AsyncIterator[str]:
        """Yield server-sent event lines for run ``root_id`` until the console stops.

        ``event: changed`` when the run moved (at once when it moved since
        the page showed fingerprint ``since``); a comment every
        :data:`KEEPALIVE` seconds otherwise, so proxies keep the stream open.
        """
        self._ensure_watching()
        self._watchers += 1
        try:
            yield "retry: 2000\n\n"
            last = await self._fingerprint(root_id)
            if since and last is not None and last != since:
                yield "event: changed\ndata: {}\n\n"
            while not self.stopping.is_set():
                tick = self._tick
                stop = asyncio.ensure_future(self.stopping.wait())
                woke = asyncio.ensure_future(tick.wait())
                done, _ = await asyncio.wait({stop, woke}, timeout=KEEPALIVE, return_when=asyncio.FIRST_COMPLETED)
                for pending in (stop, woke):
                    pending.cancel()
                if self.stopping.is_set():
                    break
                if not done:
                    yield ": keep-alive\n\n"
                    continue
                now = await self._fingerprint(root_id)
                if now is not None and now != last:
                    last = now
                    yield "event: changed\ndata: {}\n\n"
        finally:
            self._watchers -= 1

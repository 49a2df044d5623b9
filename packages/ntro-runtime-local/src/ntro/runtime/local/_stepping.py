"""Stepping coroutines by hand: what a task does for a coroutine, without the task.

A LocalRuntime makes a task only where something must go on by itself. A
run driven by ``LocalRuntime.run`` is stepped in its caller's task
(:class:`InContext`); an async signal handler and an activity attempt with a
deadline take their first step at once (:func:`step_now`) and are awaited
from where that step left off (:class:`Resumed`).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, NoReturn


class InContext:
    """Await a coroutine with each of its steps run in ``context``: what a task does, without the task.

    ``LocalRuntime.run`` drives a run this way in its caller's task, so the
    run's code sees its own context (its run, its driver) while the caller's
    stays as it was. Whatever the coroutine yields goes to the caller's task,
    and whatever that task sends or throws in (a result, a cancellation) goes
    back to the coroutine. :meth:`cancel` cancels the coroutine as
    ``Task.cancel`` would, without touching the caller's task: the future it
    waits for is cancelled, or, if there is none, it is thrown
    ``CancelledError`` at its next step. The caller then sees the
    ``CancelledError``, as when awaiting a task that was cancelled.
    """

    __slots__ = ("_cancelling", "_context", "_coro", "_waiting")

    def __init__(self, context: contextvars.Context, coro: Coroutine[Any, Any, Any]) -> None:
        self._context = context
        self._coro = coro
        self._waiting: Any = None  # what the coroutine waits for, while it waits
        self._cancelling = False

    def cancel(self) -> None:
        """Cancel the coroutine where it waits, or at its next step."""
        waiting = self._waiting
        if waiting is not None and asyncio.isfuture(waiting) and waiting.cancel():
            return  # the cancelled future wakes it with a CancelledError
        self._cancelling = True

    def __await__(self) -> Generator[Any, Any, Any]:
        enter = self._context.run
        coro = self._coro
        step: Callable[[Any], Any] = coro.send
        value: Any = None
        while True:
            if self._cancelling:
                self._cancelling = False
                step, value = coro.throw, asyncio.CancelledError()
            try:
                yielded = enter(step, value)
            except StopIteration as stop:
                return stop.value
            if self._cancelling and yielded is not None and asyncio.isfuture(yielded) and yielded.cancel():
                self._cancelling = False  # asked while it ran: what it now waits for is cancelled
            self._waiting = yielded
            try:
                value = yield yielded
            except GeneratorExit:
                enter(coro.close)
                raise
            except BaseException as exc:  # a cancellation, or an error thrown in: the coroutine handles it
                step, value = coro.throw, exc
            else:
                step = coro.send
            finally:
                self._waiting = None


def step_now(coro: Coroutine[Any, Any, Any], context: contextvars.Context | None = None) -> tuple[bool, Any]:
    """Run ``coro``'s first step now (in ``context``, if given); its error, if it raises one, propagates.

    Returns ``(True, its result)`` when it ended in that step, else ``(False, the rest)``:
    a :class:`Resumed` to await, where the step left off.
    """
    try:
        yielded = coro.send(None) if context is None else context.run(coro.send, None)
    except StopIteration as stop:
        return True, stop.value
    return False, Resumed(coro, yielded)


class Resumed:
    """Await the rest of a coroutine whose first step has run and yielded ``yielded``."""

    __slots__ = ("_coro", "_yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self._coro = coro
        self._yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro = self._coro
        yielded = self._yielded
        while True:
            try:
                value = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation, or an error thrown in: the coroutine handles it
                step: Callable[[Any], Any] = coro.throw
                value = exc
            else:
                step = coro.send
            try:
                yielded = step(value)
            except StopIteration as stop:
                return stop.value


async def raising(exc: BaseException) -> NoReturn:
    """A coroutine that raises ``exc`` when awaited (to fail in a task as a coroutine would)."""
    raise exc


async def awaiting(awaitable: Awaitable[Any]) -> Any:
    """A coroutine that awaits ``awaitable`` (a task needs a coroutine)."""
    return await awaitable

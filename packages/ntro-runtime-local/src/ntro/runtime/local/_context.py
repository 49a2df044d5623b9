"""What a context knows: the local run whose workflow code it runs, and the activity attempt running in it.

Every run has a context of its own (its task's, or the one its caller's task
steps it in); :func:`enter` makes a context a run's. An activity runs in its
workflow's context, with its attempt set for the length of the call.

The variables are read and set through their methods bound once here
(:func:`get_run`, :func:`set_attempt`...), as every activity call does so:
CPython 3.11 compiles ``NAME.method()`` on an imported ``NAME`` as an
attribute load and a call (it takes the name for a module's), which makes a
bound method each time; a bound method imported is one plain call.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ntro.runtime.local._run import LocalRun
from ntro.runtime.protocol import bind_driver

if TYPE_CHECKING:
    from ntro.runtime.protocol import Runtime

_RUN: contextvars.ContextVar[LocalRun | None] = contextvars.ContextVar("ntro_local_run", default=None)

get_run = _RUN.get
"""Return the run whose workflow code this context runs (``None`` outside any local run)."""

set_run = _RUN.set
"""Make a run the one whose workflow code this context runs (``None``: none)."""


class Attempt:
    """The activity attempt running in a context: who called it, which attempt, and its heartbeats."""

    __slots__ = ("beat", "details", "name", "number", "previous", "run", "seq", "timeout")

    def __init__(
        self,
        run: LocalRun | None,
        seq: int,
        number: int,
        name: str,
        previous: tuple[Any, ...] = (),
        timeout: timedelta | None = None,
    ) -> None:
        self.run = run
        self.seq = seq
        self.number = number
        self.name = name
        self.previous = previous  # the details the last attempt heartbeated
        self.details: tuple[Any, ...] | None = None  # what this attempt heartbeated last
        self.timeout = timeout
        self.beat: Callable[[], None] | None = None  # restarts the heartbeat watchdog


_ACTIVITY: contextvars.ContextVar[Attempt | tuple[LocalRun | None, int, str] | None] = contextvars.ContextVar(
    "ntro_local_activity", default=None
)

get_attempt = _ACTIVITY.get
"""Return the activity attempt running in this context (``None`` outside activities), as it was set."""

set_attempt = _ACTIVITY.set
"""Set the attempt running in this context; return the token that resets it.

An attempt that may not need its record (a first attempt with no heartbeat
timeout) is set as just ``(run, seq, name)``: the :class:`Attempt` is made only
if the activity asks for it (see :func:`current_attempt`).
"""

reset_attempt = _ACTIVITY.reset
"""Restore the attempt that ran before, with the token :func:`set_attempt` returned."""


def current_attempt() -> Attempt | None:
    """Return the attempt running in this context, its record made now if need be (``None`` outside activities)."""
    current = _ACTIVITY.get()
    if type(current) is tuple:
        run, seq, name = current
        attempt = Attempt(run, seq, 1, name)
        _ACTIVITY.set(attempt)  # within the call: its reset restores what came before
        return attempt
    return current  # type: ignore[return-value]


def enter(ctx: contextvars.Context, runtime: Runtime, run: LocalRun) -> None:
    """Make ``ctx`` the context of ``run``'s workflow code, driven by ``runtime``."""
    ctx.run(_enter, runtime, run)


def _enter(runtime: Runtime, run: LocalRun) -> None:
    _RUN.set(run)
    bind_driver(runtime)
    _ACTIVITY.set(None)

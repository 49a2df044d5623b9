"""What the parts of a LocalRuntime share: its state, and how any part tells the observers and the clock.

:class:`~ntro.runtime.local.LocalRuntime` is one object made of parts, one
module each: runs (``_runs``), their children (``_children``), signal, query
and update handlers (``_handlers``), activities (``_activities``) and what
workflow code waits on (``_waiting``). Each part is a class on
:class:`RuntimeBase`, and LocalRuntime derives from them all, so a call of
workflow code reaches the part that serves it directly, with no object in
between. The state is set by ``LocalRuntime.__init__``.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any, cast

from ntro.runtime.local._clock import Clock, VirtualClock
from ntro.runtime.local._context import enter, get_run
from ntro.runtime.local._events import LocalEvent, Observer
from ntro.runtime.local._payloads import Payloads
from ntro.runtime.local._registry import RunTable
from ntro.runtime.local._run import LocalRun

if TYPE_CHECKING:
    from ntro.runtime.protocol import Runtime


class RuntimeBase:
    """The state of a LocalRuntime that its parts share (see the module docstring)."""

    clock: Clock
    """The runtime's clock: workflow time, timers and sleeps."""

    task_queue: str
    """The task queue a run reports unless it was given one."""

    _payloads: Payloads
    """How values cross from sender to receiver (payload parity or not), chosen at construction."""

    _runs: RunTable
    """The runs reachable by id."""

    _observers: list[Observer]
    _inflight: int  # activity attempts running now: a virtual clock does not jump meanwhile
    _virtual: VirtualClock | None  # the clock, when it is virtual

    def _emit(self, kind: str, workflow_id: str, **detail: Any) -> None:
        """Tell every observer about an event (callers check ``self._observers`` first, to build nothing for none)."""
        event = LocalEvent(kind, workflow_id, detail)
        for observer in list(self._observers):
            observer(event)

    def _touch(self) -> None:
        """Note runtime activity, so a virtual clock does not jump under it."""
        if self._virtual is not None:
            self._virtual.touch()

    def _enter_run(self, ctx: contextvars.Context, run: LocalRun) -> None:
        """Make ``ctx`` the context of ``run``'s workflow code, driven by this runtime."""
        enter(ctx, cast("Runtime", self), run)  # the parts make up one LocalRuntime

    def _current_run(self, what: str) -> LocalRun:
        """Return the run whose workflow code calls ``what``.

        Raises:
            RuntimeError: The caller is not workflow code of a local run.
        """
        run = get_run()
        if run is None:
            raise RuntimeError(f"{what} must be called from workflow code running under LocalRuntime")
        return run

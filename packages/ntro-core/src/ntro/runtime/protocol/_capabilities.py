"""What only some clients can do: optional capabilities a client offers and callers check for.

A :class:`~ntro.runtime.protocol.WorkflowClient` is all every engine must
implement. An engine that can do more says so by implementing one of these
protocols too; callers check with ``isinstance(client, TimeControl)`` (they are
``runtime_checkable``) and fall back when it does not, never asking a client
to fake what it cannot do:

* :class:`TimeControl`: it can tell when a run may have changed, and hold or
  skip time (LocalRuntime's virtual clock, Temporal's time-skipping test
  server). Without it, callers look again after a short sleep
  (:func:`ntro.client.time_control` does that for them).
* :class:`ReplayCheck`: it can replay finished histories against workflow
  code, to catch non-deterministic runbooks (Temporal's sandboxed replayer).
  Without it, the harness does not replay.
* :class:`EngineDescription`: it can say in a few words where its runs go
  (``ntro workflow run`` prints it). Without it, the backend's name is shown.
* :class:`~ntro.runtime.protocol.RunEventSource`: it reports what its runs
  do as they do it. Without it, callers read ``describe()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable

__all__ = ["EngineDescription", "ReplayCheck", "TimeControl"]


@runtime_checkable
class TimeControl(Protocol):
    """What a client offers when it can report changes and hold or skip time (optional).

    The local client offers it (its runtime's events, its virtual clock), and
    so does the Temporal client (a short poll, and the time-skipping test
    server's clock). :func:`ntro.client.drive` uses it so that skipped time
    never runs past a gate it is about to answer.
    """

    async def wait_for_change(self, timeout: float) -> None:
        """Return when a run of this client may have changed, or after ``timeout`` seconds.

        In-process engines return at the next event (no polling delay);
        networked ones may simply wait a short poll interval.
        """

    def hold_time(self) -> AbstractAsyncContextManager[None]:
        """Keep skipped (virtual) time from moving while the caller looks and answers.

        A no-op where time is real.
        """

    async def advance_time(self, workflow_ids: Sequence[str], timeout: float) -> None:
        """Let the runs ``workflow_ids`` move on by themselves, for at most ``timeout`` seconds.

        Where time is real this is :meth:`wait_for_change`. Where time is
        skipped, the clock moves once nothing else can happen (no activity or
        workflow task in flight), and only as far as the runs' next timer, so
        a gate opened by the work that timer wakes is seen before its own
        timeout can fire.
        """


@runtime_checkable
class ReplayCheck(Protocol):
    """What a client offers when it can replay finished runs against workflow code (optional).

    The Temporal client offers it: it fetches each history and replays it in
    the sandboxed replayer. The harness replays every run it finished through
    a client that offers it, and fails a run whose history does not replay
    (``RunResult.replayed``).
    """

    async def check_replay(self, workflow_ids: Sequence[str], workflows: Sequence[type]) -> str | None:
        """Replay the history of each of ``workflow_ids`` with the workflow classes ``workflows``.

        Returns:
            ``None`` when every history replays; otherwise one paragraph
            naming the workflow that did not, and why.
        """


@runtime_checkable
class EngineDescription(Protocol):
    """What a client offers when it can say where its runs go (optional)."""

    def describe_engine(self) -> str:
        """Say in a few words where this client runs workflows.

        For example ``"LocalRuntime, in-process"``, or ``"Temporal at
        temporal.internal:7233"``; ``ntro workflow run`` prints it when a run starts.
        """

"""LocalRuntime: run ntro runbooks in-process, with no broker and no server.

::

    from ntro.workflow import run_local
    summary = await run_local(NavMonthlyWorkflow, ctx, workflow_id="local-test")

or, to signal, query and cancel a run::

    handle = await start_local(NavMonthlyWorkflow, ctx)
    await handle.signal("tb_submitted", {...})
    result = await handle.result()

or through the client every backend offers (``ntro.clients`` entry point
``local``)::

    async with open_client(ClientOptions(time_skipping=True)) as client:
        handle = await client.start_workflow(NavMonthlyWorkflow, ctx)
        await handle.signal("tb_submitted", {...})
        result = await handle.result()

How values are passed: ``run_local``/``start_local`` (and a plain
``LocalRuntime()``) hand inputs, arguments, signals and results over as the
very objects given, which is fastest. The client (so ``ntro workflow run``
and the harness) uses ``LocalRuntime(payload_parity=True)``: every value goes
through the JSON conversion Temporal uses and is read back with the
receiver's type hints, so workflow code sees the same types as on Temporal
and a value Temporal cannot carry fails locally too.

A runtime keeps every running run and the ``retain_finished`` (default
1000) most recently finished ones reachable by id; older finished runs are
released, so a long-lived runtime's memory stays flat.

What it does not give you: durability (a crash loses the run), replay, and
the Temporal sandbox. A server-less driver cannot catch non-determinism;
use ``ntro workflow lint`` and the harness's Temporal mode for that.
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from typing import Any

from ntro.runtime.local._client import LocalClient, LocalClientHandle, open_client
from ntro.runtime.local._clock import Clock, VirtualClock, WallClock
from ntro.runtime.local._events import LocalEvent, Observer
from ntro.runtime.local._run import LocalWorkflowDescription, LocalWorkflowStatus
from ntro.runtime.local._runtime import DEFAULT_RETAIN_FINISHED, LocalChildHandle, LocalRuntime, LocalWorkflowHandle
from ntro.runtime.protocol import selected_runtime

__all__ = [
    "DEFAULT_RETAIN_FINISHED",
    "Clock",
    "LocalChildHandle",
    "LocalClient",
    "LocalClientHandle",
    "LocalEvent",
    "LocalRuntime",
    "LocalWorkflowDescription",
    "LocalWorkflowHandle",
    "LocalWorkflowStatus",
    "Observer",
    "VirtualClock",
    "WallClock",
    "default_runtime",
    "open_client",
    "run_local",
    "start_local",
]

_default: LocalRuntime | None = None


def default_runtime() -> LocalRuntime:
    """Return the LocalRuntime that ``run_local``/``start_local`` use by default.

    That is the selected runtime when it is a LocalRuntime (so
    ``set_runtime(LocalRuntime(clock=VirtualClock()))`` applies), else one
    shared instance on the wall clock.
    """
    global _default
    selected = selected_runtime()
    if isinstance(selected, LocalRuntime):
        return selected
    if _default is None:
        _default = LocalRuntime()
    return _default


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


async def start_local(
    workflow: type | str,
    arg: Any = _UNSET,
    /,
    *,
    args: Sequence[Any] = (),
    workflow_id: str | None = None,
    task_queue: str | None = None,
    runtime: LocalRuntime | None = None,
    observer: Observer | None = None,
    start_signal: str | None = None,
    start_signal_args: Sequence[Any] = (),
) -> LocalWorkflowHandle:
    """Start a workflow (class or registered slug) in-process and return its handle.

    Args:
        workflow: A ``@runbook.defn`` class, or its slug.
        arg: The single argument of its run method (omit for none).
        args: Several arguments instead of ``arg``.
        workflow_id: The id (default: a random UUID).
        task_queue: Reported by ``runbook.info()`` (default ``"local"``).
        runtime: The LocalRuntime to use (default :func:`default_runtime`).
        observer: Told about every event of the runtime from now on.
        start_signal: A signal whose handler runs before the run method
            (Temporal's signal-with-start).
        start_signal_args: The arguments of ``start_signal``.
    """
    if arg is not _UNSET and args:
        raise TypeError("pass either one positional argument or args=[...], not both")
    rt = runtime if runtime is not None else default_runtime()
    if observer is not None:
        rt.add_observer(observer)
    packed = tuple(args) if arg is _UNSET else (arg,)
    return rt.start(
        workflow,
        packed,
        workflow_id=workflow_id,
        task_queue=task_queue,
        start_signal=start_signal,
        start_signal_args=start_signal_args,
    )


def run_local(
    cls: type | str,
    arg: Any = None,
    *,
    args: Sequence[Any] = (),
    workflow_id: str | None = None,
    task_queue: str = "local",
    runtime: LocalRuntime | None = None,
) -> Coroutine[Any, Any, Any]:
    """Run a workflow in-process to completion; await the call for its result.

    The ntro 0.1.2 entry helper, kept: ``arg=None`` means the run method
    takes no argument. Use ``args=[a, b]`` for several. As in ntro 0.1.2, the
    run's code runs in the caller's task (no task is made for it; see
    :meth:`~ntro.runtime.local.LocalRuntime.run`), so cancelling the caller cancels the run.

    Returns:
        The coroutine of :meth:`~ntro.runtime.local.LocalRuntime.run` (what an ``async def`` would
        return, without a coroutine of its own around it).

    Raises:
        TypeError: Both ``arg`` and ``args`` were given (at the call).
    """
    if arg is not None and args:
        raise TypeError("pass either one positional argument or args=[...], not both")
    rt = runtime if runtime is not None else default_runtime()
    return rt.run(cls, tuple(args) if arg is None else (arg,), workflow_id=workflow_id, task_queue=task_queue)

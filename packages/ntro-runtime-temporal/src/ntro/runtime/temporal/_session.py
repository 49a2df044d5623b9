"""What a Temporal client and the handles it gives share: the connection, the timeouts, what it learned about runs.

:class:`ClientSession` is the base of :class:`~ntro.runtime.temporal.TemporalClient`;
each :class:`~ntro.runtime.temporal.TemporalWorkflowHandle` holds the client
it came from as its session. The session keeps the ``temporalio`` client and
where it points (for messages), the query and reconnect timeouts, the
:class:`~ntro.runtime.temporal._clock.Clock` (time control), the
:class:`~ntro.runtime.temporal._watch.RunWatch` of the worker hosted in this
process, and what describing runs taught it: failed workflow tasks by history
length, and the workflow types that answer no runbook query. It also turns
the server's errors into ntro's (:class:`TemporalUnavailableError`, and
:class:`~ntro.workflow.exceptions.WorkflowNotFoundError` for an unknown id).
"""

from __future__ import annotations

from typing import Any

import temporalio.client
from temporalio.service import RPCError, RPCStatusCode

from ntro.runtime.protocol import WorkflowDescription, WorkflowStatus
from ntro.runtime.temporal._clock import Clock
from ntro.runtime.temporal._connect import default_task_queue
from ntro.runtime.temporal._watch import RunWatch
from ntro.workflow.exceptions import NtroError, WorkflowNotFoundError

__all__ = [
    "ClientSession",
    "QueryTimeoutError",
    "TemporalUnavailableError",
    "UnknownQueryError",
    "UnknownUpdateError",
    "workflow_status",
]


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


class ClientSession:
    """The connection and the state a :class:`~ntro.runtime.temporal.TemporalClient` shares with its handles.

    Its arguments are the client's (see :class:`~ntro.runtime.temporal.TemporalClient`).
    """

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
        time_skipping = environment is not None and bool(getattr(environment, "supports_time_skipping", False))
        self._clock = Clock(client, time_skipping=time_skipping)
        self._watch = RunWatch()
        self._task_failures: dict[tuple[str, int], str | None] = {}  # (workflow id, history length) -> failure
        self._unbundled_types: set[str] = set()  # workflow types without the one-query runbook state
        self._stateless_types: set[str] = set()  # workflow types without any runbook query
        self._started: dict[str, None] = {}  # the runs this client started (listed where visibility is missing)

    @property
    def where(self) -> str:
        """``host:port (namespace N)``, for messages."""
        return f"{self.client.service_client.config.target_host} (namespace {self.client.namespace})"

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

"""One run on Temporal: signal, update, query, describe, collect, cancel and end it.

A :class:`TemporalWorkflowHandle` is what a
:class:`~ntro.runtime.temporal.TemporalClient` gives for a run (``start_workflow``,
``get_workflow_handle``). It talks to the server through its client's
:class:`~ntro.runtime.temporal._session.ClientSession`: ``result()`` rides out
a server that goes away for a while, and ``describe()`` reads the runbook's
state through its queries, unless the run's workflow task keeps failing (the
crash is said instead of waiting for queries no worker can answer).
"""

from __future__ import annotations

import asyncio
import logging
import time
import typing
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import attrs
import temporalio.client
from temporalio.service import RPCError, RPCStatusCode

from ntro.runtime.protocol import (
    RUNBOOK_QUERIES,
    RUNBOOK_STATE_QUERY,
    WorkflowDescription,
    WorkflowStatus,
    resolve_workflow,
    runbook_state,
)
from ntro.runtime.temporal._errors import from_update_failure, from_workflow_failure
from ntro.runtime.temporal._session import (
    ClientSession,
    QueryTimeoutError,
    TemporalUnavailableError,
    UnknownQueryError,
    UnknownUpdateError,
    workflow_status,
)
from ntro.runtime.temporal._watch import Crashed
from ntro.workflow.exceptions import WorkflowError, WorkflowNotFoundError

__all__ = ["TemporalWorkflowHandle", "result_type_of"]

_log = logging.getLogger("ntro.runtime.temporal")

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

# The order describe() asks RUNBOOK_QUERIES in: one after the other (queries sent together while a
# workflow task is in flight wait for the next one, a second or so), the pending action first. Only a
# person closes a gate, so steps asked after it are never older than the gate it shows.
_STATE_ORDER = ("current_pending_action", "current_steps", "children_by_step_id")
assert set(_STATE_ORDER) == set(RUNBOOK_QUERIES)


def result_type_of(run_fn: Callable[..., Any]) -> type | None:
    """Return what ``run_fn`` is annotated to return, to decode a result into (``None``: plain JSON data)."""
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
        client: ClientSession,
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
                async with self._client._clock.time_moving():
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
        self._result_type = result_type_of(getattr(defn.cls, defn.run_method))
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
        self._client._clock.looked[self._id] = info.history_length
        raw = info.raw_description
        failing = raw.HasField("pending_workflow_task") and raw.pending_workflow_task.attempt > 1
        crash = self._client._watch.crashes.get(self._id) if not description.status.finished else None
        if crash is not None:  # the worker in this process saw its workflow task fail: no history to read
            return attrs.evolve(description, task_failure=crash)
        if failing or (self._client._clock.time_skipping and not description.status.finished):
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
            described: WorkflowDescription = await self._client._watch.unless_crashed(
                self._id, lambda: self._state(description, timeout)
            )
        except Crashed:
            return attrs.evolve(description, task_failure=self._client._watch.crashes[self._id])
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

"""The client protocol (TemporalClient through open_client) on both real servers.

Every test runs twice: on the time-skipping test server
(``ClientOptions(time_skipping=True)``) and on a dev server that
``open_client`` starts itself because no host is configured. Each client
hosts the test flows on its own worker for the module's lifetime.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import ntro_temporal_testflows as flows
import pytest
import pytest_asyncio

from ntro.runtime.protocol import (
    ClientOptions,
    WorkflowClient,
    WorkflowDescription,
    WorkflowHandle,
    WorkflowStatus,
    open_client,
)
from ntro.runtime.temporal import TemporalClient, UnknownQueryError
from ntro.runtime.temporal.testing import ServerNotFoundError
from ntro.workflow.exceptions import (
    WorkflowAlreadyStartedError,
    WorkflowError,
    WorkflowFailedError,
    WorkflowNotFoundError,
)

pytestmark = [pytest.mark.temporal, pytest.mark.asyncio(loop_scope="session")]

WORKFLOWS = [flows.GateFlow, flows.ChildFlow, flows.FailFlow, flows.NotesFlow]
ACTIVITIES = [flows.add, flows.fatal]
LOOKS = 600  # bounded waits: up to LOOKS polls of the client's own poll interval


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=["time-skipping", "dev"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[TemporalClient]:
    options = ClientOptions(workflows=WORKFLOWS, activities=ACTIVITIES, time_skipping=request.param == "time-skipping")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("TEMPORAL_"):  # no host anywhere: open_client starts a dev server
                patch.delenv(name)
        try:
            opened = open_client("temporal", options)
            async with opened as temporal:
                assert isinstance(temporal, TemporalClient)
                yield temporal
        except ServerNotFoundError as exc:
            pytest.fail(str(exc))


def _skips_time(client: TemporalClient) -> bool:
    return client.environment is not None and bool(client.environment.supports_time_skipping)


async def _until(client: TemporalClient, look: Callable[[], Awaitable[Any]], what: str) -> Any:
    for _ in range(LOOKS):
        found = await look()
        if found:
            return found
        await client.wait_for_change(0.05)
    pytest.fail(f"never saw {what}")


async def _waiting(client: TemporalClient, handle: WorkflowHandle) -> WorkflowDescription:
    async def look() -> WorkflowDescription | None:
        description = await handle.describe()
        return description if description.pending_action is not None else None

    found: WorkflowDescription = await _until(client, look, f"{handle.id} waiting for a person")
    return found


async def test_it_is_the_client_protocol(client: TemporalClient) -> None:
    assert isinstance(client, WorkflowClient)
    assert client.runtime_name == "temporal"
    assert client.task_queue.startswith("ntro-run-")
    assert isinstance(client.get_workflow_handle("any"), WorkflowHandle)


async def test_a_runbook_started_by_slug_is_described_answered_and_collected(client: TemporalClient) -> None:
    handle = await client.start_workflow("tflows-gate")
    assert str(uuid.UUID(handle.id)) == handle.id  # the default id is a random UUID
    waiting = await _waiting(client, handle)
    assert waiting.status is WorkflowStatus.RUNNING
    assert (waiting.workflow_type, waiting.task_queue, waiting.close_time) == ("GateFlow", client.task_queue, None)
    assert [(s.id, s.title, s.status, s.icon) for s in waiting.steps] == [
        ("upload", "Upload", "active", "Upload"),
        ("fan_out", "Fan out", "pending", "Split"),
    ]
    assert waiting.pending_action is not None
    assert waiting.pending_action["kind"] == "submit_file"
    assert waiting.pending_action["args"] == {"signal_task_id": handle.id, "signal_name": "document_submitted"}

    await handle.signal("document_submitted", {"document_ref": "doc-1"})
    result = await handle.result()
    assert result["document"] == {"document_ref": "doc-1"}

    done = await handle.describe()
    assert done.status is WorkflowStatus.COMPLETED and done.close_time is not None
    assert [s.status for s in done.steps] == ["completed", "completed"]
    assert done.pending_action is None
    assert [(c.workflow_id, c.slug, c.step_id, c.status) for c in done.children] == [
        (f"{handle.id}:fan_out:tflows-child:{i}", "tflows-child", "fan_out", "completed") for i in range(2)
    ]
    child = await client.get_workflow_handle(done.children[0].workflow_id).describe()
    assert child.parent_workflow_id == handle.id
    assert (child.steps, child.pending_action, child.children) == ((), None, ())  # a plain workflow: no such queries


async def test_none_is_a_signal_value_and_a_plain_workflow_has_no_runbook_state(client: TemporalClient) -> None:
    handle = await client.start_workflow(flows.NotesFlow, "n", id=f"notes-{uuid.uuid4().hex}")
    await handle.signal("note", None)
    await handle.signal("note", {"a": 1})

    async def both_seen() -> bool:
        return bool(await handle.query("seen") == [None, {"a": 1}])

    await _until(client, both_seen, "both notes")
    description = await handle.describe()
    assert description.status is WorkflowStatus.RUNNING
    assert (description.steps, description.pending_action, description.children) == ((), None, ())
    with pytest.raises(UnknownQueryError, match="has no query 'no_such_query'"):
        await handle.query("no_such_query")
    with pytest.raises(LookupError):
        await handle.query("no_such_query")

    with pytest.raises(TypeError, match="a signal carries at most one argument, not 2"):
        await handle.signal("note", 1, 2)
    await handle.signal("done")
    result = await handle.result()
    assert result == flows.Reply(text="n: [None, {'a': 1}]", total=2)
    # Looked up by id, the result is still decoded into the run method's return type.
    assert await client.get_workflow_handle(handle.id).result() == result


async def test_signal_with_start(client: TemporalClient) -> None:
    handle = await client.start_workflow(flows.NotesFlow, "s", start_signal="note", start_signal_args=["first"])
    await handle.signal("done")
    assert (await handle.result()).text == "s: ['first']"


async def test_a_failed_run_raises_what_runbook_code_would_see(client: TemporalClient) -> None:
    cases = [
        ("workflow-error", "BadInput", "bad input", False, ({"field": "x"},)),
        ("activity", "Fatal", "fatal uncaught", True, ({"kind": "uncaught"},)),
    ]
    for how, error_type, message, non_retryable, details in cases:
        handle = await client.start_workflow(flows.FailFlow, how)
        with pytest.raises(WorkflowFailedError) as caught:
            await handle.result()
        failed = caught.value
        assert (failed.workflow_id, failed.status) == (handle.id, "FAILED")
        assert failed.message == f"workflow {handle.id} failed: {error_type}: {message}"
        assert isinstance(failed.cause, WorkflowError)
        assert (failed.cause.type, failed.cause.message) == (error_type, message)
        assert (failed.cause.non_retryable, failed.cause.details) == (non_retryable, details)
        assert (await handle.describe()).status is WorkflowStatus.FAILED
    if _skips_time(client):  # a five-minute gate timeout: only where time skips
        handle = await client.start_workflow(flows.FailFlow, "timeout")
        with pytest.raises(WorkflowFailedError) as caught:
            await handle.result()
        assert caught.value.status == "FAILED"
        assert isinstance(caught.value.cause, TimeoutError)
        assert str(caught.value.cause) == "wait_condition timed out"


@pytest.mark.parametrize("how", ["cancel", "terminate"])
async def test_cancelled_and_terminated_runs_say_so(client: TemporalClient, how: str) -> None:
    handle = await client.start_workflow(flows.NotesFlow, how)
    # Answered once its first workflow task ran: the time-skipping test server leaves time locked
    # for good when a run is terminated while that task is in flight (a test-server quirk).
    assert await handle.query("seen") == []
    if how == "cancel":
        await handle.cancel()
    else:
        await handle.terminate("enough")
    with pytest.raises(WorkflowFailedError) as caught:
        await handle.result()
    expected = {
        "cancel": ("CANCELED", f"workflow {handle.id} was cancelled"),
        "terminate": ("TERMINATED", f"workflow {handle.id} was terminated: enough"),
    }[how]
    assert (caught.value.status, caught.value.message) == expected
    assert caught.value.cause is None
    assert (await handle.describe()).status is WorkflowStatus(expected[0])
    await handle.cancel()  # a finished run is left as it is


async def test_a_run_that_timed_out(client: TemporalClient) -> None:
    workflow_id = f"timeout-{uuid.uuid4().hex}"
    limit = timedelta(days=1) if _skips_time(client) else timedelta(seconds=1)
    await client.client.start_workflow(
        flows.NotesFlow.run, "t", id=workflow_id, task_queue=client.task_queue, execution_timeout=limit
    )
    with pytest.raises(WorkflowFailedError) as caught:
        await client.get_workflow_handle(workflow_id).result()
    assert (caught.value.status, caught.value.message) == ("TIMED_OUT", f"workflow {workflow_id} timed out")
    assert isinstance(caught.value.cause, TimeoutError)


async def test_unknown_and_taken_ids_and_unknown_slugs(client: TemporalClient) -> None:
    missing = client.get_workflow_handle("no-such-run")
    calls: list[Callable[[], Awaitable[Any]]] = [
        missing.describe,
        missing.result,
        missing.cancel,
        lambda: missing.signal("note", 1),
        lambda: missing.query("seen"),
    ]
    for call in calls:
        with pytest.raises(WorkflowNotFoundError, match="no workflow with id 'no-such-run' on Temporal at "):
            await call()

    taken = f"taken-{uuid.uuid4().hex}"
    handle = await client.start_workflow(flows.NotesFlow, "a", id=taken)
    with pytest.raises(WorkflowAlreadyStartedError, match=f"a workflow with id '{taken}' is already running"):
        await client.start_workflow(flows.NotesFlow, "b", id=taken)
    with pytest.raises(WorkflowError) as unknown:
        await client.start_workflow("no-such-slug")
    assert unknown.value.type == "UnknownWorkflowSlug"
    await handle.signal("done")
    await handle.result()
    with pytest.raises(WorkflowNotFoundError, match=f"workflow {taken} completed; only a running workflow takes"):
        await handle.signal("note", 1)


async def test_list_workflows_by_status(client: TemporalClient) -> None:
    handle = await client.start_workflow(flows.NotesFlow, "listed")

    def lister(status: WorkflowStatus, present: bool) -> Callable[[], Awaitable[Any]]:
        async def look() -> tuple[list[WorkflowDescription]] | None:
            runs = await client.list_workflows(status=status)
            return (runs,) if (handle.id in {r.workflow_id for r in runs}) is present else None

        return look

    (running,) = await _until(client, lister(WorkflowStatus.RUNNING, True), "the run listed as running")
    assert {r.status for r in running} == {WorkflowStatus.RUNNING}
    assert all(r.steps == () for r in running)  # listed without runbook state
    await handle.signal("done")
    await handle.result()
    (completed,) = await _until(client, lister(WorkflowStatus.COMPLETED, True), "the run listed as completed")
    assert {r.status for r in completed} == {WorkflowStatus.COMPLETED}
    await _until(client, lister(WorkflowStatus.RUNNING, False), "the run gone from the running ones")
    newest_first = await client.list_workflows()
    starts = [r.start_time for r in newest_first]
    assert starts == sorted(starts, key=lambda t: t.timestamp() if t else 0, reverse=True)
    assert len(await client.list_workflows(limit=1)) == 1


async def test_held_time_does_not_pass_while_a_gate_is_answered(client: TemporalClient) -> None:
    # GateFlow's upload gate times out after two days: on the time-skipping server, a result()
    # awaited meanwhile would skip straight past it unless the client holds time.
    handle = await client.start_workflow(flows.GateFlow)
    async with client.hold_time():
        result = asyncio.ensure_future(handle.result())
        await _waiting(client, handle)
        await handle.signal("document_submitted", {"document_ref": "held"})
    assert (await result)["document"] == {"document_ref": "held"}


async def test_a_closed_run_no_worker_answers_for_has_empty_state(client: TemporalClient) -> None:
    # No worker polls this queue: the run never starts, and its queries can never be answered.
    impatient = TemporalClient(client.client, task_queue=f"nobody-{uuid.uuid4().hex}", closed_query_timeout=0.5)
    handle = await impatient.start_workflow(flows.GateFlow)
    await handle.terminate("never served")
    description = await handle.describe()
    assert description.status is WorkflowStatus.TERMINATED
    assert (description.steps, description.pending_action, description.children) == ((), None, ())

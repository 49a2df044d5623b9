"""Heartbeats, cancellation, updates and continue-as-new through TemporalClient on the time-skipping server.

The conformance suite compares these features with LocalRuntime; here are
what only one engine can show (a stalled attempt, a cancellation delivered
by heartbeat) and the client's errors. The worker-SIGKILL proof is in
``tests/durability``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import ntro_long_running_flows as flows
import pytest
import pytest_asyncio

from ntro.runtime.protocol import ClientOptions, WorkflowStatus, open_client
from ntro.runtime.temporal import TemporalClient, UnknownUpdateError
from ntro.runtime.temporal.testing import ServerNotFoundError
from ntro.workflow.exceptions import UpdateFailedError, WorkflowNotFoundError

pytestmark = [pytest.mark.temporal, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client() -> AsyncIterator[TemporalClient]:
    options = ClientOptions(workflows=flows.WORKFLOWS, activities=flows.ACTIVITIES, time_skipping=True)
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("TEMPORAL_"):
                patch.delenv(name)
        try:
            async with open_client("temporal", options) as temporal:
                assert isinstance(temporal, TemporalClient)
                yield temporal
        except ServerNotFoundError as exc:
            pytest.fail(str(exc))


@pytest.fixture(autouse=True)
def _clear() -> None:
    flows.attempts.clear()
    flows.cancelled.clear()


async def test_a_stalled_attempt_is_retried_after_its_heartbeat_timeout_with_its_details(
    client: TemporalClient,
) -> None:
    handle = await client.start_workflow(flows.StallFlow, 1.0)
    assert await handle.result() == {"attempt": 2, "details": [{"row": 7}]}
    assert flows.attempts == [(1, ()), (2, ({"row": 7},))]


async def test_cancelling_the_run_reaches_the_heartbeating_activity(client: TemporalClient) -> None:
    handle = await client.start_workflow(flows.BeatFlow)
    for _ in range(600):
        if flows.attempts:
            break
        await asyncio.sleep(0.05)
    assert flows.attempts, "the activity never started"
    await handle.cancel()
    for _ in range(600):  # delivered with the activity's next heartbeat
        if flows.cancelled:
            break
        await asyncio.sleep(0.05)
    assert flows.cancelled == [1]
    for _ in range(600):
        if (await handle.describe(with_state=False)).status.finished:
            break
        await asyncio.sleep(0.05)
    assert (await handle.describe(with_state=False)).status is WorkflowStatus.CANCELED


async def test_updates_answer_refuse_and_name_what_is_missing(client: TemporalClient) -> None:
    handle = await client.start_workflow(flows.Limits)
    assert await handle.update("set_limit", 4) == 8
    with pytest.raises(UpdateFailedError) as refused:
        await handle.update("set_limit", -1)
    assert (refused.value.cause.type, refused.value.cause.message) == (
        "ValueError",
        "the limit must be positive, not -1",
    )
    assert (
        str(refused.value)
        == f"update set_limit of workflow {handle.id} failed: ValueError: the limit must be positive, not -1"
    )
    with pytest.raises(UnknownUpdateError, match="has no update 'nope'"):
        await handle.update("nope")
    with pytest.raises(TypeError, match="at most one argument"):
        await handle.update("set_limit", 1, 2)
    assert await handle.update("finish") == "finishing"
    assert await handle.result() == 4
    with pytest.raises(WorkflowNotFoundError, match="only a running workflow takes updates"):
        await handle.update("finish")


async def test_continue_as_new_keeps_the_id_and_the_last_run_answers(client: TemporalClient) -> None:
    handle = await client.start_workflow(flows.Periods, 1)
    result = await handle.result()
    assert result["period"] == 3
    description = await client.get_workflow_handle(handle.id).describe(with_state=False)
    assert description.status is WorkflowStatus.COMPLETED
    assert description.run_id == result["run_id"] != handle.first_execution_run_id


async def test_a_blank_workflow_id_is_refused_before_the_server_is_asked(client: TemporalClient) -> None:
    with pytest.raises(ValueError, match="is empty: give a non-blank id"):
        await client.start_workflow(flows.Limits, id=" ")

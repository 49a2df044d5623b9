"""Heartbeats, continue-as-new and updates under LocalRuntime (the conformance suite compares them with Temporal)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from ntro.runtime.local import LocalClient, LocalRuntime, VirtualClock, open_client, run_local
from ntro.runtime.protocol import ClientOptions, WorkflowStatus
from ntro.workflow import NtroWorkflow, RetryPolicy, WorkflowError, activity, runbook
from ntro.workflow.exceptions import NotInWorkflowError, UpdateFailedError, WorkflowNotFoundError

QUICK = RetryPolicy(initial_interval=timedelta(milliseconds=1), maximum_attempts=3)
attempts: list[tuple[int, tuple[Any, ...]]] = []
cancelled: list[int] = []


@pytest.fixture(autouse=True)
def _clear() -> None:
    attempts.clear()
    cancelled.clear()


@activity.defn
async def stalls_once() -> dict[str, Any]:
    """Heartbeat, then hang on the first attempt (as if its worker died); finish on the next."""
    info = activity.info()
    attempts.append((info.attempt, info.heartbeat_details))
    if info.attempt == 1:
        activity.heartbeat({"row": 7})
        await asyncio.Event().wait()
    return {"attempt": info.attempt, "details": list(info.heartbeat_details)}


@activity.defn
async def keeps_beating() -> None:
    """Heartbeat forever, noting a cancellation when it arrives."""
    attempts.append((activity.info().attempt, ()))
    try:
        while True:
            activity.heartbeat()
            await asyncio.sleep(0.001)
    except asyncio.CancelledError:
        cancelled.append(activity.info().attempt)
        raise


@runbook.defn
class StallFlow:
    @runbook.run
    async def run(self, heartbeat_s: float) -> dict[str, Any]:
        return await runbook.execute_activity(
            stalls_once, heartbeat_timeout=heartbeat_s, start_to_close_timeout=timedelta(hours=1), retry_policy=QUICK
        )


@runbook.defn
class BeatFlow:
    @runbook.run
    async def run(self) -> None:
        await runbook.execute_activity(keeps_beating, heartbeat_timeout=timedelta(seconds=30))


@pytest.mark.parametrize("clock", ["wall", "virtual"])
async def test_an_attempt_that_stops_heartbeating_is_retried_with_its_last_details(clock: str) -> None:
    runtime = LocalRuntime(clock=VirtualClock() if clock == "virtual" else None, payload_parity=True)
    result = await run_local(StallFlow, 0.05, runtime=runtime)
    assert result == {"attempt": 2, "details": [{"row": 7}]}
    assert attempts == [(1, ()), (2, ({"row": 7},))]


async def test_a_heartbeat_timeout_without_retries_fails_the_call_as_a_timeout() -> None:
    @runbook.defn
    class NoRetry:
        @runbook.run
        async def run(self) -> str:
            try:
                await runbook.execute_activity(
                    stalls_once, heartbeat_timeout=0.05, retry_policy=RetryPolicy(maximum_attempts=1)
                )
            except WorkflowError as exc:
                return f"{exc.type}: {exc.message} retryable={not exc.non_retryable}"
            return "finished"

    assert (
        await run_local(NoRetry)
        == "ActivityTimeout: activity timed out (heartbeat timeout of 0:00:00.050000) retryable=True"
    )


async def test_cancelling_the_run_reaches_a_heartbeating_activity() -> None:
    async with open_client(ClientOptions(time_skipping=True)) as client:
        handle = await client.start_workflow(BeatFlow)
        for _ in range(10_000):  # until the activity is in flight
            if attempts:
                break
            await asyncio.sleep(0)
        assert attempts, "the activity never started"
        await handle.cancel()
        assert (await handle.describe()).status is WorkflowStatus.CANCELED
    assert cancelled == [1]


async def test_heartbeat_and_info_outside_an_activity_say_where_they_work() -> None:
    with pytest.raises(NotInWorkflowError, match=r"activity\.heartbeat"):
        activity.heartbeat(1)


# -- continue-as-new ----------------------------------------------------------------------------------
@activity.defn
async def close_period(period: int) -> str:
    return f"closed {period}"


@runbook.defn
class Periods(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    @runbook.step(name="close", title="Close the period")
    async def _close(self, period: int) -> str:
        return await runbook.execute_activity(close_period, period)

    @runbook.run
    async def run(self, period: int, closed: list[str]) -> dict[str, Any]:
        closed = [*closed, await self._close(period)]
        if period < 3:
            runbook.continue_as_new(args=[period + 1, closed])
        return {"closed": closed, "steps": self.current_steps(), "run_id": runbook.info().run_id}


async def test_continue_as_new_runs_the_chain_under_one_id_and_returns_the_last_result() -> None:
    async with open_client(ClientOptions(time_skipping=True)) as client:
        handle = await client.start_workflow(Periods, 1, [], id="periods")
        result = await handle.result()
        assert result["closed"] == ["closed 1", "closed 2", "closed 3"]
        # the new run starts afresh: one step, completed (not failed by the continue-as-new)
        assert [(s["id"], s["status"]) for s in result["steps"]] == [("close", "completed")]
        assert result["run_id"]  # a continued run has a run id of its own
        description = await client.get_workflow_handle("periods").describe()
        assert description.status is WorkflowStatus.COMPLETED
        assert description.run_id == result["run_id"]


async def test_continue_as_new_with_raw_handles_follows_the_chain() -> None:
    runtime = LocalRuntime()
    assert (await run_local(Periods, args=[2, ["closed 1"]], runtime=runtime))["closed"] == [
        "closed 1",
        "closed 2",
        "closed 3",
    ]


async def test_continue_as_new_outside_a_workflow_is_refused() -> None:
    with pytest.raises(NotInWorkflowError, match="continue_as_new"):
        runbook.continue_as_new(1)


# -- updates ------------------------------------------------------------------------------------------
@runbook.defn
class Limits:
    def __init__(self) -> None:
        self.limit = 1
        self.done = False

    @runbook.run
    async def run(self) -> int:
        await runbook.wait_condition(lambda: self.done)
        return self.limit

    @runbook.update
    async def set_limit(self, limit: int) -> int:
        if limit == 13:
            raise KeyError("unlucky")
        self.limit = limit
        return limit * 2

    @set_limit.validator
    def _positive(self, limit: int) -> None:
        if limit <= 0:
            raise ValueError(f"the limit must be positive, not {limit}")

    @runbook.update(name="finish")
    def finish_now(self) -> str:
        self.done = True
        return "finishing"


@pytest.fixture
async def client() -> AsyncIterator[LocalClient]:
    async with open_client(ClientOptions(time_skipping=True)) as c:
        yield c


async def test_an_update_answers_and_changes_the_run(client: LocalClient) -> None:
    handle = await client.start_workflow(Limits)
    assert await handle.update("set_limit", 5) == 10
    assert await handle.update("finish") == "finishing"
    assert await handle.result() == 5


async def test_a_validator_refuses_before_any_state_changes(client: LocalClient) -> None:
    handle = await client.start_workflow(Limits)
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
    with pytest.raises(UpdateFailedError, match="KeyError"):
        await handle.update("set_limit", 13)
    await handle.update("finish")
    assert await handle.result() == 1  # neither the refused nor the failed update changed the limit


async def test_update_mistakes_are_clear(client: LocalClient) -> None:
    handle = await client.start_workflow(Limits)
    with pytest.raises(LookupError, match=r"has no update 'nope' \(updates: finish, set_limit\)"):
        await handle.update("nope")
    with pytest.raises(TypeError, match="at most one argument"):
        await handle.update("set_limit", 1, 2)
    await handle.update("finish")
    await handle.result()
    with pytest.raises(WorkflowNotFoundError, match="takes no more updates"):
        await handle.update("finish")


def test_a_validator_must_be_plain_and_belong_to_an_update() -> None:
    with pytest.raises(TypeError, match="must be a plain 'def'"):

        class AsyncValidator:
            @runbook.update
            async def go(self) -> None: ...

            @go.validator
            async def _check(self) -> None: ...

    def orphan_check(self: Any) -> None: ...

    orphan_check.__ntro_update_validator__ = "missing"  # type: ignore[attr-defined]

    with pytest.raises(TypeError, match="validates update 'missing', which the class does not have"):

        @runbook.defn
        class Orphan:
            check = orphan_check

            @runbook.run
            async def run(self) -> None: ...


async def test_an_update_error_type_is_kept_when_it_is_a_workflow_error(client: LocalClient) -> None:
    @runbook.defn
    class Strict:
        @runbook.run
        async def run(self) -> None:
            await runbook.wait_condition(lambda: False, timeout=timedelta(days=1))

        @runbook.update
        def check(self, value: str) -> None:
            raise WorkflowError("bad value", {"value": value}, type="BadValue", non_retryable=True)

    handle = await client.start_workflow(Strict)
    with pytest.raises(UpdateFailedError) as failed:
        await handle.update("check", "x")
    assert (failed.value.cause.type, failed.value.cause.details) == ("BadValue", ({"value": "x"},))
    await handle.cancel()


@pytest.mark.parametrize("blank", ["", "   "])
async def test_a_blank_workflow_id_is_refused_before_anything_starts(client: LocalClient, blank: str) -> None:
    with pytest.raises(ValueError, match="is empty: give a non-blank id, or none for a random UUID"):
        await client.start_workflow(Limits, id=blank)
    assert await client.list_workflows() == []

"""LocalRuntime: the seed page's promises and the improvements over ntro 0.1.2."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ntro.runtime.local import LocalEvent, LocalRuntime, LocalWorkflowStatus, VirtualClock, run_local, start_local
from ntro.workflow import (
    ActivityInfo,
    NtroWorkflow,
    RetryPolicy,
    WorkflowError,
    WorkflowInfo,
    activity,
    runbook,
    set_runtime,
)
from ntro.workflow.exceptions import NotInWorkflowError

CALLS: list[Any] = []


@activity.defn(name="t.add")
async def add(a: int, b: int) -> int:
    CALLS.append(("add", a, b, activity.info()))
    return a + b


@activity.defn(name="t.double")
def double(x: int) -> int:
    """A sync activity."""
    CALLS.append(("double", x, activity.info()))
    return x * 2


class Flaky:
    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.attempts: list[tuple[int, datetime]] = []
        self.clock: Any = None  # the clock of the runtime under test (activities have no runbook.now())


FLAKY = Flaky(0, RuntimeError())


@activity.defn(name="t.flaky")
async def flaky() -> str:
    FLAKY.attempts.append((activity.info().attempt, FLAKY.clock.now() if FLAKY.clock else datetime.now(UTC)))
    if len(FLAKY.attempts) <= FLAKY.failures:
        raise FLAKY.error
    return "ok"


@activity.defn(name="t.slow")
async def slow(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "slow done"


@runbook.defn
class GateWorkflow:
    def __init__(self) -> None:
        self.approved = False
        self.notes: list[str] = []

    @runbook.signal
    def approve(self, note: str = "") -> None:
        self.approved = True
        self.notes.append(note)

    @runbook.query
    def is_approved(self) -> bool:
        return self.approved

    @runbook.run
    async def run(self, timeout: float | None = None) -> dict[str, Any]:
        await runbook.wait_condition(lambda: self.approved, timeout=timedelta(seconds=timeout) if timeout else None)
        return {"notes": self.notes, "at": runbook.now()}


@runbook.defn
class CallsWorkflow:
    @runbook.run
    async def run(self) -> dict[str, Any]:
        total = await runbook.execute_activity(add, args=[2, 3], start_to_close_timeout=timedelta(minutes=1))
        doubled = await runbook.execute_activity(double, total, start_to_close_timeout=30)
        by_name = await runbook.execute_activity("t.add", args=[1, 1])
        return {"total": total, "doubled": doubled, "by_name": by_name, "info": runbook.info()}


def setup_function() -> None:
    CALLS.clear()
    FLAKY.__init__(0, RuntimeError())  # type: ignore[misc]


async def test_activities_take_args_and_run_sync_or_async(virtual: LocalRuntime) -> None:
    result = await run_local(CallsWorkflow, workflow_id="calls-1", runtime=virtual)
    assert result["total"] == 5 and result["doubled"] == 10 and result["by_name"] == 2
    info: WorkflowInfo = result["info"]
    assert (info.workflow_id, info.task_queue, info.attempt, info.workflow_type) == (
        "calls-1",
        "local",
        1,
        "CallsWorkflow",
    )
    act_infos: list[ActivityInfo] = [c[-1] for c in CALLS]
    assert [a.activity_id for a in act_infos] == ["1", "2", "3"]
    assert {a.workflow_id for a in act_infos} == {"calls-1"}
    assert [a.activity_type for a in act_infos] == ["t.add", "t.double", "t.add"]


async def test_run_local_keeps_the_0_1_2_shape() -> None:
    result = await run_local(GateWorkflowApproved, workflow_id="local-test")
    assert result == WorkflowInfo(
        "local-test", "local", "", 1, workflow_type="GateWorkflowApproved", start_time=result.start_time
    )


@runbook.defn
class GateWorkflowApproved:
    @runbook.run
    async def run(self) -> WorkflowInfo:
        return runbook.info()


async def test_signal_before_the_gate_opens(virtual: LocalRuntime) -> None:
    handle = await start_local(GateWorkflow, runtime=virtual)
    await handle.signal("approve", "early")  # the run method has not reached the gate yet
    result = await handle.result()
    assert result["notes"] == ["early"]


async def test_signal_after_the_gate_opens_resumes_without_polling(virtual: LocalRuntime) -> None:
    events: list[LocalEvent] = []
    handle = await start_local(GateWorkflow, runtime=virtual, observer=events.append)
    while not any(e.kind == "workflow.waiting" for e in events):
        await asyncio.sleep(0)
    await handle.signal(GateWorkflow.approve, "late")  # by method, as well as by name
    # Event-driven: the gate resumes within a few loop turns, not after a polling interval.
    for _ in range(5):
        if handle.done():
            break
        await asyncio.sleep(0)
    assert handle.done()
    assert (await handle.result())["notes"] == ["late"]
    assert await handle.query("is_approved") is True


async def test_gate_timeout_as_timedelta_raises_timeout_error(virtual: LocalRuntime) -> None:
    handle = await start_local(GateWorkflow, 3600.0, runtime=virtual)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(handle.result(), timeout=10)
    assert virtual.now() == datetime(2026, 1, 1, 1, tzinfo=UTC)
    assert (await handle.describe()).status is LocalWorkflowStatus.FAILED


@runbook.defn
class SleepyWorkflow:
    @runbook.run
    async def run(self) -> list[datetime]:
        start = runbook.now()
        await runbook.sleep(timedelta(days=3))
        await runbook.sleep(60)
        return [start, runbook.now()]


async def test_three_day_sleep_on_the_virtual_clock_completes_at_once(virtual: LocalRuntime) -> None:
    # wait_for is a hang guard only: three days of wall time would fail it.
    start, end = await asyncio.wait_for(run_local(SleepyWorkflow, runtime=virtual), timeout=10)
    assert start == datetime(2026, 1, 1, tzinfo=UTC)
    assert end - start == timedelta(days=3, seconds=60)


async def test_virtual_now_is_deterministic() -> None:
    a = await run_local(SleepyWorkflow, runtime=LocalRuntime(clock=VirtualClock()))
    b = await run_local(SleepyWorkflow, runtime=LocalRuntime(clock=VirtualClock()))
    assert a == b


@runbook.defn
class RetryWorkflow:
    @runbook.run
    async def run(self, policy: RetryPolicy | None) -> str:
        return await runbook.execute_activity(flaky, retry_policy=policy, start_to_close_timeout=timedelta(minutes=1))


async def test_retry_attempts_and_backoff(virtual: LocalRuntime) -> None:
    FLAKY.failures = 3
    FLAKY.clock = virtual.clock
    policy = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_attempts=5)
    assert await run_local(RetryWorkflow, policy, runtime=virtual) == "ok"
    attempts = [a for a, _ in FLAKY.attempts]
    gaps = [(b - a).total_seconds() for (_, a), (_, b) in zip(FLAKY.attempts, FLAKY.attempts[1:], strict=False)]
    assert attempts == [1, 2, 3, 4]
    assert gaps == [1.0, 2.0, 4.0]


async def test_retries_stop_at_maximum_attempts(virtual: LocalRuntime) -> None:
    FLAKY.failures = 10
    FLAKY.error = ValueError("still broken")
    with pytest.raises(WorkflowError) as info:
        await run_local(RetryWorkflow, RetryPolicy(maximum_attempts=3), runtime=virtual)
    assert len(FLAKY.attempts) == 3
    assert info.value.type == "ValueError" and "still broken" in info.value.message
    assert isinstance(info.value.__cause__, ValueError)


async def test_non_retryable_workflow_error_is_not_retried(virtual: LocalRuntime) -> None:
    FLAKY.failures = 10
    FLAKY.error = WorkflowError("bad input", type="BadInput", non_retryable=True)
    with pytest.raises(WorkflowError) as info:
        await run_local(RetryWorkflow, RetryPolicy(maximum_attempts=5), runtime=virtual)
    assert len(FLAKY.attempts) == 1
    assert info.value is FLAKY.error


async def test_non_retryable_error_types(virtual: LocalRuntime) -> None:
    FLAKY.failures = 10
    FLAKY.error = KeyError("k")
    with pytest.raises(WorkflowError, match=r"KeyError|'k'"):
        await run_local(
            RetryWorkflow, RetryPolicy(maximum_attempts=5, non_retryable_error_types=["KeyError"]), runtime=virtual
        )
    assert len(FLAKY.attempts) == 1


async def test_without_a_policy_the_error_surfaces_at_once(virtual: LocalRuntime) -> None:
    FLAKY.failures = 1
    with pytest.raises(WorkflowError):
        await run_local(RetryWorkflow, args=[None], runtime=virtual)  # arg=None means "no argument", as in 0.1.2
    assert len(FLAKY.attempts) == 1


@runbook.defn
class TimeoutWorkflow:
    @runbook.run
    async def run(self, seconds: float) -> str:
        return await runbook.execute_activity(slow, seconds, start_to_close_timeout=timedelta(seconds=0.2))


async def test_start_to_close_timeout(wall: LocalRuntime) -> None:
    with pytest.raises(WorkflowError) as info:
        await run_local(TimeoutWorkflow, 30.0, runtime=wall)
    assert info.value.type == "ActivityTimeout"
    assert await run_local(TimeoutWorkflow, 0.0, runtime=wall) == "slow done"


@runbook.defn(slug="child-doubler")
class ChildWorkflow:
    @runbook.run
    async def run(self, x: int) -> dict[str, Any]:
        if x < 0:
            raise WorkflowError("negative input", type="Negative")
        return {"value": await runbook.execute_activity(double, x), "id": runbook.info().workflow_id}


@runbook.defn
class ParentWorkflow(NtroWorkflow):
    @runbook.step(name="fan", title="Fan out")
    async def fan(self, xs: list[int]) -> list[Any]:
        one = await self.run_child_workflow(slug="child-doubler", input=xs[0])
        many = await self.run_child_workflows(slug="child-doubler", inputs=xs[1:])
        return [one, *many]

    @runbook.run
    async def run(self, xs: list[int]) -> list[Any]:
        return await self.fan(xs)


async def test_children_by_slug_with_parent_step_slug_ids(virtual: LocalRuntime) -> None:
    handle = await start_local(ParentWorkflow, [1, 2, 3], workflow_id="root", runtime=virtual)
    result = await handle.result()
    assert [r["value"] for r in result] == [2, 4, 6]
    assert [r["id"] for r in result] == [
        "root:fan:child-doubler",
        "root:fan:child-doubler:0",
        "root:fan:child-doubler:1",
    ]
    kids = await handle.query("children_by_step_id")
    assert [k["status"] for k in kids["fan"]] == ["completed"] * 3
    assert [h.id for h in handle.children()] == [r["id"] for r in result]
    assert virtual.get_handle("root:fan:child-doubler").id == "root:fan:child-doubler"


async def test_a_failing_child_surfaces_in_the_parent(virtual: LocalRuntime) -> None:
    handle = await start_local(ParentWorkflow, [1, -1], runtime=virtual)
    with pytest.raises(WorkflowError, match="negative input") as info:
        await handle.result()
    assert info.value.type == "Negative"
    kids = await handle.query("children_by_step_id")
    assert [k["status"] for k in kids["fan"]] == ["completed", "failed"]


async def test_unknown_slug_fails_with_a_clear_error(virtual: LocalRuntime) -> None:
    @runbook.defn
    class LostParent(NtroWorkflow):
        @runbook.run
        async def run(self) -> None:
            await self.run_child_workflow(slug="no-such-runbook", input=None)

    with pytest.raises(WorkflowError, match="no workflow registered for slug 'no-such-runbook'"):
        await run_local(LostParent, runtime=virtual)


@activity.defn(name="t.forever")
async def forever() -> None:
    try:
        await asyncio.Event().wait()
    finally:
        CALLS.append("activity cleaned up")


@runbook.defn(slug="blocked-child")
class BlockedChild:
    @runbook.run
    async def run(self) -> None:
        try:
            await runbook.execute_activity(forever)
        finally:
            CALLS.append("child cleaned up")


@runbook.defn
class CancelMe:
    @runbook.run
    async def run(self) -> None:
        await runbook.execute_child_workflow("blocked-child")


async def test_cancel_cancels_children_and_activities(virtual: LocalRuntime) -> None:
    events: list[LocalEvent] = []
    handle = await start_local(CancelMe, runtime=virtual, observer=events.append)
    while not any(e.kind == "activity.started" for e in events):
        await asyncio.sleep(0)
    await handle.cancel()
    child = handle.children()[0]
    await asyncio.wait_for(asyncio.wait([asyncio.ensure_future(child.result())]), timeout=5)
    assert (await handle.describe()).status is LocalWorkflowStatus.CANCELED
    assert (await child.describe()).status is LocalWorkflowStatus.CANCELED
    assert CALLS == ["activity cleaned up", "child cleaned up"]


@runbook.defn
class RandomWorkflow:
    @runbook.run
    async def run(self) -> tuple[float, str]:
        return runbook.random().random(), str(runbook.uuid4())


async def test_random_and_uuid_are_seeded_per_workflow_id(virtual: LocalRuntime) -> None:
    a = await run_local(RandomWorkflow, workflow_id="same", runtime=virtual)
    b = await run_local(RandomWorkflow, workflow_id="same", runtime=LocalRuntime())
    c = await run_local(RandomWorkflow, workflow_id="other", runtime=virtual)
    assert a == b and a != c
    assert a[1][14] == "4"  # a version-4 UUID


async def test_handle_api(virtual: LocalRuntime) -> None:
    handle = await start_local(GateWorkflow, workflow_id="h1", runtime=virtual)
    desc = await handle.describe()
    assert (desc.workflow_id, desc.status, desc.workflow_type) == ("h1", LocalWorkflowStatus.RUNNING, "GateWorkflow")
    assert await handle.query(GateWorkflow.is_approved) is False
    with pytest.raises(LookupError, match="has no signal 'nope'"):
        await handle.signal("nope")
    with pytest.raises(LookupError, match="has no query 'nope'"):
        await handle.query("nope")
    await handle.signal("approve", args=["via args"])
    assert (await handle.result())["notes"] == ["via args"]
    assert (await handle.describe()).status is LocalWorkflowStatus.COMPLETED
    with pytest.raises(RuntimeError, match="completed"):
        await handle.signal("approve")
    with pytest.raises(WorkflowError, match="already running"):
        await start_local(GateWorkflow, workflow_id="h2", runtime=virtual)
        await start_local(GateWorkflow, workflow_id="h2", runtime=virtual)


async def test_set_runtime_picks_the_runtime_run_local_uses() -> None:
    rt = LocalRuntime(clock=VirtualClock(start=datetime(2030, 5, 1, tzinfo=UTC)))
    set_runtime(rt)
    start, _ = await run_local(SleepyWorkflow)
    assert start == datetime(2030, 5, 1, tzinfo=UTC)


async def test_signal_from_another_coroutine_on_the_loop(wall: LocalRuntime) -> None:
    """The seed page's promise: fire a signal handler from any coroutine on the loop."""
    handle = await start_local(GateWorkflow, runtime=wall)

    async def reviewer() -> None:
        await asyncio.sleep(0.01)
        await handle.signal("approve", "from a coroutine")

    task = asyncio.ensure_future(reviewer())
    assert (await asyncio.wait_for(handle.result(), timeout=10))["notes"] == ["from a coroutine"]
    await task


async def test_workflow_and_activity_calls_outside_a_run_say_so() -> None:
    set_runtime(LocalRuntime())
    with pytest.raises(NotInWorkflowError, match=r"activity.info\(\) was called outside an activity"):
        activity.info()
    with pytest.raises(NotInWorkflowError, match=r"runbook.info\(\) was called from outside any workflow"):
        runbook.info()
    with pytest.raises(NotInWorkflowError, match=r"runbook.execute_activity\(\) was called from outside"):
        await runbook.execute_activity(double, 2)


@activity.defn(name="t.misused")
async def misused() -> str:
    return str(runbook.now())


@runbook.defn
class MisuseWorkflow:
    @runbook.run
    async def run(self) -> str:
        return await runbook.execute_activity(misused)


async def test_workflow_calls_from_an_activity_say_so(virtual: LocalRuntime) -> None:
    with pytest.raises(WorkflowError, match=r"runbook.now\(\) was called from an activity"):
        await run_local(MisuseWorkflow, runtime=virtual)


@runbook.defn
class StartSignalWorkflow:
    def __init__(self) -> None:
        self.seen: list[str] = []

    @runbook.signal
    async def hello(self, who: str) -> None:
        self.seen.append(f"signal:{who}")

    @runbook.run
    async def run(self) -> list[str]:
        self.seen.append("run")
        return self.seen


async def test_signal_with_start_runs_the_handler_first(virtual: LocalRuntime) -> None:
    handle = await start_local(StartSignalWorkflow, runtime=virtual, start_signal="hello", start_signal_args=["ann"])
    assert await handle.result() == ["signal:ann", "run"]
    with pytest.raises(LookupError, match="has no signal 'nope'"):
        await start_local(StartSignalWorkflow, runtime=virtual, start_signal="nope")


@runbook.defn(slug="slow-child")
class SlowChild:
    @runbook.run
    async def run(self) -> str:
        await runbook.sleep(timedelta(hours=2))
        return "late"


@runbook.defn
class ImpatientParent:
    @runbook.run
    async def run(self) -> str:
        try:
            return await runbook.execute_child_workflow("slow-child", execution_timeout=timedelta(hours=1))
        except TimeoutError as exc:
            return f"gave up: {exc}"


async def test_a_child_execution_timeout_raises_timeout_error_in_the_parent(virtual: LocalRuntime) -> None:
    handle = await start_local(ImpatientParent, runtime=virtual)
    assert await handle.result() == "gave up: child workflow SlowChild timed out"
    assert (await handle.children()[0].describe()).status is LocalWorkflowStatus.TIMED_OUT
    assert virtual.now() == datetime(2026, 1, 1, 1, tzinfo=UTC)

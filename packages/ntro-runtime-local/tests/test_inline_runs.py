"""``run_local`` / ``LocalRuntime.run``: a run driven in its caller's task behaves as one with a task of its own."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import weakref

import pytest

from ntro.runtime.local import LocalRuntime, LocalWorkflowStatus, run_local
from ntro.runtime.local._run import LocalRun
from ntro.workflow import WorkflowError, activity, runbook
from ntro.workflow.exceptions import NotInWorkflowError

_MARK: contextvars.ContextVar[str] = contextvars.ContextVar("inline_mark", default="caller")


@activity.defn(name="inline.double")
async def double(x: int) -> int:
    return 2 * x


@runbook.defn(slug="inline-gated")
class Gated:
    """Waits for ``go``, then doubles what it was sent; remembers which task and mark it ran with."""

    def __init__(self) -> None:
        self.value: int | None = None
        self.task: asyncio.Task[object] | None = None
        self.mark = ""

    @runbook.signal
    def go(self, value: int) -> None:
        self.value = value

    @runbook.query
    def mark_seen(self) -> str:
        return self.mark

    @runbook.run
    async def run(self, prefix: str) -> str:
        self.task = asyncio.current_task()
        _MARK.set("workflow")  # the run's own context: the caller's stays as it was
        await runbook.wait_condition(lambda: self.value is not None)
        assert self.value is not None
        self.mark = _MARK.get()
        return f"{prefix}{await runbook.execute_activity(double, self.value)}"


@runbook.defn(slug="inline-fails")
class Fails:
    @runbook.run
    async def run(self) -> None:
        raise WorkflowError("no good", type="Nope", non_retryable=True)


@runbook.defn(slug="inline-chain")
class Chain:
    @runbook.run
    async def run(self, n: int) -> int:
        if n < 3:
            runbook.continue_as_new(n + 1)
        return n


async def _started(rt: LocalRuntime) -> LocalRun:
    for _ in range(10):
        await asyncio.sleep(0)
        runs = [h._run for h in rt.list_workflows() if not h.done()]
        if runs:
            return runs[0]
    raise AssertionError("the run did not start")


async def test_the_run_is_driven_in_the_callers_task_with_its_own_context() -> None:
    rt = LocalRuntime()
    caller = asyncio.create_task(run_local(Gated, "x", runtime=rt))
    run = await _started(rt)
    handle = rt.get_handle(run.info.workflow_id)
    await handle.signal("go", 21)
    assert await caller == "x42"
    assert handle.instance.task is caller  # no task of its own
    assert handle.instance.mark == "workflow"
    assert _MARK.get() == "caller"
    assert await handle.result() == "x42"  # asked after the end
    assert handle.done() and run.status is LocalWorkflowStatus.COMPLETED


async def test_the_callers_context_is_restored_after_the_run() -> None:
    await run_local(Chain, 3, runtime=LocalRuntime())
    assert _MARK.get() == "caller"
    with pytest.raises(NotInWorkflowError):
        runbook.now()  # the caller is not workflow code, during or after


async def test_a_handle_waits_for_an_inline_run_and_gets_its_error() -> None:
    rt = LocalRuntime()
    caller = asyncio.create_task(run_local(Gated, "y", runtime=rt))
    run = await _started(rt)
    waiting = asyncio.create_task(rt.get_handle(run.info.workflow_id).result())
    await asyncio.sleep(0)
    await rt.get_handle(run.info.workflow_id).signal("go", 1)
    assert await waiting == "y2"
    assert await caller == "y2"

    with pytest.raises(WorkflowError, match="no good"):
        await run_local(Fails, runtime=rt)
    (failed,) = [h for h in rt.list_workflows() if h.definition.cls is Fails]
    with pytest.raises(WorkflowError, match="no good"):
        await failed.result()


async def test_cancelling_the_handle_cancels_the_caller_and_the_run() -> None:
    rt = LocalRuntime()
    caller = asyncio.create_task(run_local(Gated, "z", runtime=rt))
    run = await _started(rt)
    await rt.get_handle(run.info.workflow_id).cancel()
    assert run.status is LocalWorkflowStatus.CANCELED
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert not run.waiters


async def test_cancelling_the_caller_cancels_the_run() -> None:
    rt = LocalRuntime()
    caller = asyncio.create_task(run_local(Gated, "z", runtime=rt))
    run = await _started(rt)
    handle = rt.get_handle(run.info.workflow_id)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert run.status is LocalWorkflowStatus.CANCELED
    with pytest.raises(asyncio.CancelledError):
        await handle.result()
    await handle.cancel()  # a finished run: nothing to do


async def test_continue_as_new_in_the_callers_task_returns_the_last_runs_result() -> None:
    rt = LocalRuntime()
    assert await run_local(Chain, 0, runtime=rt) == 3
    (handle,) = rt.list_workflows()
    assert await handle.result() == 3
    assert handle._run.latest().info.workflow_id == handle.id


async def test_a_finished_inline_run_is_freed() -> None:
    rt = LocalRuntime(retain_finished=0)
    await run_local(Chain, 3, runtime=rt)
    refs = [weakref.ref(h._run) for h in rt.list_workflows()]
    gc.collect()
    assert all(ref() is None for ref in refs)
    assert not rt.list_workflows()


@activity.defn(name="inline.describe")
async def describe_self(tag: str) -> tuple[str, str, int, str]:
    first = activity.info()
    activity.heartbeat("half way")  # no retry follows a call with the default options: noted, never read
    again = activity.info()
    assert again == first
    return (first.workflow_id, first.activity_id, first.attempt, first.activity_type)


@runbook.defn(slug="inline-describes")
class Describes:
    @runbook.run
    async def run(self) -> list[tuple[str, str, int, str]]:
        return [await runbook.execute_activity(describe_self, tag) for tag in ("a", "b")]


async def test_an_activity_with_the_default_options_still_knows_itself() -> None:
    rt = LocalRuntime()
    seen = await run_local(Describes, runtime=rt)
    (handle,) = rt.list_workflows()
    assert seen == [(handle.id, "1", 1, "inline.describe"), (handle.id, "2", 1, "inline.describe")]
    assert activity.in_activity() is False


_RT = LocalRuntime()


@activity.defn(name="inline.cancel-own-run")
async def cancel_own_run() -> None:
    workflow_id = activity.info().workflow_id
    _RT.cancel_run(_RT.get_handle(workflow_id)._run)  # as a handle's cancel does, while the run's code runs


@runbook.defn(slug="inline-cancels-itself")
class CancelsItself:
    def __init__(self) -> None:
        self.after = False

    @runbook.run
    async def run(self) -> None:
        await runbook.execute_activity(cancel_own_run)
        self.after = True  # it goes on to its next wait, where the cancellation lands
        await runbook.wait_condition(lambda: False)


async def test_a_run_cancelled_while_its_code_runs_stops_at_its_next_wait() -> None:
    caller = asyncio.create_task(run_local(CancelsItself, runtime=_RT))
    with pytest.raises(asyncio.CancelledError):
        await caller
    (handle,) = [h for h in _RT.list_workflows() if h.definition.cls is CancelsItself]
    assert handle.status is LocalWorkflowStatus.CANCELED
    assert handle.instance.after
    assert not caller.cancelling()  # the caller's task was not cancelled: the run was


async def test_a_run_cancelled_while_it_sleeps_stops_there() -> None:
    rt = LocalRuntime()

    @runbook.defn(slug="inline-sleeps")
    class Sleeps:
        @runbook.run
        async def run(self) -> None:
            await runbook.sleep(3600)

    caller = asyncio.create_task(run_local(Sleeps, runtime=rt))
    run = await _started(rt)
    await rt.get_handle(run.info.workflow_id).cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert run.status is LocalWorkflowStatus.CANCELED

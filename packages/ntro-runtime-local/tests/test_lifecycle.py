"""LocalRuntime run lifecycle: finished runs are released, cancel works at any moment, failed starts leave no trace."""

from __future__ import annotations

import asyncio
import gc
import uuid
import weakref
from datetime import timedelta
from typing import Any

import pytest

from ntro.runtime.local import LocalRuntime, LocalWorkflowStatus, VirtualClock, start_local
from ntro.runtime.local._run import LocalRun
from ntro.runtime.protocol import ErrorType
from ntro.workflow import WorkflowError, activity, runbook
from ntro.workflow.exceptions import WorkflowNotFoundError


@activity.defn(name="life.bump")
async def bump(x: int) -> int:
    return x + 1


@runbook.defn(slug="life-child")
class LifeChild:
    @runbook.run
    async def run(self, x: int) -> int:
        return await runbook.execute_activity(bump, x, start_to_close_timeout=timedelta(seconds=30))


@runbook.defn(slug="life-parent")
class LifeParent:
    """Touches everything that could hold on to a run: a gate with a long timeout, a signal, an activity, a child."""

    def __init__(self) -> None:
        self.go: int | None = None

    @runbook.signal
    async def start_now(self, value: int) -> None:
        self.go = value

    @runbook.query
    def seen(self) -> int | None:
        return self.go

    @runbook.run
    async def run(self, base: int) -> int:
        await runbook.wait_condition(lambda: self.go is not None, timeout=timedelta(days=2))
        assert self.go is not None
        child = await runbook.execute_child_workflow("life-child", base + self.go)
        return await runbook.execute_activity(bump, child)


async def _round(rt: LocalRuntime, runs: int, keep: list[weakref.ref[LocalRun]] | None = None) -> None:
    handles = [await start_local(LifeParent, i, runtime=rt) for i in range(runs)]
    for handle in handles:
        await handle.signal("start_now", 1)
    results = [await handle.result() for handle in handles]
    assert results == [i + 3 for i in range(runs)]
    if keep is not None:
        keep.extend(weakref.ref(h._run) for h in handles)


def _objects() -> int:
    gc.collect()
    return len(gc.get_objects())


@pytest.mark.parametrize(("clock", "runs"), [("virtual", 1000), ("wall", 300)])
async def test_finished_runs_are_released_and_memory_stays_flat(clock: str, runs: int) -> None:
    """10 rounds of runs (each with a child, an activity, a signal and a cancelled 2-day timer) leave nothing behind."""
    rt = LocalRuntime(clock=VirtualClock() if clock == "virtual" else None, retain_finished=200)
    first_round: list[weakref.ref[LocalRun]] = []
    await _round(rt, runs, first_round)
    counts = [_objects()]
    for _ in range(9):
        await _round(rt, runs)
        counts.append(_objects())
    # One leaked run per round would be dozens of objects; a leaked round, tens of thousands.
    assert max(counts) - counts[0] < 500, counts
    assert len(rt.list_workflows()) == 200  # parents and children alike, the newest ones
    assert all(ref() is None for ref in first_round)  # nothing else holds on to an old run


@runbook.defn
class Waits:
    def __init__(self) -> None:
        self.open = False

    @runbook.signal
    def release(self) -> None:
        self.open = True

    @runbook.run
    async def run(self, tag: str = "") -> str:
        await runbook.wait_condition(lambda: self.open)
        return tag


async def test_retention_keeps_the_newest_finished_runs_and_every_running_one() -> None:
    rt = LocalRuntime(retain_finished=3)
    running = await start_local(Waits, "still running", workflow_id="long", runtime=rt)
    for i in range(5):
        handle = await start_local(Waits, str(i), workflow_id=f"done-{i}", runtime=rt)
        await handle.signal("release")
        assert await handle.result() == str(i)
    assert [h.id for h in rt.list_workflows()] == ["long", "done-2", "done-3", "done-4"]
    with pytest.raises(WorkflowNotFoundError, match="no local workflow with id 'done-1'"):
        rt.get_handle("done-1")
    assert rt.get_handle("long") is not None
    # A handle held on to keeps working after its run is dropped.
    old = handle
    for i in range(5, 9):
        h = await start_local(Waits, workflow_id=f"done-{i}", runtime=rt)
        await h.signal("release")
        await h.result()
    assert await old.result() == "4" and (await old.describe()).status is LocalWorkflowStatus.COMPLETED
    await running.signal("release")
    await running.result()
    assert [h.id for h in rt.list_workflows()] == ["long", "done-7", "done-8"]


async def test_retain_nothing() -> None:
    rt = LocalRuntime(retain_finished=0)
    handle = await start_local(Waits, workflow_id="gone", runtime=rt)
    assert rt.get_handle("gone").id == "gone"
    await handle.signal("release")
    await handle.result()
    assert rt.list_workflows() == []
    with pytest.raises(ValueError, match="retain_finished must be 0 or more"):
        LocalRuntime(retain_finished=-1)


async def test_restarting_a_finished_id_lists_the_new_run_last() -> None:
    rt = LocalRuntime()
    for wid in ("a", "b"):
        h = await start_local(Waits, workflow_id=wid, runtime=rt)
        await h.signal("release")
        await h.result()
    again = await start_local(Waits, "again", workflow_id="a", runtime=rt)
    assert [h.id for h in rt.list_workflows()] == ["b", "a"]
    assert rt.get_handle("a").instance is again.instance


async def test_cancel_right_after_start_ends_the_run_as_canceled_and_frees_its_id(virtual: LocalRuntime) -> None:
    handle = await start_local(Waits, workflow_id="quick", runtime=virtual)
    await handle.cancel()  # the run method has not taken a step yet
    assert (await handle.describe()).status is LocalWorkflowStatus.CANCELED
    assert handle.done()
    with pytest.raises(asyncio.CancelledError):
        await handle.result()
    again = await start_local(Waits, "second", workflow_id="quick", runtime=virtual)
    await again.signal("release")
    assert await again.result() == "second"


@runbook.defn
class Abandons:
    @runbook.run
    async def run(self) -> str:
        child = await runbook.start_child_workflow(Waits, id="orphan")
        return child.id  # ends before the child takes its first step: the child is cancelled with it


async def test_a_child_cancelled_before_its_first_step_ends_as_canceled(virtual: LocalRuntime) -> None:
    events: list[str] = []
    virtual.add_observer(lambda e: events.append(f"{e.kind}:{e.workflow_id}"))
    parent = await start_local(Abandons, workflow_id="p", runtime=virtual)
    assert await parent.result() == "orphan"
    orphan = virtual.get_handle("orphan")
    while not orphan.done():
        await asyncio.sleep(0)
    desc = await orphan.describe()
    assert desc.status is LocalWorkflowStatus.CANCELED and desc.close_time is not None
    assert events[-1] == "workflow.canceled:orphan"
    assert parent._run.running_children == set()
    again = await start_local(Waits, "reused", workflow_id="orphan", runtime=virtual)  # its id is free
    await again.signal("release")
    assert await again.result() == "reused"


@runbook.defn
class TwoArgs:
    @runbook.run
    async def run(self, a: int, b: int) -> int:
        return a + b


@runbook.defn
class SpawnsBadly:
    @runbook.run
    async def run(self) -> str:
        try:
            await runbook.execute_child_workflow(TwoArgs, args=[1])
        except TypeError as exc:
            return f"refused: {exc}"
        return "started"


def _assert_no_trace(rt: LocalRuntime) -> None:
    assert rt.list_workflows() == []
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("ntro:") and not t.done()]


async def test_a_start_with_the_wrong_arguments_leaves_nothing_behind(virtual: LocalRuntime) -> None:
    with pytest.raises(TypeError, match="positional argument"):
        await start_local(TwoArgs, args=[1, 2, 3], workflow_id="bad", runtime=virtual)
    _assert_no_trace(virtual)
    # The id is free, and so is the default child id the failed child start would have had.
    parent = await start_local(SpawnsBadly, workflow_id="p", runtime=virtual)
    assert (await parent.result()).startswith("refused:")
    assert parent.children() == [] and (await parent.describe()).children == ()
    assert parent._run.child_seq == 0
    assert [h.id for h in virtual.list_workflows()] == ["p"]


async def test_an_unknown_slug_or_start_signal_leaves_nothing_behind(virtual: LocalRuntime) -> None:
    with pytest.raises(WorkflowError, match="no workflow registered for slug 'nope'") as info:
        await start_local("nope", runtime=virtual)
    assert info.value.type == ErrorType.UNKNOWN_WORKFLOW_SLUG
    with pytest.raises(LookupError, match="has no signal 'nope'"):
        await start_local(Waits, workflow_id="s", runtime=virtual, start_signal="nope")
    _assert_no_trace(virtual)


def test_a_start_without_a_running_loop_leaves_nothing_behind() -> None:
    rt = LocalRuntime()
    with pytest.raises(RuntimeError, match="needs a running event loop"):
        rt.start(Waits, workflow_id="no-loop")
    assert rt.list_workflows() == []


async def test_default_ids_are_uuids(virtual: LocalRuntime) -> None:
    handle = await start_local(Waits, runtime=virtual)
    assert uuid.UUID(handle.id).version == 4
    await handle.cancel()


async def test_a_cancelled_virtual_timer_lets_go_of_its_callback() -> None:
    clock = VirtualClock()

    class Target:
        def fire(self) -> None:
            raise AssertionError("cancelled timers never fire")

    targets = [Target() for _ in range(200)]
    refs = [weakref.ref(t) for t in targets]
    cancels = [clock.call_later(timedelta(days=1), t.fire) for t in targets]
    del targets
    for cancel in cancels:
        cancel()
    gc.collect()
    assert all(r() is None for r in refs)
    assert len(clock._timers) < 100  # compacted
    fired: list[Any] = []
    clock.call_later(timedelta(hours=1), lambda: fired.append(clock.now()))
    clock.advance(timedelta(days=2))
    assert len(fired) == 1 and clock._timers == []

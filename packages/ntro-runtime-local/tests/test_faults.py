"""LocalRuntime cancelled at every point of a run's life, and a thousand runs cancelled and signalled at random.

Runs go through the local client on a virtual clock. After each test nothing
may be left behind: no task still pending, no run still ``RUNNING`` in the
runtime, and every id free to start again.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio

from ntro.client import ClientOptions, WorkflowStatus
from ntro.runtime.local import LocalClient, LocalEvent, VirtualClock, open_client
from ntro.workflow import NtroWorkflow, RetryPolicy, activity, runbook
from ntro.workflow.exceptions import WorkflowFailedError, WorkflowNotFoundError

LOOK = 10.0  # seconds: bounds every wait for a run to get somewhere (never reached when all is well)

# -- the runbooks ------------------------------------------------------------------------------

_released: dict[str, asyncio.Event] = {}  # the held activity of a workflow waits for its event
_held: list[tuple[str, str]] = []  # (workflow id, started | cancelled | done), in order


@activity.defn(name="faults.hold")
async def hold() -> str:
    """Hold until the test releases this workflow's activity; note its start and its end or cancellation."""
    workflow_id = activity.info().workflow_id
    _held.append((workflow_id, "started"))
    try:
        await _released.setdefault(workflow_id, asyncio.Event()).wait()
    except asyncio.CancelledError:
        _held.append((workflow_id, "cancelled"))
        raise
    _held.append((workflow_id, "done"))
    return "held"


@activity.defn(name="faults.flaky")
async def flaky() -> str:
    """Fail the first attempt, succeed the next."""
    if activity.info().attempt == 1:
        raise RuntimeError("the first attempt fails")
    return "retried"


@runbook.defn(slug="faults-gated")
class Gated:
    """A child that waits at a gate until it is opened."""

    def __init__(self) -> None:
        self.opened = False

    @runbook.signal
    def open(self) -> None:
        """Open the gate."""
        self.opened = True

    @runbook.run
    async def run(self) -> str:
        """Wait for the gate."""
        await runbook.wait_condition(lambda: self.opened)
        return "child"


@runbook.defn(slug="faults-lifecycle")
class Lifecycle(NtroWorkflow):
    """One of each: an activity, a retry backoff, a gate, a child and a timer, in that order."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = False

    @runbook.signal
    def open(self) -> None:
        """Open the gate."""
        self.opened = True

    @runbook.run
    async def run(self) -> list[str]:
        """Go through every point, saying what each gave."""
        return [await self.in_activity(), await self.retry(), await self.gate(), await self.child(), await self.timer()]

    @runbook.step(name="activity", title="An activity")
    async def in_activity(self) -> str:
        return str(await runbook.execute_activity(hold, start_to_close_timeout=timedelta(hours=1)))

    @runbook.step(name="retry", title="A retry")
    async def retry(self) -> str:
        policy = RetryPolicy(initial_interval=timedelta(hours=1))
        return str(
            await runbook.execute_activity(flaky, start_to_close_timeout=timedelta(hours=1), retry_policy=policy)
        )

    @runbook.step(name="gate", title="A gate")
    async def gate(self) -> str:
        await runbook.wait_condition(lambda: self.opened)
        return "gate"

    @runbook.step(name="child", title="A child")
    async def child(self) -> str:
        return str(await runbook.execute_child_workflow(Gated, id=f"{runbook.info().workflow_id}-child"))

    @runbook.step(name="timer", title="A timer")
    async def timer(self) -> str:
        await runbook.sleep(timedelta(days=1))
        return "timer"


# -- watching the runtime -----------------------------------------------------------------------


class Watcher:
    """Events of a local runtime, awaited by kind and workflow id (a step's events by its id)."""

    def __init__(self, client: LocalClient) -> None:
        self.seen: set[tuple[str, str]] = set()
        self.changed = asyncio.Event()
        client.runtime.add_observer(self.observe)

    def observe(self, event: LocalEvent) -> None:
        kind = event.kind
        if kind.startswith("step."):
            kind = f"{kind}:{event.detail['step_id']}"
        self.seen.add((kind, event.workflow_id))
        self.changed.set()

    async def reach(self, kind: str, workflow_id: str) -> None:
        async def seen() -> None:
            while (kind, workflow_id) not in self.seen:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(seen(), LOOK)


@pytest_asyncio.fixture
async def client() -> AsyncIterator[LocalClient]:
    """A local client on a virtual clock, held still: timers fire only when the test advances it."""
    _released.clear()
    async with open_client(ClientOptions(time_skipping=True, activities=[hold, flaky])) as local:
        assert isinstance(local, LocalClient)
        clock = local.runtime.clock
        assert isinstance(clock, VirtualClock)
        clock.hold()
        yield local
        clock.release()
    await _assert_nothing_left(local)


async def _assert_nothing_left(client: LocalClient) -> None:
    """No run still running, no task still pending (once the loop has had a few turns to wind down)."""
    assert [h for h in client.runtime.list_workflows() if h.status.value == "RUNNING"] == []
    assert await client.list_workflows(status=WorkflowStatus.RUNNING) == []
    me = asyncio.current_task()
    for _ in range(1000):
        pending = [task for task in asyncio.all_tasks() if task is not me and not task.done()]
        if not pending:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"tasks left behind: {pending}")


# -- cancellation at every point -----------------------------------------------------------------

POINTS = ["before the first step", "activity", "retry", "gate", "child", "timer", "completed"]


async def _go_to(client: LocalClient, watcher: Watcher, workflow_id: str, point: str) -> None:
    """Take the run up to ``point``, getting it past each point before it."""
    clock = client.runtime.clock
    assert isinstance(clock, VirtualClock)
    handle = client.get_workflow_handle(workflow_id)
    child = client.get_workflow_handle(f"{workflow_id}-child")
    steps = [
        ("activity", lambda: watcher.reach("activity.started", workflow_id), lambda: _release(workflow_id)),
        ("retry", lambda: watcher.reach("activity.retrying", workflow_id), lambda: _advance(clock, hours=2)),
        ("gate", lambda: watcher.reach("workflow.waiting", workflow_id), lambda: handle.signal("open")),
        ("child", lambda: watcher.reach("workflow.waiting", child.id), lambda: child.signal("open")),
        ("timer", lambda: watcher.reach("step.started:timer", workflow_id), lambda: _advance(clock, days=2)),
    ]
    for name, reach, get_past in steps:
        await reach()
        if name == point:
            if name == "activity":  # the activity's own code is running, not only scheduled
                await asyncio.wait_for(_until(lambda: (workflow_id, "started") in _held), LOOK)
            return
        await get_past()
    assert point == "completed"
    assert await handle.result() == ["held", "retried", "gate", "child", "timer"]


async def _release(workflow_id: str) -> None:
    _released.setdefault(workflow_id, asyncio.Event()).set()


async def _advance(clock: VirtualClock, **delta: float) -> None:
    clock.advance(timedelta(**delta))


async def _until(check: Any) -> None:
    while not check():
        await asyncio.sleep(0)


@pytest.mark.parametrize("point", POINTS)
async def test_a_run_cancelled_at_any_point_ends_cancelled_and_leaves_nothing_behind(
    client: LocalClient, point: str
) -> None:
    workflow_id = f"cancel-at-{point.replace(' ', '-')}"
    watcher = Watcher(client)
    handle = await client.start_workflow(Lifecycle, id=workflow_id)
    if point != "before the first step":
        await _go_to(client, watcher, workflow_id, point)
    await handle.cancel()

    status = (await handle.describe()).status
    if point == "completed":
        assert status is WorkflowStatus.COMPLETED  # cancelling a finished run changes nothing
    else:
        assert status is WorkflowStatus.CANCELED
        with pytest.raises(WorkflowFailedError) as failed:
            await handle.result()
        assert failed.value.status == "CANCELED"
    if point == "before the first step":
        assert ("step.started:activity", workflow_id) not in watcher.seen
    if point == "activity":  # its activity was cancelled, not left running
        assert [what for wid, what in _held if wid == workflow_id] == ["started", "cancelled"]
    child = client.get_workflow_handle(f"{workflow_id}-child")
    if point == "child":  # and the child with it
        assert (await child.describe()).status is WorkflowStatus.CANCELED
    elif POINTS.index(point) < POINTS.index("child"):
        with pytest.raises(WorkflowNotFoundError):
            await child.describe()
    await _assert_nothing_left(client)

    # The id is free: a new run with it goes all the way.
    watcher.seen.clear()
    await client.start_workflow(Lifecycle, id=workflow_id)
    await _go_to(client, watcher, workflow_id, "completed")


# -- a thousand runs, cancelled and signalled at random -----------------------------------------

RUNS = 1000
_work: Counter[str] = Counter()  # started, done and cancelled attempts of the busy activity


@activity.defn(name="faults.work")
async def work(value: int) -> int:
    """Work a little (a few loop turns), counting starts, ends and cancellations."""
    _work["started"] += 1
    try:
        for _ in range(10):
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        _work["cancelled"] += 1
        raise
    _work["done"] += 1
    return value + 1


@runbook.defn(slug="faults-busy")
class Busy:
    """Follow a plan: activities, timers, gates (each opened by one ``poke``) and children that do the same."""

    def __init__(self) -> None:
        self.pokes = 0

    @runbook.signal
    def poke(self) -> None:
        """Open the gate the run waits at (or the next one)."""
        self.pokes += 1

    @runbook.run
    async def run(self, plan: list[str]) -> int:
        """Return how many items of the plan it carried out."""
        done = 0
        for index, what in enumerate(plan):
            if what == "activity":
                await runbook.execute_activity(work, index, start_to_close_timeout=timedelta(minutes=1))
            elif what == "timer":
                await runbook.sleep(timedelta(minutes=index + 1))
            elif what == "gate":
                wanted = self.pokes + 1
                await runbook.wait_condition(lambda wanted=wanted: self.pokes >= wanted)
            else:
                await runbook.execute_child_workflow(Busy, ["activity", "timer", "activity"])
            done += 1
        return done


async def test_a_thousand_runs_cancelled_and_signalled_at_random_leave_nothing_behind() -> None:
    rng = random.Random(20260112)
    kinds = ["activity", "timer", "gate", "child"]
    plans = {f"busy-{i}": [rng.choice(kinds) for _ in range(rng.randint(1, 6))] for i in range(RUNS)}
    _work.clear()
    async with open_client(ClientOptions(time_skipping=True, activities=[work])) as client:
        assert isinstance(client, LocalClient)
        handles = {wid: await client.start_workflow(Busy, plan, id=wid) for wid, plan in plans.items()}
        cancelled: set[str] = set()

        async def cancel(wid: str) -> None:
            await handles[wid].cancel()
            status = (await handles[wid].describe(with_state=False)).status
            assert status in (WorkflowStatus.CANCELED, WorkflowStatus.COMPLETED), (wid, status)  # or it had ended
            if status is WorkflowStatus.CANCELED:
                cancelled.add(wid)

        for wid in rng.sample(sorted(handles), RUNS // 20):  # some at once
            await cancel(wid)
        for _ in range(10_000):  # rounds, far more than needed
            running = {d.workflow_id for d in await client.list_workflows(status=WorkflowStatus.RUNNING)}
            if not running:
                break
            for wid in sorted(running & set(handles)):
                roll = rng.random()
                if roll < 0.01:
                    await cancel(wid)
                elif roll < 0.5:
                    try:
                        await handles[wid].signal("poke")
                    except WorkflowNotFoundError:  # it ended meanwhile
                        assert (await handles[wid].describe(with_state=False)).status.finished
            for _ in range(20):  # more than the virtual clock waits for before it jumps
                await asyncio.sleep(0)
        else:
            pytest.fail(f"runs still running after every round: {sorted(running)[:10]}")

        statuses: Counter[str] = Counter()
        for wid, handle in handles.items():
            status = (await handle.describe()).status
            statuses[status.value] += 1
            if wid in cancelled:
                assert status is WorkflowStatus.CANCELED, (wid, status)
            else:
                assert status is WorkflowStatus.COMPLETED, (wid, status)
                assert await handle.result() == len(plans[wid])
        assert statuses["CANCELED"] == len(cancelled) > RUNS // 20  # cancels at once, and later ones
        assert _work["started"] == _work["done"] + _work["cancelled"], _work  # no activity left running
        await _assert_nothing_left(client)

        # Every id is free again.
        again = [await client.start_workflow(Busy, [], id=wid) for wid in handles]
        assert [await handle.result() for handle in again] == [0] * RUNS
    await _assert_nothing_left(client)

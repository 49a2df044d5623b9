"""The local client (the WorkflowClient protocol in-process) and payload parity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from ntro.runtime.local import LocalClient, LocalClientHandle, LocalRuntime, VirtualClock, open_client, start_local
from ntro.runtime.protocol import (
    ChildRun,
    ClientOptions,
    ErrorType,
    PayloadError,
    StepState,
    WorkflowClient,
    WorkflowHandle,
    WorkflowStatus,
    installed_clients,
)
from ntro.runtime.protocol import open_client as open_backend_client
from ntro.workflow import NtroWorkflow, RetryPolicy, WorkflowError, activity, runbook
from ntro.workflow.exceptions import WorkflowAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError


@pytest.fixture
async def client() -> AsyncIterator[LocalClient]:
    async with open_client(ClientOptions(time_skipping=True)) as c:
        yield c


async def turns(n: int = 20) -> None:
    """Let the event loop run ``n`` turns (no wall-clock time involved)."""
    for _ in range(n):
        await asyncio.sleep(0)


# -- workflows -------------------------------------------------------------------------------


@runbook.defn(slug="client-gate")
class Gate:
    def __init__(self) -> None:
        self.notes: list[Any] = []
        self.opened = False

    @runbook.signal
    def note(self, value: Any = "<no argument>") -> None:
        self.notes.append(value)

    @runbook.signal
    def open(self) -> None:
        self.opened = True

    @runbook.query
    def seen(self) -> list[Any]:
        return self.notes

    @runbook.query
    def broken(self) -> None:
        raise KeyError("no such note")

    @runbook.run
    async def run(self, greeting: str = "hello") -> dict[str, Any]:
        await runbook.wait_condition(lambda: self.opened)
        return {"greeting": greeting, "notes": self.notes}


@runbook.defn
class Fails:
    @runbook.run
    async def run(self, why: str) -> None:
        raise WorkflowError(f"{why}\nmore detail on a second line", type="Broken")


@runbook.defn(slug="client-sleeper")
class Sleeper:
    @runbook.run
    async def run(self) -> str:
        await runbook.sleep(timedelta(days=1))
        return runbook.now().isoformat()


@runbook.defn(slug="client-review-child")
class ReviewChild(NtroWorkflow):
    @runbook.run
    async def run(self, amount: int) -> dict[str, Any]:
        decision = await self.wait_for_action(payload={"amount": amount}, reason="check the amount")
        return {"amount": amount, "decision": decision["kind"]}


@runbook.defn(slug="client-runbook")
class Runbook(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self.doc: dict[str, Any] | None = None

    @runbook.signal
    def document_submitted(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    @runbook.step(name="upload", title="Upload", icon="Inbox")
    async def upload(self) -> None:
        await self.await_signal_with_action(
            predicate=lambda: self.doc is not None,
            action={
                "kind": "submit_file",
                "reason": "upload the statement",
                "args": {"signal_task_id": runbook.info().workflow_id, "signal_name": "document_submitted"},
            },
        )

    @runbook.step(name="check", title="Check")
    async def check(self) -> Any:
        assert self.doc is not None
        return await self.run_child_workflow(slug="client-review-child", input=self.doc["amount"])

    @runbook.run
    async def run(self) -> Any:
        await self.upload()
        return await self.check()


# -- the client -------------------------------------------------------------------------------


async def test_the_local_client_is_published_under_ntro_clients() -> None:
    assert "local" in installed_clients()
    async with open_backend_client("local", ClientOptions(workflows=[Gate])) as c:
        assert isinstance(c, LocalClient) and isinstance(c, WorkflowClient)
        assert c.runtime_name == "local"
        assert c.runtime.payload_parity and not isinstance(c.runtime.clock, VirtualClock)
        handle = await c.start_workflow(Gate, id="g")
        assert isinstance(handle, WorkflowHandle)
    # Leaving the client cancels what still runs.
    assert (await handle.describe()).status is WorkflowStatus.CANCELED


async def test_options_choose_clock_task_queue_and_parity() -> None:
    async with open_client(ClientOptions(time_skipping=True, task_queue="q", payload_parity=False)) as c:
        assert isinstance(c.runtime.clock, VirtualClock)
        assert not c.runtime.payload_parity
        handle = await c.start_workflow(Gate)
        assert (await handle.describe()).task_queue == "q"
    with pytest.raises(TypeError, match="is not a workflow"):
        async with open_client(ClientOptions(workflows=[int])):
            pass


async def test_start_by_class_and_by_slug(client: LocalClient) -> None:
    by_class = await client.start_workflow(Gate, "hi", id="by-class")
    by_slug = await client.start_workflow("client-gate", id="by-slug")
    assert (by_class.id, by_slug.id) == ("by-class", "by-slug")
    for handle in (by_class, by_slug):
        await handle.signal("open")
    assert (await by_class.result())["greeting"] == "hi"
    assert (await by_slug.result())["greeting"] == "hello"
    default = await client.start_workflow(Gate)
    assert len(default.id) == 36  # a UUID


async def test_signals_carry_no_argument_or_one_and_none_is_a_value(client: LocalClient) -> None:
    handle = await client.start_workflow(Gate, id="sig")
    await handle.signal("note")
    await handle.signal("note", None)
    await handle.signal("note", {"k": [1, 2]})
    assert await handle.query("seen") == ["<no argument>", None, {"k": [1, 2]}]
    with pytest.raises(TypeError, match="at most one argument, not 2"):
        await handle.signal("note", 1, 2)
    with pytest.raises(LookupError, match="has no signal 'nope'"):
        await handle.signal("nope")
    with pytest.raises(LookupError, match="has no query 'nope'"):
        await handle.query("nope")
    with pytest.raises(WorkflowError, match="query broken of workflow sig failed: KeyError: 'no such note'") as info:
        await handle.query("broken")
    assert info.value.type == "QueryFailed" and isinstance(info.value.__cause__, KeyError)
    await handle.signal("open")
    assert (await handle.result())["notes"] == ["<no argument>", None, {"k": [1, 2]}]
    with pytest.raises(WorkflowNotFoundError, match="'sig' completed; it takes no more signals"):
        await handle.signal("note", 1)
    assert await handle.query("seen") == ["<no argument>", None, {"k": [1, 2]}]  # finished runs still answer


async def test_get_workflow_handle_finds_runs_by_id(client: LocalClient) -> None:
    await client.start_workflow(Gate, id="found")
    handle = client.get_workflow_handle("found")
    assert isinstance(handle, LocalClientHandle)
    await handle.signal("open")
    assert (await handle.result())["greeting"] == "hello"
    missing = client.get_workflow_handle("missing")  # checked when used
    for call in (missing.signal("open"), missing.query("seen"), missing.result(), missing.describe(), missing.cancel()):
        with pytest.raises(WorkflowNotFoundError, match="no workflow with id 'missing' on this local client"):
            await call


async def test_starting_a_running_id_again_is_refused(client: LocalClient) -> None:
    first = await client.start_workflow(Gate, id="dup")
    with pytest.raises(WorkflowAlreadyStartedError, match="'dup' is already running"):
        await client.start_workflow(Gate, id="dup")
    await first.signal("open")
    await first.result()
    again = await client.start_workflow(Gate, "again", id="dup")  # a finished id can be reused
    await again.signal("open")
    assert (await again.result())["greeting"] == "again"
    with pytest.raises(WorkflowError, match="no workflow registered for slug 'nope'") as info:
        await client.start_workflow("nope")
    assert info.value.type == ErrorType.UNKNOWN_WORKFLOW_SLUG


async def test_a_failed_run_raises_workflow_failed_error_with_its_cause(client: LocalClient) -> None:
    handle = await client.start_workflow(Fails, "the ledger does not balance", id="f")
    with pytest.raises(WorkflowFailedError) as info:
        await handle.result()
    err = info.value
    assert err.message == "workflow f failed: Broken: the ledger does not balance"
    assert (err.workflow_id, err.status) == ("f", WorkflowStatus.FAILED)
    assert isinstance(err.cause, WorkflowError) and err.cause.type == "Broken"
    assert err.__cause__ is err.cause
    assert (await handle.describe()).status is WorkflowStatus.FAILED


async def test_cancel_at_any_moment(client: LocalClient) -> None:
    at_once = await client.start_workflow(Gate, id="c1")
    await at_once.cancel()  # before its first step
    later = await client.start_workflow(Gate, id="c2")
    await turns()
    await later.cancel()
    for handle in (at_once, later):
        with pytest.raises(WorkflowFailedError, match=r"^workflow c\d was cancelled$") as info:
            await handle.result()
        assert info.value.status == WorkflowStatus.CANCELED and info.value.cause is None
        assert (await handle.describe()).status is WorkflowStatus.CANCELED
    await at_once.cancel()  # cancelling a finished run does nothing
    assert (await client.start_workflow(Gate, id="c1")).id == "c1"  # the id is free again


@runbook.defn(slug="client-slow-child")
class SlowChild:
    @runbook.run
    async def run(self) -> str:
        await runbook.sleep(timedelta(hours=2))
        return "late"


@runbook.defn
class Impatient:
    @runbook.run
    async def run(self) -> str:
        try:
            return await runbook.execute_child_workflow("client-slow-child", id="slow", execution_timeout=3600)
        except TimeoutError:
            return "gave up"


async def test_a_timed_out_run_raises_workflow_failed_error(client: LocalClient) -> None:
    parent = await client.start_workflow(Impatient)
    assert await parent.result() == "gave up"
    with pytest.raises(WorkflowFailedError, match=r"^workflow slow timed out$") as info:
        await client.get_workflow_handle("slow").result()
    assert info.value.status == WorkflowStatus.TIMED_OUT and isinstance(info.value.cause, TimeoutError)
    assert (await client.get_workflow_handle("slow").describe()).parent_workflow_id == parent.id


async def test_list_workflows_newest_first(client: LocalClient) -> None:
    for wid in ("l1", "l2", "l3"):
        await client.start_workflow(Gate, id=wid)
    await client.get_workflow_handle("l2").signal("open")
    await client.get_workflow_handle("l2").result()
    assert [d.workflow_id for d in await client.list_workflows()] == ["l3", "l2", "l1"]
    assert [d.workflow_id for d in await client.list_workflows(limit=2)] == ["l3", "l2"]
    running = await client.list_workflows(status=WorkflowStatus.RUNNING)
    assert [d.workflow_id for d in running] == ["l3", "l1"]
    assert [d.workflow_id for d in await client.list_workflows(status=WorkflowStatus.COMPLETED)] == ["l2"]
    assert running[0].workflow_type == "Gate" and running[0].steps == ()


async def test_describe_shows_steps_pending_action_and_children(client: LocalClient) -> None:
    handle = await client.start_workflow(Runbook, id="rb")
    await client.wait_for_change(60)
    desc = await handle.describe()
    while desc.pending_action is None:
        await client.wait_for_change(60)
        desc = await handle.describe()
    assert (desc.workflow_id, desc.workflow_type, desc.status) == ("rb", "Runbook", WorkflowStatus.RUNNING)
    assert desc.start_time == datetime(2026, 1, 1, tzinfo=UTC) and desc.close_time is None
    assert desc.steps == (
        StepState("upload", "Upload", "active", "Inbox"),
        StepState("check", "Check", "pending", None),
    )
    assert desc.pending_action is not None and desc.pending_action["kind"] == "submit_file"
    assert desc.children == ()

    args = desc.pending_action["args"]
    await client.get_workflow_handle(args["signal_task_id"]).signal(args["signal_name"], {"amount": 7})
    child_id = "rb:check:client-review-child"
    while True:
        desc = await handle.describe()
        if desc.children:
            child = await client.get_workflow_handle(child_id).describe()
            if child.pending_action is not None:
                break
        await client.wait_for_change(60)
    assert desc.children == (ChildRun(child_id, "client-review-child", "check", "running"),)
    assert desc.pending_action == {
        "kind": "drill_down",
        "reason": "waiting on child workflows",
        "children": [{"task_id": child_id, "step_id": "check", "slug": "client-review-child"}],
    }
    assert child.parent_workflow_id == "rb"
    assert child.pending_action is not None and child.pending_action["payload"] == {"amount": 7}
    assert child.steps == ()

    await client.get_workflow_handle(child_id).signal("user_action", {"kind": "approve"})
    assert await handle.result() == {"amount": 7, "decision": "approve"}
    done = await handle.describe()
    assert done.status is WorkflowStatus.COMPLETED and done.close_time is not None
    assert [s.status for s in done.steps] == ["completed", "completed"]
    assert done.children == (ChildRun(child_id, "client-review-child", "check", "completed"),)
    assert done.to_json()["children"][0]["status"] == "completed"


async def test_describe_without_runbook_queries_leaves_the_state_empty(client: LocalClient) -> None:
    handle = await client.start_workflow(Gate, id="plain")
    desc = await handle.describe()
    assert (desc.steps, desc.pending_action, desc.children) == ((), None, ())
    rb = await client.start_workflow(Runbook, id="rb")
    assert (await rb.describe(with_state=False)).steps == ()
    assert [s.id for s in (await rb.describe()).steps] == ["upload", "check"]


async def test_wait_for_change_returns_at_the_next_event(client: LocalClient) -> None:
    handle = await client.start_workflow(Gate, id="w")
    await client.wait_for_change(3600)  # events happened since the client opened: returns at once
    await turns()
    await client.wait_for_change(0)  # nothing new may still be reported once; then the slate is clean
    waiter = asyncio.ensure_future(client.wait_for_change(3600))
    await turns()
    assert not waiter.done()  # the run is idle at its gate: nothing happens
    await handle.signal("note", "wake up")
    await turns(3)
    assert waiter.done()  # woken by the signal's event, not by a poll or the timeout
    # An event between two calls is not lost.
    await handle.signal("open")
    await turns()
    await client.wait_for_change(3600)


async def test_wait_for_change_times_out_when_nothing_happens() -> None:
    async with open_client() as c:
        await c.wait_for_change(0)
        await c.wait_for_change(0.001)
    plain = LocalClient()  # on a fresh runtime with payload parity
    assert plain.runtime.payload_parity and plain.runtime_name == "local"
    await plain.aclose()


async def test_hold_time_keeps_the_virtual_clock_still(client: LocalClient) -> None:
    clock = client.runtime.clock
    assert isinstance(clock, VirtualClock)
    async with client.hold_time():
        assert clock.held
        handle = await client.start_workflow(Sleeper)
        await turns(50)
        assert (await handle.describe()).status is WorkflowStatus.RUNNING
    assert not clock.held
    assert await handle.result() == "2026-01-02T00:00:00+00:00"
    async with open_client() as wall, wall.hold_time():  # a no-op on the wall clock
        pass


# -- payload parity ----------------------------------------------------------------------------


class Amount(pydantic.BaseModel):
    value: Decimal
    currency: str = "EUR"


@activity.defn(name="parity.as_dict")
async def model_as_dict(x: int) -> dict[str, Any]:
    return Amount(value=Decimal(x))  # type: ignore[return-value]  # as a sloppy activity might


@activity.defn(name="parity.as_model")
async def model_as_model(x: int) -> Amount:
    return Amount(value=Decimal(x))


@activity.defn(name="parity.echo")
def echo(amount: Amount, when: datetime) -> list[Any]:
    return [type(amount).__name__, type(when).__name__]


@activity.defn(name="parity.unsendable")
async def unsendable() -> Any:
    ATTEMPTS.append(activity.info().attempt)
    return object()


ATTEMPTS: list[int] = []


@runbook.defn(slug="parity-child")
class ParityChild:
    @runbook.run
    async def run(self, amount: Amount) -> Amount:
        return Amount(value=amount.value * 2, currency=amount.currency)


@runbook.defn
class Types:
    def __init__(self) -> None:
        self.signalled: Any = None

    @runbook.signal
    def amount(self, amount: Amount) -> None:
        self.signalled = amount

    @runbook.query
    def when(self, day: datetime) -> datetime:
        return day + timedelta(days=1)

    @runbook.run
    async def run(self, amount: Amount) -> dict[str, Any]:
        await runbook.wait_condition(lambda: self.signalled is not None)
        as_dict = await runbook.execute_activity(model_as_dict, 1)
        as_model = await runbook.execute_activity(model_as_model, 2)
        by_name = await runbook.execute_activity("parity.as_model", 3)
        echoed = await runbook.execute_activity(echo, args=[{"value": "4"}, "2026-03-01T00:00:00Z"])
        child = await runbook.execute_child_workflow(ParityChild, {"value": "5"})
        return {
            "input": type(amount).__name__,
            "signal": type(self.signalled).__name__,
            "as_dict": type(as_dict).__name__,
            "as_model": type(as_model).__name__,
            "by_name": type(by_name).__name__,
            "echoed": echoed,
            "child": [type(child).__name__, str(child.value)],
            "a_set": {3, 1, 2},
        }


async def test_workflow_code_sees_the_types_temporal_would_give_it(client: LocalClient) -> None:
    handle = await client.start_workflow(Types, {"value": "1.50"})
    await handle.signal("amount", {"value": "2", "currency": "USD"})
    assert await handle.query("when", "2026-01-01T00:00:00Z") == "2026-01-02T00:00:00Z"  # by name: read as Any
    local = client.runtime.get_handle(handle.id)
    assert await local.query(Types.when, "2026-01-01T00:00:00Z") == datetime(2026, 1, 2, tzinfo=UTC)  # by method
    assert (await handle.result())["a_set"] == [1, 2, 3]
    # signal-with-start: the start signal's argument is read with the handler's hints too
    handle = await client.start_workflow(
        Types, {"value": "1.50"}, start_signal="amount", start_signal_args=[{"value": "3"}]
    )
    assert await handle.result() == {
        "input": "Amount",
        "signal": "Amount",
        "as_dict": "dict",  # annotated -> dict: a model arrives as a dict
        "as_model": "Amount",
        "by_name": "dict",  # by name there is no return hint, as on Temporal
        "echoed": ["Amount", "datetime"],
        "child": ["Amount", "10"],
        "a_set": [1, 2, 3],  # a set travels as a JSON list
    }


@runbook.defn
class RawTypes:
    @runbook.run
    async def run(self, amount: Amount) -> Any:
        as_dict = await runbook.execute_activity(model_as_dict, 1)
        return amount, as_dict, {1, 2}


async def test_without_parity_objects_are_handed_over_as_they_are() -> None:
    given = {"value": "1"}
    amount, as_dict, a_set = await (await start_local(RawTypes, given, runtime=LocalRuntime())).result()
    assert amount is given and isinstance(as_dict, Amount) and a_set == {1, 2}


@runbook.defn
class Unsendable:
    @runbook.run
    async def run(self, attempts: int) -> str:
        policy = RetryPolicy(maximum_attempts=attempts, initial_interval=timedelta(seconds=1)) if attempts else None
        try:
            await runbook.execute_activity(unsendable, retry_policy=policy)
        except WorkflowError as exc:
            return f"{exc.type}: {exc.message}"
        return "sent"


async def test_an_activity_result_without_a_json_form_fails_like_an_activity_failure(client: LocalClient) -> None:
    ATTEMPTS.clear()
    handle = await client.start_workflow(Unsendable, 0)
    assert await handle.result() == (
        "PayloadError: activity parity.unsendable failed: its result: a value of type object cannot be carried "
        "as a payload (it has no JSON form): Unable to serialize unknown type: <class 'object'>"
    )
    assert ATTEMPTS == [1]  # no retry policy: it surfaces at once
    ATTEMPTS.clear()
    handle = await client.start_workflow(Unsendable, 3)
    assert (await handle.result()).startswith("PayloadError: activity parity.unsendable failed")
    assert ATTEMPTS == [1, 2, 3]  # the retry policy applies


@runbook.defn
class ReturnsJunk:
    @runbook.run
    async def run(self, what: str) -> Any:
        return object() if what == "object" else {1, 2}


async def test_a_result_without_a_json_form_fails_the_run(client: LocalClient) -> None:
    handle = await client.start_workflow(ReturnsJunk, "object", id="junk")
    with pytest.raises(
        WorkflowFailedError, match="workflow junk failed: PayloadError: the result of workflow ReturnsJunk"
    ) as info:
        await handle.result()
    assert isinstance(info.value.cause, PayloadError) and info.value.cause.type == "PayloadError"
    assert (await handle.describe()).status is WorkflowStatus.FAILED
    assert await (await client.start_workflow(ReturnsJunk, "set")).result() == [1, 2]


async def test_an_input_without_a_json_form_is_refused_at_start(client: LocalClient) -> None:
    with pytest.raises(PayloadError, match="the input of workflow Gate: a value of type object"):
        await client.start_workflow(Gate, object(), id="never")
    with pytest.raises(PayloadError, match="the input of workflow Types: a payload cannot be read as Amount"):
        await client.start_workflow(Types, {"value": "not a number"}, id="never")
    assert await client.list_workflows() == []
    handle = await client.start_workflow(Gate, id="g")
    with pytest.raises(PayloadError, match="the arguments of signal 'note'"):
        await handle.signal("note", object())

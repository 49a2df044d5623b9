"""One handle type for local runs, root or child: ``None`` is a value, as on Temporal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ntro.runtime.local import (
    LocalChildHandle,
    LocalRuntime,
    LocalWorkflowHandle,
    LocalWorkflowStatus,
    start_local,
)
from ntro.testing.conformance.flows import NotesFlow, SignalsChildFlow
from ntro.workflow import WorkflowError, runbook

NO_ARGUMENT = "<no argument>"  # what NotesFlow notes for a signal sent with no argument


@runbook.defn(slug="handles-notes")
class Notes(NotesFlow):
    """The conformance suite's note taker, with an update that notes what it carries too."""

    @runbook.update
    def amend(self, value: Any = NO_ARGUMENT) -> int:
        self.notes.append(f"amended: {value}")
        return len(self.notes)


@runbook.defn(slug="handles-fails")
class Fails:
    @runbook.run
    async def run(self) -> None:
        raise WorkflowError("no good", type="Nope")


@pytest.fixture(params=[False, True], ids=["raw", "parity"])
def rt(request: pytest.FixtureRequest) -> LocalRuntime:
    return LocalRuntime(payload_parity=request.param)


async def test_signal_and_update_with_none_send_none_and_with_nothing_send_no_argument(rt: LocalRuntime) -> None:
    handle = await start_local(Notes, runtime=rt)
    await handle.signal("note", None)
    await handle.signal("note")
    await handle.signal("note", args=[None])
    assert await handle.update("amend", None) == 4
    assert await handle.update("amend") == 5
    await handle.signal("close")
    assert await handle.result() == [None, NO_ARGUMENT, None, "amended: None", f"amended: {NO_ARGUMENT}"]


async def test_a_child_handle_is_the_one_handle_type_and_sends_none_as_a_value(rt: LocalRuntime) -> None:
    handle = await start_local(SignalsChildFlow, workflow_id="parent", runtime=rt)
    assert await handle.result() == {"notes": [None, NO_ARGUMENT, {"k": [1, 2]}]}
    assert LocalChildHandle is LocalWorkflowHandle
    (child,) = handle.children()
    assert isinstance(child, LocalWorkflowHandle)
    assert (child.id, child.status) == ("parent:notes", LocalWorkflowStatus.COMPLETED)


async def test_one_argument_and_args_together_are_refused(rt: LocalRuntime) -> None:
    handle = await start_local(Notes, runtime=rt)
    with pytest.raises(TypeError, match="either one argument or args"):
        await handle.signal("note", 1, args=[2])
    with pytest.raises(TypeError, match="either one argument or args"):
        await handle.update("amend", 1, args=[2])
    await handle.cancel()


async def test_status_definition_and_wait(rt: LocalRuntime) -> None:
    handle = await start_local(Notes, runtime=rt)
    assert handle.status is LocalWorkflowStatus.RUNNING
    assert handle.definition.name == "Notes" and set(handle.definition.signals) == {"note", "close"}
    waiting = asyncio.ensure_future(handle.wait())
    await asyncio.sleep(0)
    assert not waiting.done()
    await handle.cancel()
    await waiting  # a cancelled run: wait returns, it raises nothing of the run's
    assert handle.status is LocalWorkflowStatus.CANCELED

    failed = await start_local(Fails, runtime=rt)
    await failed.wait()
    assert failed.status is LocalWorkflowStatus.FAILED
    with pytest.raises(WorkflowError, match="no good"):
        await failed.result()

"""NtroWorkflow under LocalRuntime: steps, gates, row actions, children — as in ntro 0.1.2."""

from __future__ import annotations

import asyncio
import warnings
from datetime import timedelta
from typing import Any

import pytest

from ntro.runtime.local import LocalEvent, LocalRuntime, LocalWorkflowHandle, start_local
from ntro.workflow import NtroWorkflow, UIComponent, activity, runbook

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from ntro.workflow import ui_step

    @activity.defn(name="legacy.parse")
    async def parse(doc: dict[str, Any]) -> dict[str, Any]:
        return {"rows": [{"id": 1, "amount": 10}, {"id": 2, "amount": 20}], "source": doc["source"]}

    @runbook.defn
    class LegacyWorkflow(NtroWorkflow):
        """Written the ntro 0.1.2 way: ui_step, a submit_file gate with a timedelta, a review."""

        def __init__(self) -> None:
            super().__init__()
            self._doc: dict[str, Any] | None = None
            self.edits: list[dict[str, Any]] = []

        @runbook.signal
        async def document_submitted(self, payload: dict[str, Any]) -> None:
            self._doc = payload

        @ui_step(name="upload", title="Upload", icon="Inbox")
        async def _upload(self) -> None:
            await self.await_signal_with_action(
                predicate=lambda: self._doc is not None,
                action={
                    "kind": "submit_file",
                    "reason": "upload the statement",
                    "args": {"signal_task_id": runbook.info().workflow_id, "signal_name": "document_submitted"},
                },
                timeout=timedelta(hours=24),
            )

        @runbook.step(name="parse", title="Parse", icon="FileText")
        async def _parse(self) -> dict[str, Any]:
            assert self._doc is not None
            return await runbook.execute_activity(parse, self._doc, start_to_close_timeout=timedelta(minutes=5))

        @runbook.step(name="review", title="Review", icon="Eye")
        async def _review(self, data: dict[str, Any]) -> dict[str, Any]:
            self.set_user_feedback(kind="parse", payload={"rows": len(data["rows"])}, level="info")
            return await self.wait_for_action(payload=data, display_hint={"component": "DATA_TABLE", "config": {}})

        def on_row_action(self, action: dict[str, Any]) -> None:
            self.edits.append(action)

        @runbook.run
        async def run(self) -> dict[str, Any]:
            await self._upload()
            data = await self._parse()
            decision = await self._review(data)
            return {"decision": decision, "edits": self.edits, "source": data["source"]}


def test_ui_step_is_a_deprecated_alias() -> None:
    assert any(issubclass(w.category, DeprecationWarning) and "ui_step is deprecated" in str(w.message) for w in caught)


async def _wait_for(events: list[LocalEvent], kind: str, count: int = 1) -> None:
    while sum(e.kind == kind for e in events) < count:
        await asyncio.sleep(0)


async def test_a_0_1_2_runbook_runs_unchanged() -> None:
    rt = LocalRuntime()
    events: list[LocalEvent] = []
    handle = await start_local(LegacyWorkflow, workflow_id="legacy-1", runtime=rt, observer=events.append)
    await _wait_for(events, "workflow.waiting")
    pending = await handle.query("current_pending_action")
    assert pending["kind"] == "submit_file"
    assert pending["display_hint"] == {"component": "FILE_UPLOAD", "config": {}}
    assert pending["args"] == {"signal_task_id": "legacy-1", "signal_name": "document_submitted"}
    steps = await handle.query("current_steps")
    assert steps[0] == {"id": "upload", "title": "Upload", "status": "active", "icon": "Inbox"}
    assert [s["status"] for s in steps] == ["active", "pending", "pending"]

    await handle.signal(pending["args"]["signal_name"], {"source": "bank"})
    await _wait_for(events, "workflow.waiting", 2)
    review = await handle.query("current_pending_action")
    assert review["kind"] == "interactive_review"
    assert review["step_id"] == "review"
    assert review["payload"]["source"] == "bank"
    assert review["feedback"] == {"kind": "parse", "level": "info", "payload": {"rows": 2}}
    assert (await handle.query("current_ui_state"))["pending_payload"]["source"] == "bank"

    # Row actions are applied while the gate stays open.
    await handle.signal("user_action", {"kind": "row_action", "action": "edit_cell", "row_id": 1, "value": 11})
    await asyncio.sleep(0)
    assert (await handle.query("current_pending_action"))["kind"] == "interactive_review"
    await handle.signal(
        "user_action", {"kind": "approve", "corrections": [{"id": 2, "field": "amount", "new_value": 21}]}
    )
    result = await handle.result()
    assert result["decision"]["kind"] == "approve"
    assert result["edits"] == [{"kind": "row_action", "action": "edit_cell", "row_id": 1, "value": 11}]

    snapshots = await handle.query("step_snapshots")
    assert set(snapshots) == {"upload", "parse", "review"}
    assert snapshots["review"]["decision"]["kind"] == "approve"
    assert snapshots["parse"]["display_hint"] == {"component": "SUMMARY", "config": {"title": "Parse"}}
    assert await handle.query("current_pending_action") is None
    assert [s["status"] for s in await handle.query("current_steps")] == ["completed"] * 3
    step_events = [(e.kind, e.detail["step_id"]) for e in events if e.kind.startswith("step.")]
    assert step_events == [
        ("step.started", "upload"),
        ("step.completed", "upload"),
        ("step.started", "parse"),
        ("step.completed", "parse"),
        ("step.started", "review"),
        ("step.completed", "review"),
    ]


async def test_a_bad_action_kind_is_rejected() -> None:
    @runbook.defn
    class BadKind(NtroWorkflow):
        @runbook.run
        async def run(self) -> None:
            await self.await_signal_with_action(predicate=lambda: False, action={"kind": "dance"})

    handle = await start_local(BadKind, runtime=LocalRuntime())
    with pytest.raises(ValueError, match="action kind must be one of"):
        await handle.result()


@runbook.defn(slug="upload-one")
class UploadOne(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self.doc: dict[str, Any] | None = None

    @runbook.signal
    def document_submitted(self, payload: dict[str, Any]) -> None:
        self.doc = payload

    @runbook.run
    async def run(self, source: str) -> str:
        await self.await_signal_with_action(
            predicate=lambda: self.doc is not None,
            action={
                "kind": "submit_file",
                "reason": f"upload {source}",
                "args": {"signal_task_id": runbook.info().workflow_id, "signal_name": "document_submitted"},
            },
        )
        assert self.doc is not None
        return f"{source}:{self.doc['name']}"


@runbook.defn
class CollectWorkflow(NtroWorkflow):
    @runbook.step(name="collect", title="Collect")
    async def collect(self) -> list[Any]:
        return await self.collect_documents(
            expected=[{"source": "bank", "label": "Bank"}, {"source": "broker", "label": "Broker"}],
            inputs=["bank", "broker"],
            runbook_slug="upload-one",
        )

    @runbook.run
    async def run(self) -> list[Any]:
        return await self.collect()


async def _answer_children(handle: LocalWorkflowHandle, rt: LocalRuntime, names: dict[str, str]) -> None:
    pending = await handle.query("current_pending_action")
    for slot in pending["display_hint"]["config"]["expected"]:
        child = rt.get_handle(slot["args"]["signal_task_id"])
        await child.signal(slot["args"]["signal_name"], {"name": names[slot["source"]]})


async def test_collect_documents_advertises_submit_files() -> None:
    rt = LocalRuntime()
    events: list[LocalEvent] = []
    handle = await start_local(CollectWorkflow, workflow_id="c1", runtime=rt, observer=events.append)
    await _wait_for(events, "workflow.waiting", 2)  # both children wait for their upload
    pending = await handle.query("current_pending_action")
    assert pending["kind"] == "submit_files"
    assert pending["display_hint"]["component"] == UIComponent.MULTI_FILE_UPLOAD
    slots = pending["display_hint"]["config"]["expected"]
    assert [s["args"]["signal_task_id"] for s in slots] == [
        "c1:collect:upload-one:bank",
        "c1:collect:upload-one:broker",
    ]
    assert [s["status"] for s in slots] == ["pending", "pending"]
    await _answer_children(handle, rt, {"bank": "b.pdf", "broker": "k.pdf"})
    assert await handle.result() == ["bank:b.pdf", "broker:k.pdf"]


@runbook.defn
class DrillWorkflow(NtroWorkflow):
    @runbook.step(name="kids", title="Kids")
    async def kids(self) -> list[Any]:
        return await self.run_child_workflows(slug="upload-one", inputs=["a"])

    @runbook.run
    async def run(self) -> list[Any]:
        return await self.kids()


async def test_running_children_show_as_a_drill_down() -> None:
    rt = LocalRuntime()
    events: list[LocalEvent] = []
    handle = await start_local(DrillWorkflow, workflow_id="d1", runtime=rt, observer=events.append)
    await _wait_for(events, "workflow.waiting")
    pending = await handle.query("current_pending_action")
    assert pending == {
        "kind": "drill_down",
        "reason": "waiting on child workflows",
        "children": [{"task_id": "d1:kids:upload-one:0", "step_id": "kids", "slug": "upload-one"}],
    }
    child = rt.get_handle("d1:kids:upload-one:0")
    assert (await child.query("current_pending_action"))["kind"] == "submit_file"
    await child.signal("document_submitted", {"name": "x"})
    assert await handle.result() == ["a:x"]
    assert UIComponent.DATA_TABLE.is_interactive and not UIComponent.SUMMARY.is_interactive

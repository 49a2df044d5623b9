"""Gates on a real LocalRuntime: what NtroWorkflow publishes reads back exactly, and each review takes one answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from ntro.client import (
    ClientOptions,
    Gate,
    GateClosedError,
    PendingAction,
    WorkflowClient,
    WorkflowDescription,
    answer_gate,
    drive,
    gate_is_open,
    open_client,
    open_gates,
    review_answer,
    row_action,
    upload_answer,
)
from ntro.workflow import NtroWorkflow, runbook
from ntro.workflow.bundle import load_bundle, parse_input

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "runbooks"
NAV = load_bundle(EXAMPLES / "nav-monthly")
INGEST = load_bundle(EXAMPLES / "document-ingest")
EXPENSES = load_bundle(EXAMPLES / "expense-processor")


@runbook.defn(slug="gates-collect")
class Collect(NtroWorkflow):
    """collect_documents: a submit_files with a slot per source, each filled by a document-ingest child."""

    @runbook.step(name="collect", title="Collect")
    async def collect(self) -> list[Any]:
        sources = ["bank-statement", "investor-notice"]
        return await self.collect_documents(
            expected=[{"source": s, "label": s.replace("-", " ")} for s in sources],
            inputs=[{"source": s} for s in sources],
        )

    @runbook.run
    async def run(self) -> Any:
        return await self.collect()


@runbook.defn(slug="gates-two-reviews")
class TwoReviews(NtroWorkflow):
    """Two reviews in a row; returns the two answers it took and the row actions it saw."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []

    def on_row_action(self, action: dict[str, Any]) -> None:
        self.rows.append(action)

    @runbook.run
    async def run(self) -> dict[str, Any]:
        first = await self.wait_for_action(payload={"n": 1}, reason="first")
        second = await self.wait_for_action(payload={"n": 2}, reason="second")
        return {"first": first, "second": second, "rows": self.rows}


@pytest.fixture
async def client() -> AsyncIterator[WorkflowClient]:
    workflows = [NAV.workflow_cls, INGEST.workflow_cls, EXPENSES.workflow_cls, Collect, TwoReviews]
    activities = [*NAV.activities, *INGEST.activities, *EXPENSES.activities]
    async with open_client("local", ClientOptions(workflows=workflows, activities=activities)) as c:
        yield c


class Samples:
    """Answers uploads with the bundled samples and approves every review."""

    async def answer(self, gate: Gate) -> Any:
        if gate.kind == "interactive_review":
            return review_answer("approve")
        return upload_answer(gate, document_ref=f"sample:{gate.upload_name}")


async def test_every_pending_action_the_runbooks_publish_reads_back_exactly(client: WorkflowClient) -> None:
    seen: list[Mapping[str, Any]] = []

    def look(descriptions: Mapping[str, WorkflowDescription]) -> None:
        seen.extend(d.pending_action for d in descriptions.values() if d.pending_action is not None)

    runs = [
        (NAV.workflow_cls, parse_input(NAV.workflow_cls, None)),
        (EXPENSES.workflow_cls, parse_input(EXPENSES.workflow_cls, None)),
        (Collect, None),
    ]
    for workflow, arg in runs:
        handle = await client.start_workflow(workflow, *(() if arg is None else (arg,)))
        await drive(client, handle, Samples(), on_look=look)
    kinds = {action["kind"] for action in seen}
    assert kinds == {"submit_file", "submit_files", "interactive_review", "drill_down"}
    assert any("feedback" in action for action in seen)
    for action in seen:
        assert PendingAction.from_wire(action).to_wire() == action


async def _open(client: WorkflowClient, workflow_id: str, reason: str) -> Gate:
    for _ in range(5000):
        gates = await open_gates(client, workflow_id)
        if gates and gates[0].reason == reason:
            return gates[0]
        await asyncio.sleep(0)
    raise AssertionError(f"review {reason!r} never opened")


async def test_a_review_takes_one_answer_however_many_arrive(client: WorkflowClient) -> None:
    handle = await client.start_workflow(TwoReviews, id="two")
    first = await _open(client, "two", "first")
    assert first.number is not None and first.decisions == ("approve", "reject")
    # Two people press at the same moment: the first answer is taken, the second ignored.
    sent = await asyncio.gather(
        answer_gate(client, first, review_answer("approve", note="alice")),
        answer_gate(client, first, review_answer("reject", note="bob")),
    )
    assert sent[0] == {"kind": "approve", "note": "alice", "gate": first.number}
    second = await _open(client, "two", "second")
    assert second.number != first.number
    # A late answer, or a row action, for the closed review changes nothing.
    await answer_gate(client, first, review_answer("reject", note="late"))
    await answer_gate(client, first, row_action("reject_row", row_id="R1"))
    assert not await gate_is_open(client, first) and await gate_is_open(client, second)
    with pytest.raises(GateClosedError, match="is no longer open: it was answered already"):
        await answer_gate(client, first, review_answer("approve"), recheck=True)
    await answer_gate(client, second, row_action("edit_cell", row_id="R2", field="amount", value="3"))
    await answer_gate(client, second, review_answer("approve"), recheck=True)
    assert await handle.result() == {
        "first": {"kind": "approve", "note": "alice"},  # the runbook never sees the gate number
        "second": {"kind": "approve"},
        "rows": [
            {"kind": "row_action", "payload": {"action": "edit_cell", "row_id": "R2", "field": "amount", "value": "3"}}
        ],
    }


async def test_answers_without_a_gate_number_are_taken_as_in_ntro_0_1_2(client: WorkflowClient) -> None:
    handle = await client.start_workflow(TwoReviews, id="old")
    await _open(client, "old", "first")
    run = client.get_workflow_handle("old")
    await asyncio.gather(run.signal("user_action", {"kind": "approve"}), run.signal("user_action", {"kind": "reject"}))
    await _open(client, "old", "second")
    await run.signal("user_action", {"kind": "row_action", "action": "reject_row", "row_id": "R1"})
    await run.signal("user_action", {"kind": "approve", "gate": "not a number"})
    assert await handle.result() == {
        "first": {"kind": "reject"},  # the last one before the run moved on, as before
        "second": {"kind": "approve", "gate": "not a number"},
        "rows": [{"kind": "row_action", "action": "reject_row", "row_id": "R1"}],
    }


async def test_the_expense_example_applies_row_actions_in_the_public_shape(client: WorkflowClient) -> None:
    handle = await client.start_workflow(EXPENSES.workflow_cls, parse_input(EXPENSES.workflow_cls, None))
    (upload,) = await _gates_when(client, handle.id, "submit_file")
    await answer_gate(client, upload, upload_answer(upload, document_ref=f"sample:{upload.upload_name}"))
    (review,) = await _gates_when(client, handle.id, "interactive_review")
    assert "category" in review.action.editable_columns
    assert [a.kind for a in review.row_actions] == ["edit_cell", "reject_row", "restore_row"]
    await answer_gate(client, review, row_action("reject_row", row_id="EXP-005", reason="needs a PO"))
    await answer_gate(client, review, row_action("edit_cell", row_id="EXP-006", field="category", value="Office"))
    await answer_gate(client, review, review_answer("approve"))
    report = await handle.result()
    assert [r.id for r in report.rejected] == ["EXP-005"] and report.rejected[0].reject_reason == "needs a PO"
    assert "Office" in report.by_category and "Uncategorised" not in report.by_category


async def _gates_when(client: WorkflowClient, workflow_id: str, kind: str) -> list[Gate]:
    for _ in range(5000):
        gates = await open_gates(client, workflow_id)
        if gates and all(g.kind == kind for g in gates):
            return gates
        await asyncio.sleep(0)
    raise AssertionError(f"no {kind} opened")

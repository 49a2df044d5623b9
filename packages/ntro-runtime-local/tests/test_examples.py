"""The example runbooks in examples/runbooks, run for real under LocalRuntime: happy and reject paths."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ntro import documents
from ntro.runtime.local import LocalRuntime, LocalWorkflowHandle, VirtualClock, start_local
from ntro.workflow import IngestOutcome, IngestProgressSnapshot, WorkflowError
from ntro.workflow.bundle import load_bundle, parse_input

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "runbooks"

NAV = load_bundle(EXAMPLES / "nav-monthly")
INGEST = load_bundle(EXAMPLES / "document-ingest")
EXPENSES = load_bundle(EXAMPLES / "expense-processor")


@pytest.fixture
def rt() -> LocalRuntime:
    return LocalRuntime()


@pytest.fixture
def vrt() -> LocalRuntime:
    return LocalRuntime(clock=VirtualClock())


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> documents.DocumentStore:
    """The document store of this test (NTRO_DOCUMENTS): what an upload puts files into and activities read."""
    monkeypatch.setenv(documents.DOCUMENTS_ENV, str(tmp_path / "documents"))
    documents.set_default_store(None)
    return documents.default_store()


async def eventually(check: Callable[[], Awaitable[Any]], turns: int = 5000) -> Any:
    """Yield to the loop until ``check()`` returns something truthy (no clocks involved)."""
    for _ in range(turns):
        value = await check()
        if value:
            return value
        await asyncio.sleep(0)
    raise AssertionError("the condition never became true")


async def pending(handle: LocalWorkflowHandle, kind: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        action = await handle.query("current_pending_action")
        return action if action and action.get("kind") == kind else None

    result: dict[str, Any] = await eventually(check)
    return result


async def child(rt: LocalRuntime, workflow_id: str) -> LocalWorkflowHandle:
    async def check() -> LocalWorkflowHandle | None:
        try:
            return rt.get_handle(workflow_id)
        except LookupError:
            return None

    handle: LocalWorkflowHandle = await eventually(check)
    return handle


async def upload(handle: LocalWorkflowHandle, document_ref: str | None = None) -> dict[str, Any]:
    """Answer the submit_file gate the way the UI does: signal the named workflow."""
    action = await pending(handle, "submit_file")
    args = action["args"]
    target = handle.runtime.get_handle(args["signal_task_id"])
    await target.signal(args["signal_name"], {"document_ref": document_ref or f"sample:{args['source']}"})
    return action


async def review(handle: LocalWorkflowHandle, answer: dict[str, Any]) -> dict[str, Any]:
    action = await pending(handle, "interactive_review")
    await handle.signal("user_action", answer)
    return action


def ingest_input(**fields: Any) -> Any:
    return parse_input(INGEST.workflow_cls, fields)


# -- document-ingest ------------------------------------------------------------------------------


async def test_document_ingest_happy_path_with_corrections(rt: LocalRuntime) -> None:
    handle = await start_local(INGEST.workflow_cls, ingest_input(source="bank-statement"), runtime=rt)
    action = await upload(handle)
    assert action["args"]["signal_task_id"] == handle.id
    assert action["args"]["signal_name"] == "document_submitted"
    assert action["display_hint"]["component"] == "FILE_UPLOAD"
    gate = await pending(handle, "interactive_review")
    lines = gate["payload"]["line_items"]
    assert len(lines) == 7
    doubtful = [line for line in lines if line["confidence"] < 0.8]
    assert [line["id"] for line in doubtful] == ["L005"]  # the audit fee has no reference
    assert gate["display_hint"]["component"] == "DATA_TABLE"
    await handle.signal(
        "user_action",
        {
            "kind": "approve",
            "corrections": [
                {"line_item_id": "L005", "field": "reference", "new_value": "AUD-2026-I"},
                {"line_item_id": "L002", "field": "amount", "new_value": "-187000.00"},
                {"field": "account", "new_value": "Custody USD 4401"},
            ],
        },
    )
    record = await handle.result()
    assert record.status == "committed"
    assert record.corrections_applied == 3
    assert record.fields["account"] == "Custody USD 4401"
    fixed = {line.id: line for line in record.line_items}
    assert fixed["L005"].reference == "AUD-2026-I"
    assert fixed["L005"].confidence == 1.0
    assert fixed["L002"].amount == Decimal("-187000.00")
    assert record.total == Decimal("-396262.78") + Decimal(500)
    assert len(record.checksum or "") == 64
    steps = await handle.query("current_steps")
    assert [s["status"] for s in steps] == ["completed"] * 5


async def test_document_ingest_reject_commits_nothing(rt: LocalRuntime) -> None:
    handle = await start_local(INGEST.workflow_cls, ingest_input(), runtime=rt)
    await upload(handle)
    await review(handle, {"kind": "reject", "reason": "wrong account"})
    record = await handle.result()
    assert record.status == "rejected"
    assert record.line_count == 0
    assert record.line_items == []
    assert record.reviewer_note == "wrong account"
    assert record.checksum is None


async def test_document_ingest_reads_a_json_notice(rt: LocalRuntime) -> None:
    handle = await start_local(INGEST.workflow_cls, ingest_input(source="investor-notice"), runtime=rt)
    await upload(handle)
    await review(handle, {"kind": "approve"})
    record = await handle.result()
    assert record.doc_type == "investor_notice"
    assert record.fields["fund"] == "Demo Fund LP"
    assert [line.activity for line in record.line_items] == ["subscription", "redemption"]
    assert record.total == Decimal("1750000.00")


async def test_document_ingest_reads_an_uploaded_file(
    rt: LocalRuntime, tmp_path: Path, store: documents.DocumentStore
) -> None:
    statement = tmp_path / "october.csv"
    statement.write_text("date,description,reference,amount\n2026-10-05,Coupon,CPN-1,1000.50\n")
    handle = await start_local(INGEST.workflow_cls, ingest_input(), runtime=rt)
    await upload(handle, store.put(statement))
    await review(handle, {"kind": "approve"})
    record = await handle.result()
    assert record.filename == "october.csv"
    assert record.total == Decimal("1000.50")


async def test_document_ingest_fails_for_good_on_a_local_path_or_a_ref_the_store_lacks(
    rt: LocalRuntime, tmp_path: Path, store: documents.DocumentStore
) -> None:
    """A path is no ref (the worker may be elsewhere), and a ref another store holds is not here: no retrying."""
    statement = tmp_path / "october.csv"
    statement.write_text("date,description,reference,amount\n")
    elsewhere = documents.DocumentStore(str(tmp_path / "another-store")).put(statement)
    for ref, words in (
        (str(statement), "a local path is no ref: put the file into the store"),
        (elsewhere, f"no document {elsewhere} in the document store {store.url}"),
    ):
        handle = await start_local(INGEST.workflow_cls, ingest_input(), runtime=rt)
        await upload(handle, ref)
        with pytest.raises(WorkflowError, match=re.escape(words)) as info:
            await handle.result()
        assert info.value.non_retryable


async def test_document_ingest_refuses_a_correction_to_an_unknown_line(rt: LocalRuntime) -> None:
    handle = await start_local(INGEST.workflow_cls, ingest_input(), runtime=rt)
    await upload(handle)
    await review(
        handle, {"kind": "approve", "corrections": [{"line_item_id": "L999", "field": "amount", "new_value": 1}]}
    )
    with pytest.raises(WorkflowError, match="unknown line item 'L999'"):
        await handle.result()


async def test_document_ingest_upload_gate_times_out(vrt: LocalRuntime) -> None:
    handle = await start_local(INGEST.workflow_cls, ingest_input(upload_timeout_hours=24), runtime=vrt)
    with pytest.raises(TimeoutError):
        await handle.result()


# -- nav-monthly ------------------------------------------------------------------------------------


async def answer_children(rt: LocalRuntime, root: str, kind: str = "approve") -> list[LocalWorkflowHandle]:
    kids = [await child(rt, f"{root}:ingest_sources:document-ingest:{i}") for i in range(2)]
    for kid in kids:
        await upload(kid)
    for kid in kids:
        await review(kid, {"kind": kind})
    return kids


async def test_nav_monthly_happy_path(rt: LocalRuntime) -> None:
    ctx = parse_input(NAV.workflow_cls, None)
    handle = await start_local(NAV.workflow_cls, ctx, runtime=rt, workflow_id="nav-test")
    tb_gate = await upload(handle)
    assert tb_gate["args"]["signal_name"] == "tb_submitted"
    assert tb_gate["args"]["source"] == "trial-balance"
    drill = await pending(handle, "drill_down")
    assert {c["task_id"] for c in drill["children"]} == {
        "nav-test:ingest_sources:document-ingest:0",
        "nav-test:ingest_sources:document-ingest:1",
    }
    await answer_children(rt, "nav-test")
    gate = await review(handle, {"kind": "approve", "note": "ok"})
    assert gate["payload"]["nav"]["closing_nav"] == "50696917.86"
    assert gate["payload"]["exceptions"] == []
    summary = await handle.result()
    assert summary.status == "closed"
    assert summary.opening_nav == Decimal("49112730.64")
    assert summary.closing_nav == Decimal("50696917.86")
    assert summary.trial_balance_balanced and summary.trial_balance_matches_opening_nav
    assert [(d.source, d.status) for d in summary.documents] == [
        ("bank-statement", "committed"),
        ("investor-notice", "committed"),
    ]
    assert summary.reviewer_note == "ok"
    steps = await handle.query("current_steps")
    assert [s["id"] for s in steps] == ["period_open", "check_starting_tb", "ingest_sources", "review", "close_period"]
    assert {s["status"] for s in steps} == {"completed"}


async def test_nav_monthly_rejected_review_leaves_the_period_open(rt: LocalRuntime) -> None:
    handle = await start_local(NAV.workflow_cls, parse_input(NAV.workflow_cls, None), runtime=rt, workflow_id="nav-r")
    await upload(handle)
    await answer_children(rt, "nav-r")
    await review(handle, {"kind": "reject", "reason": "redemption not booked"})
    summary = await handle.result()
    assert summary.status == "rejected"
    assert summary.decision == "reject"
    assert summary.reviewer_note == "redemption not booked"
    steps = {s["id"]: s["status"] for s in await handle.query("current_steps")}
    assert steps["close_period"] == "pending"


async def test_nav_monthly_notes_rejected_documents(rt: LocalRuntime) -> None:
    handle = await start_local(NAV.workflow_cls, parse_input(NAV.workflow_cls, None), runtime=rt, workflow_id="nav-d")
    await upload(handle)
    await answer_children(rt, "nav-d", kind="reject")
    gate = await review(handle, {"kind": "approve"})
    assert any("bank-statement was rejected" in e for e in gate["payload"]["exceptions"])
    summary = await handle.result()
    assert summary.closing_nav == summary.opening_nav


async def test_nav_monthly_fails_on_an_unbalanced_trial_balance(
    rt: LocalRuntime, tmp_path: Path, store: documents.DocumentStore
) -> None:
    tb = tmp_path / "tb.csv"
    tb.write_text(
        "account_code,account_name,account_type,debit,credit\n1000,Cash,asset,100.00,0\n2000,Fees,liability,0,90\n"
    )
    handle = await start_local(NAV.workflow_cls, parse_input(NAV.workflow_cls, None), runtime=rt)
    await upload(handle, store.put(tb))
    with pytest.raises(WorkflowError, match=r"does not balance: debits 100\.00, credits 90") as info:
        await handle.result()
    assert info.value.type == "TrialBalanceOutOfBalance"


async def test_nav_monthly_refuses_a_closed_period(rt: LocalRuntime) -> None:
    handle = await start_local(NAV.workflow_cls, parse_input(NAV.workflow_cls, {"period": "2026-09"}), runtime=rt)
    with pytest.raises(WorkflowError, match="2026-09 is already closed"):
        await handle.result()


async def test_nav_monthly_trial_balance_gate_times_out_after_48_hours(vrt: LocalRuntime) -> None:
    handle = await start_local(NAV.workflow_cls, parse_input(NAV.workflow_cls, None), runtime=vrt)
    with pytest.raises(TimeoutError):
        await handle.result()
    assert vrt.clock.now() - (await handle.describe()).start_time >= timedelta(hours=48)


# -- expense-processor ---------------------------------------------------------------------------------


def expense_input(**fields: Any) -> Any:
    return parse_input(EXPENSES.workflow_cls, fields)


async def test_expense_processor_row_actions_while_the_review_is_open(rt: LocalRuntime) -> None:
    handle = await start_local(EXPENSES.workflow_cls, expense_input(), runtime=rt)
    await upload(handle)
    gate = await pending(handle, "interactive_review")
    rows = {row["id"]: row for row in gate["payload"]["rows"]}
    assert rows["EXP-001"]["category"] == "Travel"  # by vendor
    assert rows["EXP-006"]["category"] == "Uncategorised"  # no vendor or keyword matches
    assert gate["payload"]["flagged"] == ["EXP-005"]  # over the approval limit
    row_action = {"kind": "row_action"}
    await handle.signal(
        "user_action",
        {**row_action, "action": "edit_cell", "row_id": "EXP-006", "column": "category", "value": "Office"},
    )
    await handle.signal(
        "user_action", {**row_action, "action": "reject_row", "row_id": "EXP-005", "reason": "needs a PO"}
    )
    await handle.signal(
        "user_action", {**row_action, "action": "edit_cell", "row_id": "EXP-004", "column": "amount", "value": "oops"}
    )

    async def fed_back() -> dict[str, Any] | None:
        action = await handle.query("current_pending_action")
        feedback = (action or {}).get("feedback") or {}
        return feedback if "oops" in str(feedback.get("payload", {}).get("message")) else None

    feedback = await eventually(fed_back)
    assert feedback["level"] == "warning"
    assert (await handle.query("current_pending_action"))["kind"] == "interactive_review"  # the gate stays open
    await handle.signal("user_action", {"kind": "approve"})
    report = await handle.result()
    assert report.status == "committed"
    assert report.rejected_count == 1
    assert [r.id for r in report.rejected] == ["EXP-005"]
    assert report.rejected[0].reject_reason == "needs a PO"
    assert report.by_category["Office"] == Decimal("142.75")
    assert "Uncategorised" not in report.by_category
    assert report.approved_count == 6
    debits = sum((line.debit for line in report.journal), Decimal(0))
    credits_ = sum((line.credit for line in report.journal), Decimal(0))
    assert debits == credits_ == report.total_approved == Decimal("5240.05")
    assert {line.account for line in report.journal} >= {"6100", "6400", "2100"}


async def test_expense_processor_rows_by_signal(rt: LocalRuntime) -> None:
    handle = await start_local(EXPENSES.workflow_cls, expense_input(min_rows=2), runtime=rt)
    await handle.signal("data_submitted", {"rows": [{"date": "2026-10-01", "vendor": "Slack", "amount": "80.00"}]})
    await pending(handle, "submit_file")  # one row is not enough: the collect gate is open

    async def progress_shown() -> dict[str, Any] | None:
        feedback = (await handle.query("current_pending_action") or {}).get("feedback") or {}
        shown = feedback.get("payload") or {}
        return shown if (shown.get("progress") or {}).get("accepted_rows") == 1 else None

    shown = await eventually(progress_shown)  # ntro 0.1.2's IngestOutcome, as JSON
    assert IngestOutcome.model_validate(shown).progress == IngestProgressSnapshot(accepted_rows=1, target_rows=2)
    assert shown["status"] == "success"
    await handle.signal("data_submitted", {"date": "2026-10-02", "vendor": "Pret A Manger", "amount": "12.40"})
    gate = await review(
        handle,
        {
            "kind": "approve",
            "corrections": [{"expense_id": "ROW-002", "field": "description", "new_value": "Team lunch"}],
        },
    )
    assert [row["id"] for row in gate["payload"]["rows"]] == ["ROW-001", "ROW-002"]
    report = await handle.result()
    assert report.by_category == {"Meals": Decimal("12.40"), "Software": Decimal("80.00")}


async def test_expense_processor_reject_all(rt: LocalRuntime) -> None:
    handle = await start_local(EXPENSES.workflow_cls, expense_input(), runtime=rt)
    await upload(handle)
    await review(handle, {"kind": "reject"})
    report = await handle.result()
    assert report.status == "rejected"
    assert report.journal == []
    assert report.approved_count == 0
    assert report.rejected_count == 7


async def test_expense_processor_activity_with_two_arguments(
    rt: LocalRuntime, tmp_path: Path, store: documents.DocumentStore
) -> None:
    upload_file = tmp_path / "expenses.csv"
    upload_file.write_text(
        "date,vendor,description,amount\n2026-10-03,KPMG,Tax advice,1500\n2026-10-04,Staples,Paper,20\n"
    )
    handle = await start_local(EXPENSES.workflow_cls, expense_input(), runtime=rt, workflow_id="exp-args")
    await upload(handle, store.put(upload_file))
    gate = await review(handle, {"kind": "approve"})
    # ingest_submitted_document(doc, root_task_id) was called with args=[doc, root_task_id]
    assert [row["id"] for row in gate["payload"]["rows"]] == ["exp-args-D1", "exp-args-D2"]
    assert [row["source"] for row in gate["payload"]["rows"]] == ["upload:expenses.csv"] * 2
    report = await handle.result()
    assert report.by_category == {"Office": Decimal("20"), "Professional fees": Decimal("1500")}


async def test_expense_processor_collect_gate_times_out(vrt: LocalRuntime) -> None:
    handle = await start_local(EXPENSES.workflow_cls, expense_input(collect_timeout_hours=1), runtime=vrt)
    with pytest.raises(TimeoutError):
        await handle.result()

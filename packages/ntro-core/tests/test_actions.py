"""Pending actions as typed records: one parser, the shapes NtroWorkflow and ntro 0.1.2 publish, the answers.

Every shape round-trips exactly (``from_wire(w).to_wire() == w``): what the
base class publishes, what ntro 0.1.2's reference and the public runbooks
publish, and any dict at all.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ntro.client import (
    REVIEW_DECISIONS,
    Gate,
    GateNotFoundError,
    PendingAction,
    SignalTarget,
    UploadSlot,
    WorkflowClient,
    correction,
    open_gates,
    pick_reviews,
    pick_upload,
    review_answer,
    row_action,
    split_answer,
    upload_answer,
)

FEEDBACK = {
    "kind": "ingest",
    "level": "info",
    "payload": {"status": "success", "message": "Upload a CSV/XLSX file.", "progress": {"accepted_rows": 0}},
}

# -- what NtroWorkflow publishes (built by the same calls it makes) --------------------------------------

UPLOAD_ACTION = {
    "kind": "submit_file",
    "reason": "Upload the trial balance",
    "args": {
        "tenant_id_or_slug": "t",
        "entity_id_or_slug": "demo-fund",
        "source": "trial-balance",
        "schema_slug": "trial-balance",
        "signal_task_id": "run-1",
        "signal_name": "tb_submitted",
    },
}


def published_shapes() -> dict[str, dict[str, Any]]:
    """The dicts the base class publishes, one per way it opens a gate."""
    slots = [
        UploadSlot.wire_for(
            {"source": src, "label": src.title()}, source=src, signal=SignalTarget("document_submitted", f"p:{src}")
        )
        for src in ("bank", "broker")
    ]
    uploads = PendingAction.uploads(slots, title="Upload sources", step_id="collect", gate=4)
    return {
        "upload": PendingAction.advertised(UPLOAD_ACTION, gate=1, step_id="check_tb").to_wire(),
        "upload with feedback": PendingAction.advertised(
            UPLOAD_ACTION,
            gate=2,
            display_hint={"component": "FILE_UPLOAD", "config": {"accept": [".csv"]}},
            feedback=FEEDBACK,
        ).to_wire(),
        "review": PendingAction.review(
            payload={"rows": [{"id": "R-1", "amount": "12.00"}]},
            display_hint={"component": "DATA_TABLE", "config": {"data_key": "rows", "allow_corrections": True}},
            reason="Review the rows",
            step_id="review",
            feedback=FEEDBACK,
            gate=3,
        ).to_wire(),
        "bare review": PendingAction.review(payload=None, gate=5).to_wire(),
        "uploads": uploads.to_wire(),
        "uploads, one done": uploads.with_slot_status(0, "completed").to_wire(),
        "uploads with actions": PendingAction.uploads(
            slots, title="Sources", instructions="PDF", actions=[{"kind": "skip", "label": "Skip"}], gate=6
        ).to_wire(),
        "review with feedback later": PendingAction.review(payload={"n": 1}, gate=7).with_feedback(FEEDBACK).to_wire(),
        "drill-down": PendingAction.from_wire(
            {"kind": "drill_down", "reason": "waiting on child workflows", "children": []}
        ).to_wire(),
    }


def test_the_base_class_publishes_ntro_0_1_2_shapes() -> None:
    shapes = published_shapes()
    assert shapes["upload"] == {
        **UPLOAD_ACTION,
        "display_hint": {"component": "FILE_UPLOAD", "config": {}},
        "step_id": "check_tb",
        "gate": 1,
    }
    assert shapes["upload with feedback"]["feedback"] == FEEDBACK
    assert shapes["upload with feedback"]["display_hint"] == {
        "component": "FILE_UPLOAD",
        "config": {"accept": [".csv"]},
    }
    assert shapes["review"] == {
        "kind": "interactive_review",
        "tools": ["ntro_task_approve", "ntro_task_reject"],
        "payload": {"rows": [{"id": "R-1", "amount": "12.00"}]},
        "display_hint": {"component": "DATA_TABLE", "config": {"data_key": "rows", "allow_corrections": True}},
        "reason": "Review the rows",
        "step_id": "review",
        "feedback": FEEDBACK,
        "gate": 3,
    }
    assert shapes["bare review"] == {  # payload and reason are always there, null or not
        "kind": "interactive_review",
        "tools": ["ntro_task_approve", "ntro_task_reject"],
        "payload": None,
        "display_hint": {"component": "APPROVAL_FORM", "config": {}},
        "reason": None,
        "gate": 5,
    }
    assert shapes["uploads"] == {
        "kind": "submit_files",
        "reason": "2 document(s) to upload",
        "display_hint": {
            "component": "MULTI_FILE_UPLOAD",
            "config": {
                "title": "Upload sources",
                "instructions": None,
                "expected": [
                    {
                        "source": src,
                        "label": src.title(),
                        "status": "pending",
                        "args": {
                            "source": src,
                            "schema_slug": None,
                            "signal_task_id": f"p:{src}",
                            "signal_name": "document_submitted",
                        },
                    }
                    for src in ("bank", "broker")
                ],
            },
        },
        "step_id": "collect",
        "gate": 4,
    }
    assert [s["status"] for s in shapes["uploads, one done"]["display_hint"]["config"]["expected"]] == [
        "completed",
        "pending",
    ]
    later = shapes["review with feedback later"]
    assert later["feedback"] == later["display_hint"]["config"]["feedback"] == FEEDBACK


def test_opening_a_gate_fills_in_only_what_the_runbook_left_out() -> None:
    own = {**UPLOAD_ACTION, "step_id": "mine", "feedback": None, "display_hint": {"component": "X", "config": {}}}
    opened = PendingAction.advertised(own, gate=9, feedback=FEEDBACK, step_id="current").to_wire()
    assert opened == {**own, "gate": 9}  # its own step, its own null feedback, its own hint
    replaced = PendingAction.advertised(own, gate=9, display_hint={"component": "Y"}).to_wire()
    assert replaced["display_hint"] == {"component": "Y"}
    review = PendingAction.advertised({"kind": "interactive_review", "reason": "r"}, gate=1).to_wire()
    assert "display_hint" not in review  # only an upload gets FILE_UPLOAD by default


def test_feedback_on_an_open_gate_leaves_the_runbooks_own_config_alone() -> None:
    config = {"title": "Review"}
    action = PendingAction.review(payload={}, display_hint={"component": "DATA_TABLE", "config": config}, gate=1)
    shown = action.with_feedback(FEEDBACK).to_wire()
    assert shown["display_hint"]["config"] == {"title": "Review", "feedback": FEEDBACK}
    assert config == {"title": "Review"}


# -- what ntro 0.1.2's reference and the public runbooks publish -----------------------------------------

DOCUMENT_INGEST_UPLOAD = {
    "kind": "submit_file",
    "reason": "Workflow needs the bank-statement document for entity demo (period 2026-10).",
    "args": {
        "tenant_id_or_slug": "t",
        "entity_id_or_slug": "demo",
        "source": "bank-statement",
        "schema_slug": "bank-statement",
        "signal_task_id": "root:ingest:document-ingest:bank-statement",
        "signal_name": "document_submitted",
    },
    "display_hint": {
        "component": "FILE_UPLOAD",
        "config": {
            "title": "Upload bank-statement",
            "instructions": "Upload the bank-statement document for demo (2026-10).",
            "accept": ["application/pdf", "application/vnd.ms-excel"],
            "max_size_mb": 50,
            "multiple": False,
        },
    },
    "step_id": "await_submission",
}
DOCUMENT_INGEST_REVIEW = {
    "kind": "interactive_review",
    "tools": ["ntro_task_approve", "ntro_task_reject"],
    "payload": {"line_items": [{"id": "L001", "amount": 10}], "summary": "one line"},
    "display_hint": {
        "component": "DATA_TABLE",
        "config": {
            "title": "Review extracted bank-statement",
            "subtitle": "Confirm or correct the extracted line items.",
            "summary": "one line",
            "datasets": [{"key": "line_items", "label": "Line items", "data_key": "line_items"}],
            "approve_label": "Approve & continue",
            "reject_label": "Reject",
            "allow_corrections": True,
            "confidence_warning_threshold": 0.7,
            "actions": [
                {"kind": "reject", "label": "Revise"},
                {"kind": "approve", "label": "Confirm extraction", "primary": True, "icon": "ArrowRight"},
            ],
        },
    },
    "reason": "Extracted bank-statement for demo — review and approve.",
}
EXPENSE_UPLOAD = {
    "kind": "submit_file",
    "reason": "Collecting expense rows for demo (2026-10).",
    "args": {
        "source": "expense-csv",
        "tenant_id_or_slug": "t",
        "entity_id_or_slug": "demo",
        "expected_kind": "expense",
        "signal_task_id": "root",
        "signal_name": "document_submitted",
    },
    "display_hint": {
        "component": "FILE_UPLOAD",
        "config": {"title": "Upload expense rows", "accept": ["text/csv"], "max_size_mb": 25, "multiple": False},
    },
    "feedback": FEEDBACK,
}
EXPENSE_REVIEW = {
    "kind": "interactive_review",
    "tools": ["ntro_task_approve", "ntro_task_reject"],
    "payload": {"line_items": [{"id": "E1", "vendor": "Hilton", "category": "Travel"}], "summary": "1 row"},
    "display_hint": {
        "component": "DATA_TABLE",
        "config": {
            "title": "Review expenses",
            "datasets": [
                {
                    "key": "line_items",
                    "label": "Line items",
                    "data_key": "line_items",
                    "columns": [
                        {"key": "vendor", "label": "Vendor", "type": "text", "editable": False},
                        {"key": "category", "label": "Category", "type": "enum", "editable": True},
                        {"key": "amount_gross", "label": "Amount", "type": "money", "editable": True},
                    ],
                }
            ],
            "actions": [
                {"kind": "reject", "label": "Reject batch"},
                {"kind": "approve", "label": "Approve & post", "primary": True, "icon": "ArrowRight"},
            ],
            "allow_corrections": True,
        },
    },
    "reason": "Review 1 expense row(s).",
}
REFERENCE_SHAPES: dict[str, dict[str, Any]] = {
    "recommended upload (with tool)": {
        "kind": "submit_file",
        "reason": "need file",
        "tool": "ntro_task_file_ingest",
        "args": {"signal_task_id": "w", "signal_name": "document_submitted"},
    },
    "document-ingest upload": DOCUMENT_INGEST_UPLOAD,
    "document-ingest review": DOCUMENT_INGEST_REVIEW,
    "expense-processor upload": EXPENSE_UPLOAD,
    "expense-processor review": EXPENSE_REVIEW,
    "review with checks (quality checks are not run here)": {**EXPENSE_REVIEW, "checks": {"status": "running"}},
    "drill-down": {
        "kind": "drill_down",
        "reason": "waiting on child workflows",
        "children": [{"task_id": "root:ingest:document-ingest:0", "step_id": "ingest", "slug": "document-ingest"}],
    },
}


@pytest.mark.parametrize(
    "wire",
    [*published_shapes().values(), *REFERENCE_SHAPES.values()],
    ids=[*published_shapes(), *REFERENCE_SHAPES],
)
def test_every_shape_round_trips(wire: dict[str, Any]) -> None:
    assert PendingAction.from_wire(wire).to_wire() == wire


def test_keys_the_model_cannot_read_are_kept_as_they_came() -> None:
    odd = {
        "kind": "interactive_review",
        "reason": 42,
        "gate": True,  # a bool is no gate number
        "tools": "approve",
        "children": [{"task_id": "a"}, "b"],
        "display_hint": "DATA_TABLE",
        "payload": None,
        "made_up": {"x": 1},
    }
    action = PendingAction.from_wire(odd)
    assert action.to_wire() == odd
    assert (action.reason, action.gate, action.tools, action.children, action.display_hint) == (None,) * 5
    assert action.extra["made_up"] == {"x": 1}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
KEYS = ["kind", "reason", "step_id", "gate", "display_hint", "feedback", "args", "payload", "tool", "tools", "children"]


@given(
    st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), json_values, max_size=8),
    st.dictionaries(st.sampled_from(["component", "config", "x"]), json_values, max_size=3),
    st.dictionaries(st.sampled_from(["kind", "level", "payload", "y"]), json_values, max_size=3),
)
def test_any_dict_round_trips(wire: dict[str, Any], hint: dict[str, Any], feedback: dict[str, Any]) -> None:
    for value in (wire, {**wire, "display_hint": hint, "feedback": feedback, "children": [feedback, hint]}):
        assert PendingAction.from_wire(value).to_wire() == value


# -- typed reading ---------------------------------------------------------------------------------------


def test_an_upload_reads_as_one_slot_with_its_hint() -> None:
    action = PendingAction.from_wire({**DOCUMENT_INGEST_UPLOAD, "gate": 2})
    assert (action.kind, action.step_id, action.gate, action.component) == (
        "submit_file",
        "await_submission",
        2,
        "FILE_UPLOAD",
    )
    assert action.signal == SignalTarget("document_submitted", "root:ingest:document-ingest:bank-statement")
    (slot,) = action.slots
    assert (slot.source, slot.name, slot.status, slot.schema_slug, slot.tenant, slot.entity) == (
        "bank-statement",
        "bank-statement",
        "pending",
        "bank-statement",
        "t",
        "demo",
    )
    hint = action.display_hint
    assert hint is not None
    assert (hint.title, hint.accept, hint.max_size_mb, hint.multiple) == (
        "Upload bank-statement",
        ("application/pdf", "application/vnd.ms-excel"),
        50.0,
        False,
    )
    assert action.decisions == () and not action.allow_corrections
    feedback = PendingAction.from_wire(EXPENSE_UPLOAD).feedback
    assert feedback is not None and (feedback.kind, feedback.level) == ("ingest", "info")


def test_a_review_reads_its_answers_tables_and_editable_columns() -> None:
    ingest = PendingAction.from_wire(DOCUMENT_INGEST_REVIEW)
    assert ingest.signal == SignalTarget("user_action")
    assert ingest.decisions == ("reject", "approve")
    hint = ingest.display_hint
    assert hint is not None
    assert [(a.kind, a.label, a.primary) for a in hint.actions] == [
        ("reject", "Revise", False),
        ("approve", "Confirm extraction", True),
    ]
    assert [(d.key, d.label, d.data_key) for d in hint.datasets] == [("line_items", "Line items", "line_items")]
    assert ingest.allow_corrections and ingest.editable_columns == ()  # allowed; no column listed

    expenses = PendingAction.from_wire(EXPENSE_REVIEW)
    assert expenses.editable_columns == ("category", "amount_gross")  # the ones marked editable
    assert PendingAction.review(payload={}).decisions == REVIEW_DECISIONS  # no actions of its own

    table = PendingAction.review(
        payload={},
        display_hint={
            "component": "DATA_TABLE",
            "config": {
                "columns": ["id", "vendor", "amount"],
                "row_actions": [
                    {"kind": "edit_cell", "label": "Edit", "columns": ["amount"]},
                    {"kind": "reject_row", "label": "Reject"},
                ],
                "footer_actions": [{"kind": "reject"}, {"kind": "approve", "primary": True}],
                "allow_corrections": True,
            },
        },
    )
    assert table.editable_columns == ("amount",)  # the columns edit_cell names
    assert [a.kind for a in table.row_actions] == ["edit_cell", "reject_row"]
    assert table.decisions == ("reject", "approve")  # footer_actions, when there are no actions
    assert [c.key for c in table.display_hint.columns] == ["id", "vendor", "amount"]  # type: ignore[union-attr]


def test_uploads_read_as_slots_and_a_drill_down_as_children() -> None:
    uploads = PendingAction.from_wire(published_shapes()["uploads, one done"])
    assert [(s.source, s.label, s.status, s.signal) for s in uploads.slots] == [
        ("bank", "Bank", "completed", SignalTarget("document_submitted", "p:bank")),
        ("broker", "Broker", "pending", SignalTarget("document_submitted", "p:broker")),
    ]
    drill = PendingAction.from_wire(REFERENCE_SHAPES["drill-down"])
    assert [(c.workflow_id, c.step_id, c.slug) for c in drill.children or ()] == [
        ("root:ingest:document-ingest:0", "ingest", "document-ingest")
    ]
    assert PendingAction.parse(None) is None and PendingAction.parse("not an action") is None


# -- answers ---------------------------------------------------------------------------------------------


def test_answers_carry_the_gate_number_apart_from_the_answer() -> None:
    assert split_answer({"kind": "approve", "gate": 3}) == (3, {"kind": "approve"})
    assert split_answer({"kind": "approve"}) == (None, {"kind": "approve"})
    assert split_answer({"kind": "approve", "gate": "3"}) == (None, {"kind": "approve", "gate": "3"})
    assert split_answer(None) == (None, None)


def test_answer_builders() -> None:
    fix = correction("L001", "description", "fixed")
    assert review_answer("approve", note="ok", corrections=[fix]) == {
        "kind": "approve",
        "note": "ok",
        "corrections": [{"line_item_id": "L001", "field": "description", "new_value": "fixed"}],
    }
    assert review_answer("revise", decisions=("revise", "approve")) == {"kind": "revise"}
    with pytest.raises(ValueError, match="approve or reject, not 'maybe'"):
        review_answer("maybe")

    edit = row_action("edit_cell", row_id="E1", field="category", value="Office")
    assert edit == {
        "kind": "row_action",
        "payload": {"action": "edit_cell", "row_id": "E1", "field": "category", "value": "Office"},
    }
    assert row_action("reject_row", row_id="E2") == {
        "kind": "row_action",
        "payload": {"action": "reject_row", "row_id": "E2"},
    }


def _gates(known: dict[str, Any]) -> list[Gate]:
    """The gates of the run ``root`` whose pending actions are all ``known`` (no query is sent)."""
    return asyncio.run(open_gates(cast(WorkflowClient, None), "root", known=known))


def test_gates_are_found_through_drill_downs_and_slots() -> None:
    uploads = published_shapes()["uploads"]
    known: dict[str, Any] = {
        "root": REFERENCE_SHAPES["drill-down"],
        "root:ingest:document-ingest:0": uploads,
        "p:bank": {**UPLOAD_ACTION, "args": {**UPLOAD_ACTION["args"], "signal_task_id": "p:bank"}, "gate": 1},
        "p:broker": None,  # not started yet: its slot is answered in the parent's name
    }
    gates = _gates(known)
    assert [(g.workflow_id, g.kind, g.signal_workflow_id, g.upload_name) for g in gates] == [
        ("p:bank", "submit_file", "p:bank", "trial-balance"),
        ("root:ingest:document-ingest:0", "submit_file", "p:broker", "broker"),
    ]
    bank, broker = gates
    assert bank.for_slot is not None and bank.for_slot.slot is not None and bank.for_slot.slot.source == "bank"
    assert broker.is_slot and broker.reason == "Broker" and broker.number == 4
    assert broker.pending == {
        **uploads["display_hint"]["config"]["expected"][1],
        "reason": "Broker",
        "step_id": "collect",
    }
    answer = upload_answer(bank, document_ref="/tmp/tb.csv", filename="tb.csv")
    assert answer == {
        "document_ref": "/tmp/tb.csv",
        "filename": "tb.csv",
        "content_type": "text/csv",
        "source": "trial-balance",
        "tenant_slug": "t",
        "entity_slug": "demo-fund",
    }


def test_a_gate_of_one_pending_action() -> None:
    upload = Gate.of("wf", {**UPLOAD_ACTION, "gate": 2})
    assert upload is not None
    assert (upload.kind, upload.signal_workflow_id, upload.signal_name, upload.upload_name, upload.number) == (
        "submit_file",
        "run-1",
        "tb_submitted",
        "trial-balance",
        2,
    )
    review = Gate.of("wf", PendingAction.review(payload={}, gate=3))
    assert review is not None and (review.signal_workflow_id, review.signal_name) == ("wf", "user_action")
    assert Gate.of("wf", REFERENCE_SHAPES["drill-down"]) is None
    assert Gate.of("wf", {"kind": "submit_file", "args": {}}) is None  # names no signal
    assert Gate.of("wf", None) is None


def test_choosing_the_gate_an_answer_goes_to() -> None:
    upload = {**UPLOAD_ACTION, "gate": 1}
    gates = _gates({"root": upload})
    assert pick_upload(gates, "root", "trial-balance") is gates[0]
    assert pick_upload(gates, "root", "tb_submitted") is gates[0]  # the signal's name also names it
    with pytest.raises(GateNotFoundError) as none:
        pick_upload(gates, "root", "payroll")
    assert str(none.value) == "workflow root waits for no upload of 'payroll'; the uploads open are: trial-balance"
    with pytest.raises(GateNotFoundError) as no_review:
        pick_reviews(gates, "root")
    assert str(no_review.value) == (
        "workflow root has no review open; it waits for: an upload of trial-balance: Upload the trial balance (in root)"
    )

    two = _gates(
        {
            "root": {"kind": "drill_down", "children": [{"task_id": "a"}, {"task_id": "b"}]},
            "a": {**DOCUMENT_INGEST_UPLOAD, "args": {**DOCUMENT_INGEST_UPLOAD["args"], "signal_task_id": "a"}},
            "b": {**DOCUMENT_INGEST_UPLOAD, "args": {**DOCUMENT_INGEST_UPLOAD["args"], "signal_task_id": "b"}},
        }
    )
    with pytest.raises(GateNotFoundError, match=r"^2 uploads of 'bank-statement' are open \(workflows a, b\)"):
        pick_upload(two, "root", "bank-statement")
    with pytest.raises(GateNotFoundError, match="it waits for: nothing a person can answer now"):
        pick_upload([], "root", "x")

    reviews = _gates({"root": {"kind": "drill_down", "children": [{"task_id": "a"}]}, "a": DOCUMENT_INGEST_REVIEW})
    assert [(g.kind, g.signal_workflow_id, g.signal_name, g.decisions) for g in pick_reviews(reviews, "root")] == [
        ("interactive_review", "a", "user_action", ("reject", "approve"))
    ]

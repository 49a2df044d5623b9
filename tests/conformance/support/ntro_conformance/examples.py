"""The conformance cases on the repository's example runbooks (the focused ones ship in ntro.testing.conformance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ntro.testing.conformance import Case, Outcome, Review, Upload

EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "runbooks"
EXAMPLE_SLUGS = ("nav-monthly", "document-ingest", "expense-processor")


def example_bundle(slug: str) -> Any:
    """Load and return the example runbook bundle ``slug`` (loading registers its slug)."""
    from ntro.workflow.bundle import load_bundle

    return load_bundle(EXAMPLES / slug)


def _calls(outcome: Outcome, workflow_id: str) -> list[tuple[str, int, str]]:
    return [(c["activity"], c["attempt"], c["outcome"]) for c in outcome.calls.get(workflow_id, [])]


def _nav_closed(outcome: Outcome) -> None:
    assert outcome.status == "completed", outcome.error
    assert outcome.result["status"] == "closed"
    assert [d["source"] for d in outcome.result["documents"]] == ["bank-statement", "investor-notice"]
    kinds = [p["pending"]["kind"] for p in outcome.pending]
    assert kinds == [
        "submit_file",
        "submit_file",
        "interactive_review",
        "submit_file",
        "interactive_review",
        "interactive_review",
    ]
    assert [a for a, _, _ in _calls(outcome, "conf-nav-monthly-approve")] == [
        "nav_monthly.open_period",
        "nav_monthly.check_trial_balance",
        "nav_monthly.roll_forward_nav",
        "nav_monthly.close_period",
    ]
    child = "conf-nav-monthly-approve:ingest_sources:document-ingest:0"
    assert [a for a, _, _ in _calls(outcome, child)] == [
        "document_ingest.parse_document",
        "document_ingest.extract_fields",
        "document_ingest.commit_extraction",
    ]


def _nav_rejected(outcome: Outcome) -> None:
    assert outcome.result["status"] == "rejected"
    assert "nav_monthly.close_period" not in [a for a, _, _ in _calls(outcome, "conf-nav-monthly-reject")]


def _ingest_corrected(outcome: Outcome) -> None:
    assert outcome.status == "completed", outcome.error
    assert outcome.result["status"] == "committed"


def _expenses(outcome: Outcome) -> None:
    assert outcome.status == "completed", outcome.error
    reviews = [p["pending"] for p in outcome.pending if p["pending"]["kind"] == "interactive_review"]
    assert len(reviews) == 3  # opened, after the reject_row, after the edit_cell
    assert reviews[1]["feedback"]["kind"] == "row_action"


def _expenses_by_signal(outcome: Outcome) -> None:
    assert outcome.status == "completed", outcome.error
    assert [p["pending"]["kind"] for p in outcome.pending] == ["interactive_review"]  # no upload gate at all


EXPENSE_ROWS = {
    "rows": [{"id": "R-1", "date": "2026-10-02", "vendor": "Hilton", "amount": "120.00", "employee": "A. Patel"}]
}

EXAMPLE_CASES: list[Case] = [
    # every example runbook
    Case(
        "nav-monthly-approve",
        "nav-monthly",
        ({},),
        (Upload(), Upload(), Review(), Upload(), Review(), Review({"kind": "approve", "note": "looks right"})),
        check=_nav_closed,
    ),
    Case(
        "nav-monthly-reject",
        "nav-monthly",
        ({"sources": ["bank-statement"]},),
        (Upload(), Upload(), Review(), Review({"kind": "reject", "reason": "recheck income"})),
        check=_nav_rejected,
    ),
    Case(
        "document-ingest-corrected",
        "document-ingest",
        ({"tenant_slug": "t", "entity_slug": "demo-fund", "source": "bank-statement", "period": "2026-10"},),
        (
            Upload(),
            Review(
                {
                    "kind": "approve",
                    "corrections": [{"line_item_id": "L001", "field": "description", "new_value": "fixed"}],
                }
            ),
        ),
        check=_ingest_corrected,
    ),
    Case(
        "expense-processor-row-actions",
        "expense-processor",
        ({},),
        (
            Upload(),
            Review(
                {"kind": "approve", "note": "ok"},
                row_actions=(
                    {"action": "reject_row", "row_id": "EXP-004", "reason": "personal"},
                    {"action": "edit_cell", "row_id": "EXP-002", "column": "amount", "value": "900.00"},
                ),
            ),
        ),
        check=_expenses,
    ),
    Case(
        "expense-processor-rows-by-signal",
        "expense-processor",
        ({"min_rows": 1},),
        (Review(),),
        start_signal=("data_submitted", EXPENSE_ROWS),
        check=_expenses_by_signal,
    ),
]

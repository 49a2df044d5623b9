"""Activities of the expense-processor runbook: read uploaded expense files, categorise rows, build the journal.

Categories and GL accounts come from ``vendor_map.json`` beside this file's
``data/``; uploaded files are read through :mod:`ntro.documents`: a ref of the
document store, or ``sample:<name>`` for a sample shipped in ``data/samples/``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ntro import documents
from ntro.workflow import WorkflowError, activity

from .models import CommitInput, ExpenseReport, ExpenseRow, JournalLine

DATA = Path(__file__).parent / "data"
SAMPLES = DATA / "samples"


def _vendor_map() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "vendor_map.json").read_text(encoding="utf-8"))
    return data


def _document(document_ref: str) -> tuple[documents.DocumentInfo, bytes]:
    """The upload's name, type and size, and its bytes; a ref that will never resolve fails for good."""
    try:
        return documents.stat(document_ref, samples=SAMPLES), documents.read(document_ref, samples=SAMPLES)
    except documents.DocumentNotFoundError as exc:
        raise WorkflowError(str(exc), non_retryable=True) from None


@activity.defn(name="expense_processor.ingest_submitted_document")
async def ingest_submitted_document(doc: dict[str, Any], root_task_id: str) -> list[ExpenseRow]:
    """Read an uploaded expense CSV into rows; rows without an id get ``<task>-D<n>``."""
    ref = str(doc.get("document_ref") or "")
    if not ref:
        raise WorkflowError("the document_submitted signal carried no document_ref", non_retryable=True)
    info, raw = _document(ref)
    name = info.filename or str(doc.get("filename") or "upload")
    if Path(name).suffix.lower() != ".csv":
        raise WorkflowError(f"{name}: expense uploads must be CSV", non_retryable=True)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    rows: list[ExpenseRow] = []
    for n, raw in enumerate(reader, start=1):
        record = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        try:
            amount = Decimal(record.get("amount", "").replace(",", ""))
        except InvalidOperation:
            raise WorkflowError(
                f"{name} row {n + 1}: amount {record.get('amount')!r} is not a number", non_retryable=True
            ) from None
        rows.append(
            ExpenseRow.model_validate(
                {
                    **record,
                    "id": record.get("id") or f"{root_task_id}-D{n}",
                    "amount": amount,
                    "source": f"upload:{name}",
                }
            )
        )
    return rows


@activity.defn(name="expense_processor.categorise_row")
async def categorise_row(row: ExpenseRow) -> ExpenseRow:
    """Give ``row`` a category and GL account from the vendor map (vendor first, then keywords)."""
    mapping = _vendor_map()
    vendor = row.vendor.strip().lower()
    category = mapping["vendors"].get(vendor)
    if category is None:
        text = f"{row.vendor} {row.description}".lower()
        category = next((k["category"] for k in mapping["keywords"] if k["match"] in text), None)
    category = category or mapping["default_category"]
    limit = Decimal(mapping["approval_limit"])
    return row.model_copy(
        update={
            "category": category,
            "gl_account": mapping["categories"][category]["gl_account"],
            "needs_second_approval": row.amount > limit,
        }
    )


@activity.defn(name="expense_processor.commit_expenses")
async def commit_expenses(request: CommitInput) -> ExpenseReport:
    """Build the accrual journal for the approved rows: debit each category's account, credit payables.

    A rejected batch produces no journal. Nothing is posted anywhere: the
    journal is returned for the caller (or a GL activity) to post.
    """
    mapping = _vendor_map()
    categories: dict[str, Any] = mapping["categories"]
    suspense = categories[mapping["default_category"]]["gl_account"]
    rejected = [row for row in request.rows if row.status == "rejected"]
    accepted = [row for row in request.rows if row.status != "rejected"] if request.approved else []
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    by_account: dict[str, Decimal] = defaultdict(Decimal)
    for row in accepted:
        category = row.category or mapping["default_category"]
        by_category[category] += row.amount
        by_account[categories.get(category, {}).get("gl_account", suspense)] += row.amount
    total = sum(by_account.values(), Decimal(0))
    journal = [
        JournalLine(account=account, description=f"{request.period} expenses", debit=amount)
        for account, amount in sorted(by_account.items())
    ]
    if total:
        journal.append(
            JournalLine(
                account=mapping["payable_account"], description=f"{request.period} expenses payable", credit=total
            )
        )
    return ExpenseReport(
        period=request.period,
        entity_slug=request.entity_slug,
        status="committed" if request.approved else "rejected",
        approved_count=len(accepted),
        rejected_count=len(rejected) if request.approved else len(request.rows),
        total_approved=total,
        by_category=dict(sorted(by_category.items())),
        journal=journal,
        rejected=rejected,
        reviewer_note=request.reviewer_note,
        committed_at=request.committed_at,
    )

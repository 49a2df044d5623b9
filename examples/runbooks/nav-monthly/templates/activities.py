"""Activities of the nav-monthly runbook: the period store, the trial balance and the NAV roll-forward.

The period store is ``data/periods.json``; the NAV policy (how bank lines are
classified, tolerances) is ``data/nav_policy.json``. Nothing is written: a real
deployment would swap these reads for its fund-accounting system. The uploaded
trial balance is read through :mod:`ntro.documents` (a document store ref, or
``sample:trial-balance`` from ``data/samples/``).
"""

from __future__ import annotations

import calendar
import csv
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ntro import documents
from ntro.workflow import WorkflowError, activity

from .models import (
    ClosePeriodInput,
    IngestedSource,
    NavRollForward,
    OpenPeriodInput,
    PeriodClosed,
    PeriodOpened,
    RollForwardInput,
    TrialBalanceCheck,
    TrialBalanceInput,
)

DATA = Path(__file__).parent / "data"
SAMPLES = DATA / "samples"
CENT = Decimal("0.01")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def _shift(period: str, months: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _read(document_ref: str) -> bytes:
    """The uploaded trial balance (a document store ref, or a bundled ``sample:``); a bad ref fails for good."""
    try:
        return documents.read(document_ref, samples=SAMPLES)
    except documents.DocumentNotFoundError as exc:
        raise WorkflowError(str(exc), non_retryable=True) from None


@activity.defn(name="nav_monthly.open_period")
async def open_period(request: OpenPeriodInput) -> PeriodOpened:
    """Open ``request.period`` for the fund; its opening NAV is the previous period's closing NAV."""
    entities = _load("periods.json")["entities"]
    entity = entities.get(request.entity_slug)
    if entity is None:
        raise WorkflowError(
            f"unknown entity {request.entity_slug!r}; the period store knows {', '.join(sorted(entities))}",
            non_retryable=True,
        )
    periods: dict[str, Any] = entity["periods"]
    if periods.get(request.period, {}).get("status") == "closed":
        raise WorkflowError(f"{request.period} is already closed for {request.entity_slug}", non_retryable=True)
    previous = _shift(request.period, -1)
    prior = periods.get(previous)
    if prior is None or prior.get("status") != "closed":
        raise WorkflowError(
            f"cannot open {request.period}: the previous period {previous} is not closed for {request.entity_slug}",
            non_retryable=True,
        )
    year, month = (int(part) for part in request.period.split("-"))
    last_day = calendar.monthrange(year, month)[1]
    return PeriodOpened(
        entity_slug=request.entity_slug,
        fund_name=entity["name"],
        base_currency=entity["base_currency"],
        period=request.period,
        previous_period=previous,
        start_date=f"{request.period}-01",
        end_date=f"{request.period}-{last_day:02d}",
        opening_nav=Decimal(prior["closing_nav"]),
    )


def _money(value: str, *, row: int, column: str) -> Decimal:
    try:
        return Decimal((value or "0").replace(",", "").strip() or "0")
    except InvalidOperation:
        raise WorkflowError(
            f"trial balance row {row}: {column} {value!r} is not a number", non_retryable=True
        ) from None


@activity.defn(name="nav_monthly.check_trial_balance")
async def check_trial_balance(request: TrialBalanceInput) -> TrialBalanceCheck:
    """Read the trial-balance CSV, check that debits equal credits and compare net assets to the opening NAV."""
    text = _read(request.document_ref).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    expected = {"account_code", "account_type", "debit", "credit"}
    if not expected <= set(reader.fieldnames or ()):
        raise WorkflowError(
            f"the trial balance needs columns {', '.join(sorted(expected))}; "
            f"found {', '.join(reader.fieldnames or ())}",
            non_retryable=True,
        )
    tolerance = Decimal(_load("nav_policy.json")["tb_tolerance"])
    total_debits = total_credits = assets = liabilities = Decimal(0)
    count = 0
    for n, row in enumerate(reader, start=2):
        debit = _money(row["debit"], row=n, column="debit")
        credit = _money(row["credit"], row=n, column="credit")
        total_debits += debit
        total_credits += credit
        kind = row["account_type"].strip().lower()
        if kind == "asset":
            assets += debit - credit
        elif kind == "liability":
            liabilities += credit - debit
        count += 1
    net_assets = assets - liabilities
    difference = total_debits - total_credits
    return TrialBalanceCheck(
        document_ref=request.document_ref,
        account_count=count,
        total_debits=total_debits,
        total_credits=total_credits,
        difference=difference,
        balanced=abs(difference) <= tolerance,
        total_assets=assets,
        total_liabilities=liabilities,
        net_assets=net_assets,
        matches_opening_nav=abs(net_assets - request.opening_nav) <= tolerance,
    )


def _category(description: str, rules: list[dict[str, str]]) -> str | None:
    text = description.lower()
    return next((rule["category"] for rule in rules if rule["match"] in text), None)


def _lines(doc: IngestedSource) -> list[tuple[str, Decimal]]:
    return [(str(item.get("description", "")), Decimal(str(item.get("amount", "0")))) for item in doc.line_items]


@activity.defn(name="nav_monthly.roll_forward_nav")
async def roll_forward_nav(request: RollForwardInput) -> NavRollForward:
    """Roll the opening NAV forward with the month's committed documents.

    Capital comes from the investor notice; income and expenses from the bank
    statement, classified with ``data/nav_policy.json``. Purchases and sales
    move cash into investments and leave the NAV alone.
    """
    policy = _load("nav_policy.json")
    rules: list[dict[str, str]] = policy["bank_line_categories"]
    exceptions: list[str] = []
    by_source = {doc.source: doc for doc in request.documents}
    for doc in request.documents:
        if doc.status != "committed":
            exceptions.append(f"{doc.source} was {doc.status} in review; its lines are left out")
    notice = by_source.get("investor-notice")
    bank = by_source.get("bank-statement")
    capital = income = expenses = Decimal(0)
    bank_capital = Decimal(0)
    if bank is not None and bank.status == "committed":
        for description, amount in _lines(bank):
            category = _category(description, rules)
            if category == "income":
                income += amount
            elif category == "expense":
                expenses += amount
            elif category == "capital":
                bank_capital += amount
            elif category is None:
                exceptions.append(f"bank line {description!r} ({amount}) matches no NAV rule")
    if notice is not None and notice.status == "committed":
        capital = sum((amount for _, amount in _lines(notice)), Decimal(0))
        if bank is not None and bank.status == "committed" and bank_capital != capital:
            exceptions.append(f"capital on the bank statement ({bank_capital}) differs from the notice ({capital})")
    else:
        capital = bank_capital
    for source in sorted(set(by_source) - {"bank-statement", "investor-notice"}):
        exceptions.append(f"no NAV rule for source {source!r}; it is left out")
    closing = (request.opening_nav + capital + income + expenses).quantize(CENT)
    change = (
        ((closing - request.opening_nav) / request.opening_nav * 100).quantize(CENT)
        if request.opening_nav
        else Decimal(0)
    )
    if abs(change) > Decimal(policy["nav_change_alert_pct"]):
        exceptions.append(
            f"NAV moved {change}% this month, more than the {policy['nav_change_alert_pct']}% alert level"
        )
    return NavRollForward(
        opening_nav=request.opening_nav,
        capital=capital,
        income=income,
        expenses=expenses,
        closing_nav=closing,
        nav_change_pct=change,
        exceptions=exceptions,
    )


@activity.defn(name="nav_monthly.close_period")
async def close_period(request: ClosePeriodInput) -> PeriodClosed:
    """Close the period at ``closing_nav`` and name the next one (returned, not written)."""
    entities = _load("periods.json")["entities"]
    if request.entity_slug not in entities:
        raise WorkflowError(f"unknown entity {request.entity_slug!r}", non_retryable=True)
    return PeriodClosed(
        entity_slug=request.entity_slug,
        period=request.period,
        status="closed",
        closing_nav=request.closing_nav,
        closed_at=request.closed_at,
        next_period=_shift(request.period, 1),
    )

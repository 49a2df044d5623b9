"""nav-monthly: close a fund's month: open the period, check the starting trial balance,
ingest the month's documents through document-ingest children, review the NAV, close.

Workflow code only: no clock, no randomness, no file I/O here (the activities do
the I/O); time comes from ``runbook.now()``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, WorkflowError, runbook

from .activities import check_trial_balance, close_period, open_period, roll_forward_nav
from .models import (
    ClosePeriodInput,
    DocumentSummary,
    IngestedSource,
    NavMonthlyContext,
    NavRollForward,
    OpenPeriodInput,
    PeriodClosed,
    PeriodOpened,
    PeriodSummary,
    RollForwardInput,
    TrialBalanceCheck,
    TrialBalanceInput,
)

ACTIVITY_TIMEOUT = timedelta(minutes=5)
CHILD_SLUG = "document-ingest"


def _as_dict(value: Any) -> dict[str, Any]:
    """A child's result: a model locally, a plain dict once it has crossed Temporal."""
    dump = getattr(value, "model_dump", None)
    return dict(dump(mode="json")) if callable(dump) else dict(value)


@runbook.defn
class NavMonthlyWorkflow(NtroWorkflow):
    """Month-end NAV for one fund."""

    def __init__(self) -> None:
        super().__init__()
        self._tb_submission: dict[str, Any] | None = None

    @runbook.signal
    async def tb_submitted(self, payload: dict[str, Any]) -> None:
        """The starting trial balance was uploaded: ``payload["document_ref"]`` says where."""
        self._tb_submission = dict(payload)

    @runbook.step(name="period_open", title="Open the period", icon="CalendarPlus")
    async def _period_open(self, ctx: NavMonthlyContext) -> PeriodOpened:
        return await runbook.execute_activity(
            open_period,
            OpenPeriodInput(entity_slug=ctx.entity_slug, period=ctx.period),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )

    @runbook.step(name="check_starting_tb", title="Check the starting trial balance", icon="Scale")
    async def _check_starting_tb(self, ctx: NavMonthlyContext, opened: PeriodOpened) -> TrialBalanceCheck:
        await self.await_signal_with_action(
            predicate=lambda: self._tb_submission is not None,
            action={
                "kind": "submit_file",
                "reason": f"Upload the trial balance of {opened.fund_name} at the start of {ctx.period}",
                "args": {
                    "tenant_id_or_slug": ctx.tenant_slug,
                    "entity_id_or_slug": ctx.entity_slug,
                    "source": "trial-balance",
                    "schema_slug": "trial-balance",
                    "signal_task_id": runbook.info().workflow_id,
                    "signal_name": "tb_submitted",
                },
            },
            display_hint={
                "component": "FILE_UPLOAD",
                "config": {
                    "title": "Starting trial balance",
                    "instructions": "CSV with account_code, account_name, account_type, debit, credit.",
                    "accept": [".csv"],
                    "max_size_mb": 10,
                    "multiple": False,
                },
            },
            timeout=timedelta(hours=ctx.tb_timeout_hours),
        )
        submission = self._tb_submission or {}
        document_ref = submission.get("document_ref")
        if not document_ref:
            raise WorkflowError("the tb_submitted signal carried no document_ref", non_retryable=True)
        check = await runbook.execute_activity(
            check_trial_balance,
            TrialBalanceInput(document_ref=document_ref, period=ctx.period, opening_nav=opened.opening_nav),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )
        if not check.balanced:
            raise WorkflowError(
                f"the starting trial balance does not balance: debits {check.total_debits}, "
                f"credits {check.total_credits} (difference {check.difference})",
                type="TrialBalanceOutOfBalance",
                non_retryable=True,
            )
        return check

    @runbook.step(name="ingest_sources", title="Ingest the month's documents", icon="Files")
    async def _ingest_sources(self, ctx: NavMonthlyContext) -> list[IngestedSource]:
        inputs = [
            {
                "tenant_slug": ctx.tenant_slug,
                "entity_slug": ctx.entity_slug,
                "source": source,
                "period": ctx.period,
            }
            for source in ctx.sources
        ]
        results = await self.run_child_workflows(slug=CHILD_SLUG, inputs=inputs)
        return [IngestedSource.model_validate(_as_dict(result)) for result in results]

    @runbook.step(name="review", title="Review the NAV", icon="Eye")
    async def _review(
        self,
        opened: PeriodOpened,
        check: TrialBalanceCheck,
        documents: list[IngestedSource],
    ) -> tuple[NavRollForward, dict[str, Any]]:
        nav = await runbook.execute_activity(
            roll_forward_nav,
            RollForwardInput(opening_nav=opened.opening_nav, documents=documents),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )
        exceptions = list(nav.exceptions)
        if not check.matches_opening_nav:
            exceptions.insert(
                0, f"starting trial balance net assets {check.net_assets} differ from the opening NAV {nav.opening_nav}"
            )
        decision = await self.wait_for_action(
            payload={
                "period": opened.period,
                "fund": opened.fund_name,
                "currency": opened.base_currency,
                "nav": nav.model_dump(mode="json"),
                "trial_balance": check.model_dump(mode="json"),
                "documents": [
                    DocumentSummary.model_validate(doc.model_dump()).model_dump(mode="json") for doc in documents
                ],
                "exceptions": exceptions,
            },
            display_hint={
                "component": "APPROVAL_FORM",
                "config": {
                    "title": f"{opened.fund_name}: NAV for {opened.period}",
                    "sections": [
                        {"key": "nav", "label": "NAV roll-forward", "type": "summary"},
                        {"key": "trial_balance", "label": "Starting trial balance", "type": "summary"},
                        {"key": "documents", "label": "Documents", "type": "table"},
                        {"key": "exceptions", "label": "Exceptions", "type": "list"},
                    ],
                    "actions": [
                        {"kind": "reject", "label": "Send back"},
                        {"kind": "approve", "label": "Approve and close", "primary": True},
                    ],
                },
            },
            reason=f"Approve the closing NAV of {nav.closing_nav} {opened.base_currency} for {opened.period}"
            + (f" ({len(exceptions)} exception(s))" if exceptions else ""),
        )
        return nav.model_copy(update={"exceptions": exceptions}), decision

    @runbook.step(name="close_period", title="Close the period", icon="Lock")
    async def _close_period(self, opened: PeriodOpened, nav: NavRollForward) -> PeriodClosed:
        return await runbook.execute_activity(
            close_period,
            ClosePeriodInput(
                entity_slug=opened.entity_slug,
                period=opened.period,
                closing_nav=nav.closing_nav,
                closed_at=runbook.now().isoformat(),
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )

    @runbook.run
    async def run(self, ctx: NavMonthlyContext) -> PeriodSummary:
        """Close ``ctx.period`` for ``ctx.entity_slug`` and return the period summary."""
        ctx = NavMonthlyContext.model_validate(ctx)
        opened = await self._period_open(ctx)
        check = await self._check_starting_tb(ctx, opened)
        documents = await self._ingest_sources(ctx)
        nav, decision = await self._review(opened, check, documents)
        approved = decision.get("kind", "approve") != "reject"
        if approved:
            await self._close_period(opened, nav)
        return PeriodSummary(
            period=opened.period,
            entity_slug=opened.entity_slug,
            fund_name=opened.fund_name,
            base_currency=opened.base_currency,
            status="closed" if approved else "rejected",
            opening_nav=nav.opening_nav,
            closing_nav=nav.closing_nav,
            nav_change_pct=nav.nav_change_pct,
            trial_balance_balanced=check.balanced,
            trial_balance_matches_opening_nav=check.matches_opening_nav,
            documents=[DocumentSummary.model_validate(doc.model_dump()) for doc in documents],
            exceptions=nav.exceptions,
            decision=str(decision.get("kind", "approve")),
            reviewer_note=decision.get("reason") or decision.get("note"),
            completed_at=runbook.now().isoformat(),
        )

"""Each lint rule's finding next to its fix: the lint reports exactly the lines marked NTRxxx."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ntro.workflow import NtroWorkflow, runbook

from .activities import parse_pdf


@runbook.defn
class BeforeAfterWorkflow(NtroWorkflow):
    """Not meant to run: it shows each mistake beside its fix."""

    @runbook.run
    async def run(self, doc: str, reviewers: list[str]) -> dict[str, object]:
        """Due date, reviewer, parsed document."""
        # [NTR101]
        due = datetime.now() + timedelta(days=3)  # NTR101
        due = runbook.now() + timedelta(days=3)  # replay-safe
        # [/NTR101]
        # [NTR102]
        reviewer = random.choice(reviewers)  # NTR102
        reviewer = runbook.random().choice(reviewers)  # replay-safe
        # [/NTR102]
        # [NTR109]
        parsed = await parse_pdf(doc)  # NTR109
        parsed = await runbook.execute_activity(
            parse_pdf, doc, start_to_close_timeout=timedelta(minutes=5)
        )  # scheduled
        # [/NTR109]
        return {"due": due, "reviewer": reviewer, "parsed": parsed}

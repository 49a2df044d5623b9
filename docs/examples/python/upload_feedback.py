"""An upload gate that tells people how the last upload went: ntro 0.1.2's IngestOutcome as feedback.

From the repository's root: ``python docs/examples/python/upload_feedback.py``.
The runbook waits until enough rows are accepted; each upload's outcome is
shown on the next gate, with the progress so far.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from ntro.client import ClientOptions, answer_gate, open_client, open_gates, upload_answer
from ntro.workflow import IngestIssueSummary, IngestOutcome, IngestProgressSnapshot, NtroWorkflow, activity, runbook

UPLOADS = {"march.csv": ["rent,1200", "power,n/a"], "april.csv": ["rent,1200", "water,85"]}
"""What each uploaded file holds: an activity reads it."""


@activity.defn(name="collect_rows.read_upload")
async def read_upload(document_ref: str) -> dict[str, Any]:
    """Read an upload; a row whose amount is not a number is rejected."""
    lines = UPLOADS[document_ref]
    return {"parsed": len(lines), "accepted": [line for line in lines if line.split(",")[1].isdigit()]}


@runbook.defn
class CollectRowsWorkflow(NtroWorkflow):
    """Collect rows from uploads until ``target_rows`` are accepted."""

    def __init__(self) -> None:
        super().__init__()
        self._uploads: list[dict[str, Any]] = []
        self._rows: list[str] = []

    @runbook.signal
    async def document_submitted(self, payload: dict[str, Any]) -> None:
        """An upload arrived."""
        self._uploads.append(payload)

    @runbook.run
    async def run(self, target_rows: int) -> int:
        """Wait for uploads, showing how the last one went."""
        last = IngestOutcome(message="Upload a CSV of expenses")
        while len(self._rows) < target_rows:
            progress = IngestProgressSnapshot(accepted_rows=len(self._rows), target_rows=target_rows)
            self.set_user_feedback(kind="ingest", payload=last.model_copy(update={"progress": progress}))
            await self.await_signal_with_action(
                predicate=lambda: bool(self._uploads),
                action={
                    "kind": "submit_file",
                    "reason": f"{target_rows} rows are needed",
                    "args": {
                        "source": "expenses",
                        "signal_task_id": runbook.info().workflow_id,
                        "signal_name": "document_submitted",
                    },
                },
                timeout=timedelta(days=7),
            )
            ref = self._uploads.pop(0)["document_ref"]
            read = await runbook.execute_activity(read_upload, ref, start_to_close_timeout=timedelta(minutes=1))
            self._rows += read["accepted"]
            rejected = read["parsed"] - len(read["accepted"])
            last = IngestOutcome.from_counts(
                parsed_rows=read["parsed"],
                accepted_rows=len(read["accepted"]),
                source_ref=ref,
                message=f"{ref}: {len(read['accepted'])} of {read['parsed']} rows accepted",
                reasons=[IngestIssueSummary(reason="amount is not a number", count=rejected)] if rejected else None,
            )
        return len(self._rows)


async def main() -> None:
    """Upload two files, printing the feedback each gate shows."""
    options = ClientOptions(workflows=[CollectRowsWorkflow], activities=[read_upload])
    async with open_client("local", options) as client:
        handle = await client.start_workflow(CollectRowsWorkflow, 3, id="collect-1")
        answered: set[tuple[object, ...]] = set()
        for file in UPLOADS:
            while not (gates := [g for g in await open_gates(client, handle.id) if g.key not in answered]):
                await client.wait_for_change(timeout=1.0)  # returns as soon as the run moves
            gate = gates[0]
            print(json.dumps(gate.pending["feedback"]["payload"]))
            await answer_gate(client, gate, upload_answer(gate, document_ref=file))
            answered.add(gate.key)
        print("rows accepted:", await handle.result())


if __name__ == "__main__":
    asyncio.run(main())

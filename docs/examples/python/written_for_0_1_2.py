"""A runbook written for ntro 0.1.2, unchanged, which 0.1.2's own LocalRuntime could not run.

From the repository's root: ``python docs/examples/python/written_for_0_1_2.py``.
Three lines below failed under ntro 0.1.2 without a server; each is marked.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, activity, runbook, start_local, ui_step


@activity.defn(name="demo.load")
async def load(period: str, entity: str) -> dict[str, Any]:
    """Load the period's rows."""
    return {"period": period, "entity": entity, "rows": 3}


@runbook.defn
class CheckRowsWorkflow(NtroWorkflow):
    """A child runbook, started by its slug, ``check-rows``."""

    @runbook.run
    async def run(self, rows: int) -> str:
        """Check the rows."""
        return f"checked {rows} rows"


@runbook.defn
class DemoWorkflow(NtroWorkflow):
    """Wait for a document, load the period, check it in a child."""

    def __init__(self) -> None:
        super().__init__()
        self._doc: dict[str, Any] | None = None

    @runbook.signal
    async def document_submitted(self, payload: dict[str, Any]) -> None:
        """The document arrived."""
        self._doc = payload

    @ui_step(name="upload", title="Upload", icon="Inbox")  # still works, with a DeprecationWarning
    async def _upload(self) -> None:
        await self.await_signal_with_action(
            predicate=lambda: self._doc is not None,
            action={
                "kind": "submit_file",
                "reason": "need the trial balance",
                "args": {"signal_task_id": runbook.info().workflow_id, "signal_name": "document_submitted"},
            },
            timeout=timedelta(hours=24),  # 0.1.2: TypeError, a timedelta reached LocalRuntime's wait_condition
        )

    @runbook.step(name="load", title="Load", icon="Database")
    async def _load(self, ctx: dict[str, str]) -> dict[str, Any]:
        return await runbook.execute_activity(
            load,
            args=[ctx["period"], ctx["entity"]],  # 0.1.2: LocalRuntime dropped args=, and load() lacked its arguments
            start_to_close_timeout=timedelta(minutes=5),
        )

    @runbook.step(name="check", title="Check", icon="Eye")
    async def _check(self, data: dict[str, Any]) -> str:
        # 0.1.2: LookupError, @runbook.defn did not register the slug without Temporal
        return str(await self.run_child_workflow(slug="check-rows", input=data["rows"]))

    @runbook.run
    async def run(self, ctx: dict[str, str]) -> str:
        """Upload, load, check."""
        await self._upload()
        data = await self._load(ctx)
        return f"{await self._check(data)} for {data['entity']} {data['period']}"


async def main() -> None:
    """Start it, send the document, print the result."""
    handle = await start_local(DemoWorkflow, {"period": "2026-10", "entity": "demo-fund"}, workflow_id="demo-1")
    await handle.signal("document_submitted", {"document_ref": "s3://bucket/tb.csv"})
    print(await handle.result())
    print("steps:", [step["id"] + ":" + step["status"] for step in await handle.query("current_steps")])


if __name__ == "__main__":
    asyncio.run(main())

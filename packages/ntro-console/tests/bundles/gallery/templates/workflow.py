"""gallery: one gate of each display hint the examples leave out, for the console's browser tests."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from ntro.workflow import NtroWorkflow, runbook


class GalleryInput(BaseModel):
    """Fields of each simple kind, and one the form shows as JSON."""

    title: str = Field(default="October", description="Shown in the report")
    rows: int = Field(default=3, ge=1, le=10, description="How many rows the summary shows")
    urgent: bool = False
    colour: Literal["red", "green", "blue"] = "green"
    due: dt.date = dt.date(2026, 10, 31)
    sources: list[str] = Field(default_factory=lambda: ["statement", "notice"])


@runbook.defn
class GalleryWorkflow(NtroWorkflow):
    """Uploads into two children, then three reviews shown three ways."""

    @runbook.step(name="collect", title="Collect the files", icon="Upload")
    async def _collect(self, ctx: GalleryInput) -> list[Any]:
        return await self.collect_documents(
            expected=[{"source": s, "label": f"The {s}", "accept": [".csv", ".json"]} for s in ctx.sources],
            inputs=[{"source": s} for s in ctx.sources],
            runbook_slug="gallery-file",
            title="Files for the gallery",
            instructions="One file per source.",
        )

    @runbook.step(name="summary", title="Check the summary", icon="Table")
    async def _summary(self, ctx: GalleryInput, files: list[Any]) -> dict[str, Any]:
        return await self.wait_for_action(
            payload={
                "title": ctx.title,
                "colour": ctx.colour,
                "urgent": ctx.urgent,
                "due": ctx.due.isoformat(),
                "files": files,
                "rows": [{"name": f"row {i}", "amount": i * 10} for i in range(1, ctx.rows + 1)],
            },
            display_hint={"component": "SUMMARY", "config": {"title": "Summary of the gallery"}},
            reason="Check the summary",
        )

    @runbook.step(name="report", title="Read the report", icon="FileText")
    async def _report(self, ctx: GalleryInput) -> dict[str, Any]:
        return await self.wait_for_action(
            payload={
                "title": f"Report for {ctx.title}",
                "body": "All files arrived. " * 8,
                "figures": [{"figure": "files", "value": len(ctx.sources)}, {"figure": "rows", "value": ctx.rows}],
            },
            display_hint={"component": "REPORT_PREVIEW", "config": {"title": "The report"}},
            reason="Approve the report",
        )

    @runbook.step(name="sparkline", title="Look at the trend", icon="TrendingUp")
    async def _sparkline(self) -> dict[str, Any]:
        return await self.wait_for_action(
            payload={"points": [1, 3, 2, 5], "trend": "up"},
            display_hint={"component": "SPARKLINE", "config": {"title": "Trend"}},
            reason="Does the trend look right?",
        )

    @runbook.run
    async def run(self, ctx: GalleryInput) -> dict[str, Any]:
        """Collect, then ask three reviews; return the decisions."""
        ctx = GalleryInput.model_validate(ctx)
        files = await self._collect(ctx)
        decisions = [await self._summary(ctx, files), await self._report(ctx), await self._sparkline()]
        return {
            "title": ctx.title,
            "files": files,
            "decisions": [d.get("kind") for d in decisions],
            "notes": [d.get("note") for d in decisions if d.get("note")],
        }

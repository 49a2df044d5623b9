"""The activity the NTR109 example calls."""

from __future__ import annotations

from pathlib import Path

from ntro.workflow import activity


@activity.defn(name="before_after.parse_pdf")
async def parse_pdf(doc: str) -> str:
    """Read a document: I/O, so an activity."""
    return Path(doc).name

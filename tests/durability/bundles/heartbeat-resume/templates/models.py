"""Models of the heartbeat-resume test runbook."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProcessInput(BaseModel):
    """How many items, where the progress file is, how long one item's work takes."""

    items: int = Field(default=40, ge=1)
    progress: str
    seconds_per_item: float = Field(default=0.2, ge=0)


class ProcessResult(BaseModel):
    """What the attempt that finished did: where it started, the total of all items, its process."""

    attempt: int
    resumed_from: int
    items: int
    total: int
    pid: int

"""Models of the hello test runbook."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HelloInput(BaseModel):
    """Who to greet."""

    name: str
    times: int = Field(default=1, ge=1)
    fail: bool = False


class HelloResult(BaseModel):
    """The greeting."""

    greeting: str
    workflow_id: str

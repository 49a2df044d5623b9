"""Models of the durable-steps test runbook."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DurableInput(BaseModel):
    """How many steps, where the ledger is, how long to pause between steps."""

    steps: int = Field(default=5, ge=1)
    ledger: str
    pause_seconds: float = Field(default=1.0, ge=0)


class StepInput(BaseModel):
    """One step."""

    index: int
    ledger: str


class StepDone(BaseModel):
    """What a step returns."""

    index: int
    value: int


class DurableResult(BaseModel):
    """The runbook's result."""

    values: list[int]
    total: int

"""Models of the fault-steps test runbook."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FaultInput(BaseModel):
    """What to run, where the ledger is, and what to wait for."""

    ledger: str
    steps: int = Field(default=3, ge=1)
    pause_seconds: float = Field(default=0.5, ge=0)
    signals: int = Field(default=0, ge=0)
    hold_step: int | None = None
    release: str | None = None
    children: int = Field(default=0, ge=0)
    child_steps: int = Field(default=2, ge=1)


class StepInput(BaseModel):
    """One step; ``release`` is the file its first attempt waits for, if it is held."""

    index: int
    ledger: str
    release: str | None = None


class FaultResult(BaseModel):
    """Each step's value, the signalled values (sorted) and each child's total."""

    values: list[int]
    signals: list[int]
    children: list[int]
    total: int

"""Models of the holding test runbook."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class HoldInput(BaseModel):
    """Where to hold, and the ledger file the holding activity writes to."""

    at: Literal["activity", "gate", "child"] = "activity"
    ledger: str | None = None

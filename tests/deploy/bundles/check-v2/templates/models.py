"""What deploy-check v2 returns (v1 returned plain text)."""

from __future__ import annotations

from pydantic import BaseModel


class CheckResult(BaseModel):
    """Who checked the batch."""

    text: str
    version: int

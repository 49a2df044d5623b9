"""The input of deploy-review."""

from __future__ import annotations

from pydantic import BaseModel


class ReviewInput(BaseModel):
    """Which entity's batch, and whether a person reviews it."""

    entity_slug: str
    batch: str = "batch"
    needs_review: bool = True

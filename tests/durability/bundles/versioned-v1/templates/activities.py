"""The versioned-review activities, v1: each says what it did and in which worker process."""

from __future__ import annotations

import os

from ntro.workflow import activity


@activity.defn(name="versioned_review.open")
async def open_batch(batch: str) -> str:
    """Open the batch."""
    return f"opened {batch} in {os.getpid()}"


@activity.defn(name="versioned_review.close")
async def close_batch(batch: str) -> str:
    """Close the batch."""
    return f"closed {batch} in {os.getpid()}"

"""The versioned-review activities of the unpatched v2: v1's open, v2's check and close."""

from __future__ import annotations

import os

from ntro.workflow import activity


@activity.defn(name="versioned_review.open")
async def open_batch(batch: str) -> str:
    """Open the batch."""
    return f"opened {batch} in {os.getpid()}"


@activity.defn(name="versioned_review.check")
async def check_batch(batch: str) -> str:
    """Check the batch before the review."""
    return f"checked {batch} in {os.getpid()}"


@activity.defn(name="versioned_review.close_and_archive")
async def close_and_archive(batch: str) -> str:
    """Close the batch and archive it."""
    return f"closed and archived {batch} in {os.getpid()}"

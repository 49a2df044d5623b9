"""The versioned-review activities, v2: v1's, plus a check and a close that archives."""

from __future__ import annotations

import os

from ntro.workflow import activity


@activity.defn(name="versioned_review.open")
async def open_batch(batch: str) -> str:
    """Open the batch."""
    return f"opened {batch} in {os.getpid()}"


@activity.defn(name="versioned_review.check")
async def check_batch(batch: str) -> str:
    """Check the batch before the review (new in v2)."""
    return f"checked {batch} in {os.getpid()}"


@activity.defn(name="versioned_review.close")
async def close_batch(batch: str) -> str:
    """Close the batch (v1's close, kept for the runs that replay v1's path)."""
    return f"closed {batch} in {os.getpid()}"


@activity.defn(name="versioned_review.close_and_archive")
async def close_and_archive(batch: str) -> str:
    """Close the batch and archive it (new in v2)."""
    return f"closed and archived {batch} in {os.getpid()}"

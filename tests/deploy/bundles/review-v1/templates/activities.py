"""deploy-review's activity, v1: it says which code prepared the batch, and in which worker process."""

from __future__ import annotations

import os

from ntro.workflow import activity


@activity.defn(name="deploy_review.prepare")
async def prepare(batch: str) -> str:
    """Prepare the batch."""
    return f"prepared {batch} with v1 in {os.getpid()}"

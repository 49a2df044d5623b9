"""deploy-fragile's activity: it needs a package that a worker with DEPLOY_TEST_MISSING_PACKAGE set lacks."""

from __future__ import annotations

import os

from ntro.workflow import activity

if os.environ.get("DEPLOY_TEST_MISSING_PACKAGE"):
    import a_package_this_machine_lacks  # noqa: F401  (the worker's machine differs from the publisher's)


@activity.defn(name="deploy_fragile.touch")
async def touch(batch: str) -> str:
    """Touch the batch."""
    return f"touched {batch}"

"""Fixtures of the conformance suite: one harness per engine, hosting every case's workflow.

The Temporal side runs on one time-skipping test server per session, sandboxed,
every history replayed by the harness.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

SUPPORT = Path(__file__).parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    # Without temporalio (the local leg) there is nothing to compare against.
    pytest.importorskip("temporalio", reason="the conformance suite compares LocalRuntime with Temporal")
    pytest.importorskip("ntro.runtime.local", reason="the conformance suite needs LocalRuntime")

from ntro.runtime.protocol import reset_runtime  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_selection() -> Any:
    reset_runtime()
    yield
    reset_runtime()


def hosted() -> tuple[list[type], list[Any]]:
    """Every workflow and activity the cases run (the example bundles are loaded now)."""
    from ntro_conformance.examples import EXAMPLE_SLUGS, example_bundle

    from ntro.testing.conformance.cases import FLOW_ACTIVITIES, FLOW_WORKFLOWS

    bundles = [example_bundle(slug) for slug in EXAMPLE_SLUGS]
    workflows = [*(b.workflow_cls for b in bundles), *FLOW_WORKFLOWS]
    activities = [*(fn for b in bundles for fn in b.activities), *FLOW_ACTIVITIES]
    return workflows, activities


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def harnesses() -> AsyncIterator[dict[str, Any]]:
    """A harness per engine, each hosting every case's workflow, activities for real."""
    from ntro.runtime.temporal.testing import ServerNotFoundError
    from ntro.testing.conformance import harness_for

    workflows, activities = hosted()
    local = harness_for("local", workflows, activities)
    temporal = harness_for("temporal", workflows, activities)
    try:
        await temporal.__aenter__()
    except ServerNotFoundError as exc:
        pytest.fail(str(exc))
    try:
        async with local:
            yield {"local": local, "temporal": temporal}
    finally:
        await temporal.__aexit__(None, None, None)

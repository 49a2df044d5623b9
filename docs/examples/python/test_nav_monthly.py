"""Harness tests of the nav-monthly runbook, as a team would keep them beside their bundles.

From the repository's root: ``pytest docs/examples/python/test_nav_monthly.py``.
"""

from __future__ import annotations

from ntro.testing import Scenario, WorkflowHarness
from ntro.workflow.bundle import load_bundle

nav = load_bundle("examples/runbooks/nav-monthly")
ingest = load_bundle("examples/runbooks/document-ingest")


async def test_rejected_nav_is_not_closed() -> None:
    """A reviewer who rejects the NAV keeps the period open: close_period never runs."""
    async with WorkflowHarness(nav.workflow_cls, child_workflows=[ingest.workflow_cls]) as h:
        result = await h.run(scenario=Scenario("no", review_overrides={"review": "reject"}))
    assert result.status == "completed", result.error
    assert result.result["status"] == "rejected"
    assert "nav_monthly.close_period" not in [call.activity for call in result.activity_calls]


async def test_every_path_on_the_fixture(ntro_harness) -> None:  # type: ignore[no-untyped-def]
    """The pytest plugin's fixture: a harness on the engine given by --ntro-runtime (local by default)."""
    async with ntro_harness(nav.workflow_cls, child_workflows=[ingest.workflow_cls]) as h:
        result = await h.run()
    assert result.status == "completed", result.error
    assert result.runtime == h.runtime  # the engine --ntro-runtime named

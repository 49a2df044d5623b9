"""nav-monthly from its form to its result in headless Chromium, on a Temporal dev server with ``ntro worker``."""

from __future__ import annotations

from typing import Any

import pytest
from flows import CORRECTED_TOTAL, nav_monthly

pytestmark = pytest.mark.temporal


def test_nav_monthly_approved_on_temporal(temporal_console: Any, page: Any) -> None:
    status = nav_monthly(page, temporal_console.url, decision="approve")
    assert status == "COMPLETED"
    result = page.locator("#run-result").inner_text()
    assert "closed" in result and CORRECTED_TOTAL in result
    timeline = page.locator("#timeline").inner_text()
    assert "local approved" in timeline and "1 cell(s) corrected" in timeline


def test_nav_monthly_rejected_on_temporal(temporal_console: Any, page: Any) -> None:
    status = nav_monthly(page, temporal_console.url, decision="reject")
    assert status == "COMPLETED"
    assert "rejected" in page.locator("#run-result").inner_text()


def test_the_runs_page_lists_the_cluster_s_runs(temporal_console: Any, page: Any) -> None:
    page.goto(temporal_console.url + "/runs?status=completed&runbook=nav-monthly")
    rows = page.locator("table.runs tbody tr")
    assert rows.count() >= 2, "both runs of this module, newest first"
    assert all("completed" in rows.nth(i).inner_text() for i in range(rows.count()))

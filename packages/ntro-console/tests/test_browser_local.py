"""nav-monthly from its form to its result in headless Chromium, on LocalRuntime in the console's own process."""

from __future__ import annotations

from typing import Any

from flows import CORRECTED_TOTAL, nav_monthly


def test_nav_monthly_approved_in_the_browser(nav_console: Any, page: Any) -> None:
    status = nav_monthly(page, nav_console.url, decision="approve", shots=True)
    assert status == "COMPLETED"
    result = page.locator("#run-result")
    assert "closed" in result.inner_text()
    assert CORRECTED_TOTAL in result.inner_text(), "the corrected cell reached the committed document"
    timeline = page.locator("#timeline").inner_text()
    assert "local approved" in timeline
    assert "uploaded trial-balance.csv" in timeline
    assert "1 cell(s) corrected" in timeline


def test_nav_monthly_rejected_in_the_browser(nav_console: Any, page: Any) -> None:
    status = nav_monthly(page, nav_console.url, decision="reject")
    assert status == "COMPLETED"
    result = page.locator("#run-result").inner_text()
    assert "rejected" in result
    assert "local rejected" in page.locator("#timeline").inner_text()

"""Bad input in the browser: each is one clear message on the page, and nothing typed is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console_support import SAMPLES
from flows import gate, start_run, upload


def test_a_file_of_the_wrong_type_is_refused(nav_console: Any, page: Any) -> None:
    start_run(page, nav_console.url, "nav-monthly")
    trial = gate(page, "FILE_UPLOAD", "trial balance")
    upload(page, trial, {"trial-balance": SAMPLES["investor-notice"]}, refused=True)
    error = page.locator("[data-error]")
    assert "investor-notice.json is not a file this upload takes: it takes .csv" in error.inner_text()
    # Nothing was sent: the gate is still open, and a right file still answers it.
    trial = gate(page, "FILE_UPLOAD", "trial balance")
    upload(page, trial, {"trial-balance": SAMPLES["trial-balance"]})
    assert "uploaded trial-balance.csv" in page.locator("#done").inner_text()


def test_an_empty_file_and_no_file_are_refused(nav_console: Any, page: Any, tmp_path: Path) -> None:
    start_run(page, nav_console.url, "nav-monthly")
    empty = tmp_path / "trial-balance.csv"
    empty.write_bytes(b"")
    upload(page, gate(page, "FILE_UPLOAD", "trial balance"), {"trial-balance": empty}, refused=True)
    assert "trial-balance.csv is empty (0 bytes)" in page.locator("[data-error]").inner_text()
    upload(page, gate(page, "FILE_UPLOAD", "trial balance"), {}, refused=True)
    assert "choose a file to upload first" in page.locator("[data-error]").inner_text()


def test_an_answer_to_a_closed_gate_says_so(nav_console: Any, browser: Any, page: Any) -> None:
    run_id = start_run(page, nav_console.url, "nav-monthly")
    # A second reviewer, in a browser without scripts: their page does not update itself.
    stale = browser.new_context(java_script_enabled=False).new_page()
    stale.goto(f"{nav_console.url}/runs/{run_id}")
    upload(page, gate(page, "FILE_UPLOAD", "trial balance"), {"trial-balance": SAMPLES["trial-balance"]})
    late = stale.locator('section.gate[data-component="FILE_UPLOAD"]')
    upload(stale, late, {"trial-balance": SAMPLES["trial-balance"]}, refused=True)
    notice = stale.locator("#notice").inner_text()
    assert "already answered: local uploaded trial-balance.csv" in notice
    assert "nothing was sent again" in notice
    assert stale.locator("#timeline").inner_text().count("uploaded trial-balance.csv") == 1
    stale.context.close()


def test_a_run_that_does_not_exist(nav_console: Any, page: Any) -> None:
    response = page.goto(f"{nav_console.url}/runs/no-such-run")
    assert response is not None and response.status == 404
    assert "there is no run with id 'no-such-run'" in page.locator("[role=alert]").inner_text()
    page.click("text=See the runs")
    assert page.url.endswith("/runs")


def test_bad_start_input_keeps_what_was_typed(nav_console: Any, page: Any) -> None:
    page.goto(f"{nav_console.url}/start/nav-monthly")
    page.fill("#field-entity_slug", "fund-7")
    page.fill("#field-sources", '["bank-statement", ')
    page.click("#start-button")
    error = page.locator("#start-error").inner_text()
    assert "Sources (JSON) is not valid JSON" in error
    assert page.input_value("#field-entity_slug") == "fund-7"
    assert page.input_value("#field-sources") == '["bank-statement", '
    page.fill("#field-sources", '["nowhere"]')
    page.fill("#field-tb_timeout_hours", "0")
    page.evaluate("document.querySelector('#field-tb_timeout_hours').removeAttribute('min')")
    page.click("#start-button")
    assert "tb_timeout_hours: Input should be greater than 0" in page.locator("#start-error").inner_text()

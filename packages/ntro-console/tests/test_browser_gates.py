"""Every display-hint component in headless Chromium: the ones nav-monthly leaves out, and row actions."""

from __future__ import annotations

from typing import Any

from console_support import SAMPLES, screenshot
from flows import decide, gate, start_run, upload, wait_finished


def test_every_component_renders_and_answers(gallery_console: Any, page: Any) -> None:
    run_id = start_run(
        page,
        gallery_console.url,
        "gallery",
        fill={"rows": "2", "title": "November"},
        select={"colour": "red"},
        check=("urgent",),
    )
    assert run_id

    files = gate(page, "MULTI_FILE_UPLOAD")
    assert files.locator("li[data-slot]").count() == 2
    screenshot(page, "run-multi-file-upload", files)
    upload(page, files, {"statement": SAMPLES["bank-statement"]})
    files = gate(page, "MULTI_FILE_UPLOAD")
    statement = files.locator('li[data-slot="statement"]')
    assert "received" in statement.inner_text(), "a filled slot shows as received"
    assert statement.locator("input[type=file]").count() == 0
    upload(page, files, {"notice": SAMPLES["investor-notice"]})

    summary = gate(page, "SUMMARY")
    assert summary.locator("table.records").count() >= 1, "lists of records are tables, not JSON"
    assert "{" not in summary.inner_text()
    shown = summary.inner_text()
    assert "November" in shown and "red" in shown and "Urgent\nyes" in shown, "the form's values reached the run"
    screenshot(page, "run-summary", summary)
    decide(page, summary, "approve", note="looks right")

    report = gate(page, "REPORT_PREVIEW")
    assert "Report for November" in report.locator("article.report").inner_text()
    screenshot(page, "run-report-preview", report)
    decide(page, report, "approve")

    unknown = gate(page, "SPARKLINE")
    assert "does not know" in unknown.inner_text()
    assert "Trend" in unknown.inner_text() and "up" in unknown.inner_text()
    screenshot(page, "run-fallback", unknown)
    decide(page, unknown, "reject", note="the trend is wrong")

    assert wait_finished(page) == "COMPLETED"
    result = page.locator("#run-result").inner_text()
    assert "reject" in result and "the trend is wrong" in result
    assert "bank-statement.csv" in result and "investor-notice.json" in result

    waiting = start_run(page, gallery_console.url, "expense-processor")
    page.goto(gallery_console.url + "/runs")
    assert page.locator(f'tr[data-run="{run_id}"]').count() == 1
    screenshot(page, "runs")
    page.goto(gallery_console.url + "/runs?status=running")
    assert page.locator("table.runs tbody tr").count() == 1
    assert page.locator(f'tr[data-run="{waiting}"]').count() == 1, "the status filter keeps the running run only"


def test_row_actions_edit_a_cell_and_reject_a_row(gallery_console: Any, page: Any) -> None:
    start_run(page, gallery_console.url, "expense-processor")
    upload(page, gate(page, "FILE_UPLOAD"), {"expense-report": SAMPLES["expense-report"]})
    table = gate(page, "DATA_TABLE")
    table.locator('input[data-cell="EXP-004:amount"]').fill("400.00")
    table.locator('input[data-reject="EXP-002"]').check()
    assert table.locator('input[data-cell="EXP-004:employee"]').count() == 0, "only the columns edit_cell names"
    screenshot(page, "run-row-actions", table)
    decide(page, table, "approve", note="hotel was personal")
    assert wait_finished(page) == "COMPLETED"
    result = page.locator("#run-result").inner_text()
    assert "EXP-002" in result and "hotel was personal" in result
    timeline = page.locator("#timeline").inner_text()
    assert "1 cell(s) corrected" in timeline and "1 row(s) rejected" in timeline

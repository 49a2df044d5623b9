"""What a person does in the console, step by step, as the browser tests do it on either engine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from console_support import SAMPLES, screenshot

# The sample bank statement's audit fee line, and the correction a reviewer makes to it.
AUDIT_FEE = "Audit fee - FY2026 interim"
CORRECTED_FEE = "-24500.00"
# The statement's total with the correction (-396262.78 as extracted, 500 more paid out).
CORRECTED_TOTAL = "-396762.78"


def start_run(
    page: Any,
    url: str,
    slug: str,
    *,
    shots: str | None = None,
    fill: dict[str, str] | None = None,
    select: dict[str, str] | None = None,
    check: tuple[str, ...] = (),
) -> str:
    """Start ``slug`` from its form (its defaults, changed by field name as asked) and return the run's id."""
    page.goto(f"{url}/start/{slug}")
    for name, value in (fill or {}).items():
        page.fill(f"#field-{name}", value)
    for name, value in (select or {}).items():
        page.select_option(f"#field-{name}", value)
    for name in check:
        page.check(f"#field-{name}")
    if shots:
        screenshot(page, shots)
    with page.expect_navigation():
        page.click("#start-button")
    assert re.search(r"/runs/[^/]+$", page.url), f"the run did not start: {page.locator('main').inner_text()}"
    return str(page.locator("#run").get_attribute("data-run"))


def gate(page: Any, component: str, text: str | None = None) -> Any:
    """The open gate showing ``component`` (and ``text``), once the page shows it (it updates itself)."""
    found = page.locator(f'section.gate[data-component="{component}"]:not([data-answered])')
    if text is not None:
        found = found.filter(has_text=text)
    try:
        found.first.wait_for()
    except Exception as exc:  # say what the page shows instead
        shown = page.locator("#run").inner_text() if page.locator("#run").count() else page.content()
        raise AssertionError(
            f"no open {component} gate{f' with {text!r}' if text else ''}; the page shows:\n{shown}"
        ) from exc
    return found.first


def upload(page: Any, section: Any, files: dict[str, Path], *, refused: bool = False) -> None:
    """Choose ``files`` (by slot name) in an upload gate and send them (``refused``: the console says no)."""
    for name, path in files.items():
        section.locator(f'li[data-slot="{name}"] input[type=file]').set_input_files(str(path))
    _send(page, section.locator("button[data-upload]"), refused=refused)


def _send(page: Any, button: Any, *, refused: bool = False) -> None:
    """Press a form's button and wait for the page it leads to.

    An answer refused when it was to be taken fails with the page's words,
    and one taken when it was to be refused fails too.
    """
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        button.click()
    reply = sent.value
    page.wait_for_load_state()
    if refused:
        assert reply.status >= 400, f"the console took an answer it should have refused ({reply.status})"
        return
    if reply.status >= 400:
        found = re.search(r'(?:data-error="[^"]*"|id="notice")[^>]*>([^<]*)<', reply.text())
        raise AssertionError(
            f"the console refused the answer ({reply.status}): {found.group(1) if found else reply.text()}"
        )


def decide(page: Any, section: Any, decision: str, note: str | None = None) -> None:
    """Answer a review with ``decision`` (and a note)."""
    if note is not None:
        section.locator("textarea[name=note]").fill(note)
    _send(page, section.locator(f'button[data-decision="{decision}"]'))


def wait_finished(page: Any) -> str:
    """Wait until the page shows the run ended; return its status."""
    page.wait_for_function(
        "() => { const b = document.querySelector('.run-body'); return b && b.dataset.status !== 'RUNNING'; }",
        timeout=60_000,
    )
    return str(page.locator(".run-body").get_attribute("data-status"))


def nav_monthly(page: Any, url: str, *, decision: str, shots: bool = False) -> str:
    """Take nav-monthly from its form to its result: three uploads, a corrected cell, two commits, the decision."""
    run_id = start_run(page, url, "nav-monthly", shots="start-form" if shots else None)
    trial = gate(page, "FILE_UPLOAD", "trial balance")
    if shots:
        screenshot(page, "run-file-upload", page.locator(".run-body"))
    upload(page, trial, {"trial-balance": SAMPLES["trial-balance"]})
    # The two documents: each document-ingest child asks for its own.
    for source in ("bank-statement", "investor-notice"):
        section = gate(page, "FILE_UPLOAD", source.replace("-", " "))
        upload(page, section, {source: SAMPLES[source]})
    statement = gate(page, "DATA_TABLE", "bank-statement")
    row = statement.locator(f'tr:has(input[value="{AUDIT_FEE}"])')
    cell = row.locator('input[data-cell$=":amount"]')
    cell.fill(CORRECTED_FEE)
    if shots:
        screenshot(page, "run-data-table", statement)
    decide(page, statement, "approve", note="audit fee corrected from the invoice")
    decide(page, gate(page, "DATA_TABLE", "investor-notice"), "approve")
    review = gate(page, "APPROVAL_FORM")
    if shots:
        screenshot(page, "run-approval-form", review)
    decide(page, review, decision, note="checked against the administrator's pack")
    status = wait_finished(page)
    if shots:
        screenshot(page, "run-result")
    assert page.url.endswith(run_id) or run_id in page.url
    return status

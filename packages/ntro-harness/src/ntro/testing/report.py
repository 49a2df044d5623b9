"""Reports of scenario runs: for a terminal, for programs, for CI, and for people.

All four take the :class:`~ntro.testing.RunResult` s of one ``ntro workflow
test`` (any number of scenarios, on one engine or both):

* :func:`human`: one aligned block per run with its events, then a summary line
  (ntro 0.1.2's layout, with the engine added);
* :func:`json`: an object with a ``summary`` and the ``results``;
* :func:`junit`: JUnit XML, one test case per run, for CI systems;
* :func:`html`: one self-contained page (inline CSS, no scripts, no external
  assets) with a step timeline per run.
"""

from __future__ import annotations

import html as _html
import json as _json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ntro.cli import to_json_text
from ntro.testing._results import ActivityCall, RunResult, StepEvent

__all__ = ["html", "human", "json", "junit", "summary"]

PASS_MARK: Final = "✓"
FAIL_MARK: Final = "✗"

_VALUE_WIDTH = 60
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# -- shared ---------------------------------------------------------------------------------------


def summary(results: Sequence[RunResult]) -> dict[str, Any]:
    """Return the counts of a set of runs (the ``summary`` of the JSON report).

    Returns:
        ``passed``, ``failed``, ``total``, ``duration_s`` (the runs' durations
        added up) and ``by_runtime``, the same three counts per engine.
    """
    by_runtime: dict[str, dict[str, int]] = {}
    for result in results:
        counts = by_runtime.setdefault(result.runtime, {"passed": 0, "failed": 0, "total": 0})
        counts["passed" if result.passed else "failed"] += 1
        counts["total"] += 1
    passed = sum(1 for r in results if r.passed)
    return {
        "passed": passed,
        "failed": len(results) - passed,
        "total": len(results),
        "duration_s": round(sum(r.duration_s for r in results), 4),
        "by_runtime": by_runtime,
    }


def _summary_line(results: Sequence[RunResult]) -> str:
    counts = summary(results)
    return f"summary: {counts['passed']} passed, {counts['failed']} failed (of {counts['total']})"


def _value_text(value: Any, width: int | None = _VALUE_WIDTH) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = _json.dumps(value, default=str, ensure_ascii=False, separators=(", ", ": "))
    lines = text.strip().splitlines()
    text = lines[0] + (" …" if len(lines) > 1 else "") if lines else ""
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _detail_text(detail: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={_value_text(value)}" for key, value in detail.items() if value is not None)


# -- human ----------------------------------------------------------------------------------------


def _event_line(event: StepEvent) -> str:
    line = f"    [{event.timestamp_s:5.2f}s] {event.kind:<12} {event.workflow_id[-12:]}"
    details = _detail_text(event.detail)
    return f"{line}  {details}" if details else line


def human(results: Sequence[RunResult]) -> str:
    """Render runs for a terminal.

    One block per run::

        ✓  happy       [local]  (0.86s)
            [ 0.13s] submit_file  hly-7a820232  signal=tb_submitted, source=trial-balance
        ✗  reject_all  [local]  (0.41s)
            [ 0.40s] error        hly-19e0c2aa  error=workflow failed: ...
            error: workflow failed: the NAV review was rejected
                   (the rest of a multi-line error, indented)

    then ``summary: N passed, M failed (of K)``.

    Args:
        results: The runs, in the order to show them.

    Returns:
        Text for people, ending with a newline.
    """
    width = max((len(r.scenario) for r in results), default=0)
    blocks: list[str] = []
    for result in results:
        mark = PASS_MARK if result.passed else FAIL_MARK
        lines = [f"{mark}  {result.scenario:<{width}}  [{result.runtime}]  ({result.duration_s:.2f}s)"]
        lines += [_event_line(event) for event in result.events]
        if not result.passed:
            error_lines = (result.error or f"status {result.status}").rstrip().splitlines() or [""]
            lines.append(f"    error: {error_lines[0]}")
            lines += [f"           {line}" for line in error_lines[1:]]
        blocks.append("\n".join(lines))
    blocks.append(_summary_line(results))
    return "\n\n".join(blocks) + "\n"


# -- json -----------------------------------------------------------------------------------------


def json(results: Sequence[RunResult]) -> str:
    """Render runs as JSON: ``{"summary": {...}, "results": [...]}``.

    ``summary`` is :func:`summary`'s; each entry of ``results`` is
    :meth:`RunResult.to_json <ntro.testing.RunResult.to_json>`.

    Args:
        results: The runs.

    Returns:
        Indented JSON text (:func:`ntro.cli.to_json_text`'s), ending with a newline.

    Raises:
        ~ntro.cli.CommandError: A result holds a NaN or an infinity, which JSON has not.
    """
    document = {"summary": summary(results), "results": [r.to_json() for r in results]}
    return to_json_text(document, "the report") + "\n"


# -- junit ----------------------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _case_class(result: RunResult, default: str) -> str:
    for attr in ("workflow_type", "slug"):
        value = getattr(result, attr, None)
        if isinstance(value, str) and value:
            return value
    return default


def junit(results: Sequence[RunResult], *, suite_name: str = "ntro", classname: str | None = None) -> str:
    """Render runs as JUnit XML: one ``<testsuite>``, one ``<testcase>`` per run.

    A test case is named ``"<scenario> [<runtime>]"``; its ``classname`` is
    the run's workflow type (``classname``, else ``suite_name``, when the
    results do not carry one). A failed run has a ``<failure>`` whose
    ``message`` is the error's first line and whose text is the whole error;
    every case lists its events in ``<system-out>``.

    Args:
        results: The runs.
        suite_name: The test suite's name.
        classname: The test cases' class name (say, the runbook's slug).

    Returns:
        The XML document, ending with a newline.
    """
    counts = summary(results)
    suites = ET.Element("testsuites", name=suite_name)
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=suite_name,
        tests=str(counts["total"]),
        failures=str(counts["failed"]),
        errors="0",
        skipped="0",
        time=f"{counts['duration_s']:.3f}",
    )
    suites.set("tests", str(counts["total"]))
    suites.set("failures", str(counts["failed"]))
    suites.set("time", f"{counts['duration_s']:.3f}")
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            name=_xml_text(f"{result.scenario} [{result.runtime}]"),
            classname=_xml_text(_case_class(result, classname or suite_name)),
            time=f"{result.duration_s:.3f}",
        )
        if not result.passed:
            error = result.error or f"status {result.status}"
            first = error.strip().splitlines()[0] if error.strip() else error
            failure = ET.SubElement(case, "failure", message=_xml_text(first), type=result.status)
            failure.text = _xml_text(error)
        out = [f"workflow_id: {result.workflow_id}"] + [_event_line(e).strip() for e in result.events]
        ET.SubElement(case, "system-out").text = _xml_text("\n".join(out))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# -- html -----------------------------------------------------------------------------------------

_CSS: Final = """
:root { --ink: #1f2430; --muted: #6b7280; --line: #e5e7eb; --bg: #f7f8fa; --card: #ffffff;
  --pass: #15803d; --pass-bg: #dcfce7; --fail: #b91c1c; --fail-bg: #fee2e2; --step: #2563eb;
  --gate: #b45309; --gate-bg: #fef3c7; --act: #7c3aed; --child: #0e7490; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 20px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.lead { color: var(--muted); margin: 0 0 20px; }
.totals { display: flex; gap: 12px; margin: 16px 0 24px; flex-wrap: wrap; }
.total { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 16px;
  min-width: 110px; }
.total b { display: block; font-size: 22px; }
.total span { color: var(--muted); font-size: 13px; }
.total.pass b { color: var(--pass); } .total.fail b { color: var(--fail); }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
.index { border: 1px solid var(--line); border-radius: 10px; overflow: hidden; margin-bottom: 28px; }
.index a { color: var(--ink); text-decoration: none; font-weight: 600; }
.index a:hover { text-decoration: underline; }
.run { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--pass);
  border-radius: 10px; padding: 18px 20px; margin: 0 0 22px; }
.run.failed { border-left-color: var(--fail); }
.badge { font-size: 12px; font-weight: 700; border-radius: 999px; padding: 2px 10px; text-transform: uppercase;
  letter-spacing: .04em; }
.badge.passed { background: var(--pass-bg); color: var(--pass); }
.badge.failed { background: var(--fail-bg); color: var(--fail); }
.chip { font-size: 12px; border: 1px solid var(--line); border-radius: 6px; padding: 1px 8px; color: var(--muted);
  font-weight: 500; }
.meta { color: var(--muted); margin: 6px 0 12px; font-size: 14px; }
.meta code { color: var(--ink); }
.error { background: var(--fail-bg); border: 1px solid #fecaca; border-radius: 8px; padding: 10px 12px;
  margin: 10px 0 14px; }
.error pre { margin: 0; white-space: pre-wrap; word-break: break-word; color: #7f1d1d; }
.timeline { list-style: none; margin: 8px 0 4px; padding: 0 0 0 18px; border-left: 2px solid var(--line); }
.ev { position: relative; padding: 4px 0 4px 12px; display: flex; gap: 12px; align-items: baseline; }
.ev::before { content: ""; position: absolute; left: -25px; top: 11px; width: 10px; height: 10px;
  border-radius: 50%; background: var(--muted); border: 2px solid var(--card); }
.ev.child { margin-left: 28px; border-left: 2px dotted #a5d8e2; padding-left: 14px; }
.ev.child::before { left: -53px; }
.ev .t { color: var(--muted); min-width: 54px; text-align: right; font-variant-numeric: tabular-nums; }
.ev .what { flex: 1; }
.ev .wf { color: var(--child); font-size: 12px; margin-left: 6px; }
.ev .note { color: var(--muted); font-size: 13px; }
.k-step::before { background: var(--step); }
.k-submit_file::before, .k-review::before, .k-drill_down::before { background: var(--gate); }
.k-activity::before, .k-event::before { background: var(--act); }
.k-done::before { background: var(--pass); }
.k-error::before { background: var(--fail); }
.pill { font-size: 12px; border-radius: 999px; padding: 0 8px; margin-left: 4px; }
.pill.active, .pill.started { background: #dbeafe; color: var(--step); }
.pill.completed, .pill.ok, .pill.approve { background: var(--pass-bg); color: var(--pass); }
.pill.failed, .pill.raised, .pill.reject { background: var(--fail-bg); color: var(--fail); }
.pill.mocked { background: #ede9fe; color: var(--act); }
.pill.real { background: #e0f2fe; color: var(--child); }
.pill.gate, .pill.opened, .pill.closed { background: var(--gate-bg); color: var(--gate); }
details { margin-top: 12px; }
summary { cursor: pointer; color: var(--muted); font-weight: 600; font-size: 14px; }
details pre { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px;
  overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
details table { margin-top: 8px; font-size: 14px; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 13px; margin-top: 32px; }
"""


def _e(value: Any) -> str:
    return _html.escape(str(value), quote=True)


def _pill(text: str, kind: str) -> str:
    return f'<span class="pill {_e(kind)}">{_e(text)}</span>'


def _short_child_id(workflow_id: str, root: str) -> str:
    return workflow_id[len(root) :].lstrip(":") or workflow_id if workflow_id.startswith(root) else workflow_id


def _call_for(result: RunResult, event: StepEvent) -> ActivityCall | None:
    name, attempt = event.detail.get("activity"), event.detail.get("attempt")
    for call in result.activity_calls:
        if call.workflow_id == event.workflow_id and call.activity == name and call.attempt == attempt:
            return call
    return None


def _event_html(result: RunResult, event: StepEvent) -> str:
    detail = event.detail
    kind = event.kind
    if kind == "step":
        status = str(detail.get("status") or "")
        title = detail.get("title") or detail.get("step_id") or "step"
        step_id = detail.get("step_id")
        note = f' <span class="note mono">{_e(step_id)}</span>' if step_id and step_id != title else ""
        return f"Step <b>{_e(title)}</b>{note}{_pill(status, status) if status else ''}"
    if kind == "gate":
        status = str(detail.get("status") or "")
        step = detail.get("step_id")
        text = f"Gate {_e(detail.get('gate', '?'))} <code>{_e(detail.get('action') or 'pending action')}</code>"
        text += f' <span class="note">in <span class="mono">{_e(step)}</span></span>' if step else ""
        return text + (_pill(status, status) if status else "")
    if kind == "child":
        child = str(detail.get("child_workflow_id") or "?")
        return f"Child <code>{_e(_short_child_id(child, result.workflow_id))}</code> {_pill('started', 'started')}"
    if kind == "review":
        response = str(detail.get("response") or "")
        step = detail.get("step_id")
        corrections = detail.get("corrections") or []
        parts = [f"Review{f' of <b>{_e(step)}</b>' if step else ''} {_pill('gate', 'gate')}"]
        parts.append(f" — answered by the harness: {_pill(response, response) if response else '?'}")
        if corrections:
            parts.append(f' <span class="note">with {len(corrections)} correction(s)</span>')
        if detail.get("reason"):
            parts.append(f'<br><span class="note">{_e(detail["reason"])}</span>')
        return "".join(parts)
    if kind == "submit_file":
        source = detail.get("source") or detail.get("signal") or "a file"
        text = f"Upload of <b>{_e(source)}</b> {_pill('gate', 'gate')} — answered by the harness"
        if detail.get("document_ref"):
            text += f" with document <code>{_e(detail['document_ref'])}</code>"
        if detail.get("signal"):
            text += f' <span class="note">(signal <code>{_e(detail["signal"])}</code>)</span>'
        return text
    if kind == "drill_down":
        children = detail.get("children") or []
        listing = ", ".join(f"<code>{_e(c)}</code>" for c in children) if isinstance(children, list) else ""
        return f"Drill-down {_pill('gate', 'gate')} into {listing or 'children'}"
    if kind == "activity":
        call = _call_for(result, event)
        mocked = detail.get("mocked", call.mocked if call is not None else None)
        outcome = str(detail.get("outcome") or ("ok" if call is None or call.error is None else call.error))
        text = f"Activity <code>{_e(detail.get('activity', '?'))}</code>"
        text += f' <span class="note">attempt {_e(detail.get("attempt", 1))}</span>'
        if mocked is not None:
            text += _pill("mocked" if mocked else "real", "mocked" if mocked else "real")
        text += _pill("ok", "ok") if outcome == "ok" else _pill(_value_text(outcome, 90), "raised")
        return text
    if kind == "event":
        return f"Event <code>{_e(detail.get('event_type', '?'))}</code>"
    if kind == "done":
        return f"Completed {_pill('done', 'completed')}"
    if kind == "error":
        reason = detail.get("error") or detail.get("reason") or detail.get("status") or ""
        return f"Failed {_pill('error', 'failed')} <span class='note'>{_e(_value_text(reason, 120))}</span>"
    rest = _detail_text(detail)
    return f"{_e(kind)} <span class='note'>{_e(rest)}</span>"


def _timeline_html(result: RunResult) -> str:
    if not result.events:
        return '<p class="empty">No events were recorded.</p>'
    items: list[str] = []
    for event in result.events:
        child = event.workflow_id != result.workflow_id
        classes = f"ev k-{_e(event.kind)}{' child' if child else ''}"
        where = (
            f'<span class="wf mono" title="{_e(event.workflow_id)}">'
            f"↳ {_e(_short_child_id(event.workflow_id, result.workflow_id))}</span>"
            if child
            else ""
        )
        items.append(
            f'<li class="{classes}" data-kind="{_e(event.kind)}"><span class="t">{event.timestamp_s:.2f}s</span>'
            f'<span class="what">{_event_html(result, event)}{where}</span></li>'
        )
    return '<ol class="timeline">' + "".join(items) + "</ol>"


def _calls_html(result: RunResult) -> str:
    if not result.activity_calls:
        return ""
    rows = []
    for call in result.activity_calls:
        child = call.workflow_id != result.workflow_id and call.workflow_id
        where = f"↳ {_short_child_id(call.workflow_id, result.workflow_id)}" if child else "root"
        outcome = _pill("ok", "ok") if call.error is None else _pill(_value_text(call.error, 90), "raised")
        rows.append(
            f"<tr><td><code>{_e(call.activity)}</code></td><td>{call.attempt}</td>"
            f"<td>{_pill('mocked', 'mocked') if call.mocked else _pill('real', 'real')}</td>"
            f"<td>{outcome}</td><td class='mono'>{_e(where)}</td></tr>"
        )
    return (
        f"<details><summary>Activity calls ({len(result.activity_calls)})</summary><table>"
        "<tr><th>Activity</th><th>Attempt</th><th>Answered by</th><th>Outcome</th><th>Workflow</th></tr>"
        + "".join(rows)
        + "</table></details>"
    )


def _run_html(index: int, result: RunResult) -> str:
    state = "passed" if result.passed else "failed"
    meta = [f"workflow <code>{_e(result.workflow_id)}</code>"]
    if result.decisions:
        meta.append("decisions " + " → ".join(_e(d) for d in result.decisions))
    if result.replayed is not None:
        meta.append("history replayed" if result.replayed else "history did not replay")
    reached = sum(len(steps) for steps in result.steps.values())
    if reached:
        meta.append(f"{reached} step(s) reached")
    parts = [
        f'<section class="run {state}" id="run-{index}">',
        f'<h2><span class="badge {state}">{state}</span>{_e(result.scenario)}'
        f'<span class="chip">{_e(result.runtime)}</span><span class="chip">{result.duration_s:.2f}s</span></h2>',
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if not result.passed:
        parts.append(f'<div class="error"><pre>{_e(result.error or f"status {result.status}")}</pre></div>')
    parts.append(_timeline_html(result))
    parts.append(_calls_html(result))
    if result.result is not None:
        body = _json.dumps(result.result, indent=2, default=str, ensure_ascii=False)
        parts.append(f"<details><summary>Result</summary><pre>{_e(body)}</pre></details>")
    parts.append("</section>")
    return "".join(parts)


def html(results: Sequence[RunResult], *, title: str = "ntro scenario report") -> str:
    """Render runs as one self-contained HTML page, for people.

    The page has the totals, an index of the runs, and per run: its status,
    engine and duration, the error if it failed, and a timeline of what
    happened (steps, the gates the harness answered and how, activity
    attempts mocked or real, children's events indented), the activity calls
    and the result. CSS is inline; there are no scripts and no external assets.

    Args:
        results: The runs, in the order to show them.
        title: The page title.

    Returns:
        The HTML document.
    """
    counts = summary(results)
    totals = (
        f'<div class="totals"><div class="total pass"><b>{counts["passed"]}</b><span>passed</span></div>'
        f'<div class="total fail"><b>{counts["failed"]}</b><span>failed</span></div>'
        f'<div class="total"><b>{counts["total"]}</b><span>runs</span></div>'
        f'<div class="total"><b>{counts["duration_s"]:.2f}s</b><span>total time</span></div></div>'
    )
    engines = ", ".join(f"{_e(name)}: {c['passed']}/{c['total']} passed" for name, c in counts["by_runtime"].items())
    rows = "".join(
        f"<tr><td>{_pill('passed' if r.passed else 'failed', 'ok' if r.passed else 'raised')}</td>"
        f'<td><a href="#run-{i}">{_e(r.scenario)}</a></td><td>{_e(r.runtime)}</td>'
        f"<td>{r.duration_s:.2f}s</td><td>{len(r.events)}</td></tr>"
        for i, r in enumerate(results, start=1)
    )
    index = (
        '<div class="index"><table><tr><th>Status</th><th>Scenario</th><th>Engine</th><th>Time</th>'
        f"<th>Events</th></tr>{rows}</table></div>"
        if results
        else '<p class="empty">No scenario was run.</p>'
    )
    runs = "".join(_run_html(i, r) for i, r in enumerate(results, start=1))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        f'<h1>{_e(title)}</h1><p class="lead">{_e(_summary_line(results))}'
        f"{' · ' + engines if engines else ''}</p>"
        f"{totals}{index}{runs}"
        "<footer>Generated by ntro.testing.</footer></main></body></html>\n"
    )

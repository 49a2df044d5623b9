"""The four reports, on RunResults built by hand."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from attrs import evolve

from ntro.cli import CommandError, to_json_text
from ntro.testing import report
from ntro.testing._results import ActivityCall, RunResult, StepEvent

ROOT = "test-nav-monthly-7a820232"
CHILD = f"{ROOT}:ingest_sources:document-ingest:bank-statement"


def passed_run() -> RunResult:
    events = (
        StepEvent("step", ROOT, {"step_id": "period_open", "title": "Open the period", "status": "active"}, 0.01),
        StepEvent("activity", ROOT, {"activity": "nav_monthly.open_period", "attempt": 1, "outcome": "ok"}, 0.02),
        StepEvent("step", ROOT, {"step_id": "period_open", "title": "Open the period", "status": "completed"}, 0.03),
        StepEvent(
            "submit_file",
            ROOT,
            {"signal": "tb_submitted", "source": "trial-balance", "document_ref": "sample:trial-balance"},
            0.13,
        ),
        StepEvent("drill_down", ROOT, {"children": [CHILD]}, 0.2),
        StepEvent("submit_file", CHILD, {"signal": "document_submitted", "source": "bank-statement"}, 0.21),
        StepEvent(
            "activity",
            CHILD,
            {"activity": "document_ingest.parse_document", "attempt": 1, "outcome": "ok", "mocked": False},
            0.25,
        ),
        StepEvent(
            "review",
            CHILD,
            {"response": "approve", "step_id": "review_extraction", "corrections": [{"row": 1, "amount": "2"}]},
            0.3,
        ),
        StepEvent("event", ROOT, {"event_type": "nav.rolled_forward"}, 0.5),
        StepEvent("review", ROOT, {"response": "approve", "step_id": "review", "reason": "check the NAV"}, 0.6),
        StepEvent("done", ROOT, {}, 0.86),
    )
    calls = (
        ActivityCall(ROOT, "nav_monthly.open_period", 1, ({"period": "2026-01"},), {"opened": True}),
        ActivityCall(CHILD, "document_ingest.parse_document", 1, ({"document_ref": "x"},), {"rows": []}, mocked=False),
    )
    return RunResult(
        scenario="happy",
        workflow_id=ROOT,
        status="completed",
        result={"nav": "1000.00"},
        events=events,
        duration_s=0.8612,
        runtime="local",
        activity_calls=calls,
        steps={ROOT: ("period_open", "review")},
        decisions=("approve", "approve"),
    )


FAILED = "test-nav-monthly-19e0c2aa"


def failed_run(runtime: str = "local") -> RunResult:
    error = 'workflow failed: the NAV review was rejected\nTraceback (most recent call last):\n  File "x.py", line 3'
    events = (
        StepEvent("review", FAILED, {"response": "reject", "step_id": "review", "reason": None}, 0.31),
        StepEvent(
            "activity",
            FAILED,
            {"activity": "nav_monthly.close_period", "attempt": 2, "outcome": "raised RuntimeError: down"},
            0.35,
        ),
        StepEvent("error", FAILED, {"error": error}, 0.41),
    )
    return RunResult(
        scenario="reject_all",
        workflow_id=FAILED,
        status="failed",
        error=error,
        events=events,
        duration_s=0.41,
        runtime=runtime,
        activity_calls=(
            ActivityCall(FAILED, "nav_monthly.close_period", 2, (), error="RuntimeError: down", mocked=True),
        ),
        decisions=("reject",),
        replayed=False if runtime == "temporal" else None,
    )


# -- human ------------------------------------------------------------------------------------


def test_human_blocks_events_errors_and_summary() -> None:
    text = report.human([passed_run(), failed_run()])
    lines = text.splitlines()
    assert lines[0] == "✓  happy       [local]  (0.86s)"
    assert "    [ 0.13s] submit_file  hly-7a820232  signal=tb_submitted, source=trial-balance, " in text
    assert "    [ 0.01s] step         hly-7a820232  step_id=period_open, title=Open the period, status=active" in text
    assert "✗  reject_all  [local]  (0.41s)" in lines
    # None values are left out of event lines.
    assert "    [ 0.31s] review       hly-19e0c2aa  response=reject, step_id=review" in lines
    index = lines.index("    error: workflow failed: the NAV review was rejected")
    assert lines[index + 1] == "           Traceback (most recent call last):"
    assert lines[index + 2] == '             File "x.py", line 3'
    assert lines[-1] == "summary: 1 passed, 1 failed (of 2)"
    assert text.endswith("\n")


def test_human_multiline_values_are_shortened_in_event_lines() -> None:
    text = report.human([failed_run()])
    error_line = next(line for line in text.splitlines() if "] error" in line)
    assert error_line.endswith("error=workflow failed: the NAV review was rejected …")


def test_human_empty() -> None:
    assert report.human([]) == "summary: 0 passed, 0 failed (of 0)\n"


# -- json ----------------------------------------------------------------------------------------


def test_json_summary_and_results() -> None:
    results = [passed_run(), failed_run(), failed_run("temporal")]
    data = json.loads(report.json(results))
    assert data["summary"] == {
        "passed": 1,
        "failed": 2,
        "total": 3,
        "duration_s": round(0.8612 + 0.41 + 0.41, 4),
        "by_runtime": {
            "local": {"passed": 1, "failed": 1, "total": 2},
            "temporal": {"passed": 0, "failed": 1, "total": 1},
        },
    }
    assert data["results"] == [json.loads(json.dumps(r.to_json(), default=str)) for r in results]
    assert data["results"][0]["result"] == {"nav": "1000.00"}
    assert data["results"][2]["replayed"] is False


def test_json_is_printed_the_one_way_ascii_and_valid() -> None:
    """The JSON report goes through ntro.cli's one printer: ASCII only, and a NaN is an error, never ``NaN``."""
    accented = evolve(passed_run(), result={"fund": "Fonds d\u2019\u00e9pargne"})
    text = report.json([accented])
    assert text.isascii() and "\\u2019" in text and json.loads(text)["results"][0]["result"]["fund"].startswith("Fonds")
    assert text == to_json_text({"summary": report.summary([accented]), "results": [accented.to_json()]}) + "\n"
    with pytest.raises(CommandError, match=r"report\['results'\]\[0\]\['result'\]\['ratio'\] is nan"):
        report.json([evolve(passed_run(), result={"ratio": math.nan})])


def test_json_empty() -> None:
    data = json.loads(report.json([]))
    assert data == {
        "summary": {"passed": 0, "failed": 0, "total": 0, "duration_s": 0, "by_runtime": {}},
        "results": [],
    }


# -- junit ---------------------------------------------------------------------------------------


def test_junit_parses_and_has_one_case_per_run() -> None:
    xml = report.junit([passed_run(), failed_run(), failed_run("temporal")], suite_name="nav-monthly")
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "nav-monthly"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["happy [local]", "reject_all [local]", "reject_all [temporal]"]
    assert {c.get("classname") for c in cases} == {"nav-monthly"}
    assert cases[0].find("failure") is None
    assert float(cases[0].get("time", "")) == pytest.approx(0.861)
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "workflow failed: the NAV review was rejected"
    assert "Traceback" in (failure.text or "")
    out = cases[0].find("system-out")
    assert out is not None and "submit_file" in (out.text or "")


def test_junit_classname_and_control_characters() -> None:
    weird = RunResult("odd\x1b[31m", "wf-1", "failed", error="bad \x00 byte\x07", runtime="local")
    xml = report.junit([weird], classname="expense-processor")
    case = ET.fromstring(xml).find("testsuite/testcase")
    assert case is not None
    assert case.get("classname") == "expense-processor"
    assert case.get("name") == "odd\ufffd[31m [local]"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "bad \ufffd byte\ufffd"


def test_junit_empty_parses() -> None:
    suite = ET.fromstring(report.junit([])).find("testsuite")
    assert suite is not None and suite.get("tests") == "0"


# -- html ------------------------------------------------------------------------------------------


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(document: str) -> Collector:
    collector = Collector()
    collector.feed(document)
    collector.close()
    return collector


def test_html_is_one_self_contained_document() -> None:
    document = report.html([passed_run(), failed_run()], title="nav-monthly scenarios")
    assert document.startswith("<!DOCTYPE html>")
    assert document.count("<html") == 1 and document.rstrip().endswith("</html>")
    assert not re.search(r"https?://", document)
    assert "<script" not in document
    assert "<link" not in document
    assert "@import" not in document and "url(" not in document
    tags = parse(document).tags
    for tag, attrs in tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, attrs)
    assert [t for t, _ in tags].count("style") == 1
    assert "<title>nav-monthly scenarios</title>" in document


def test_html_has_a_timeline_entry_per_event() -> None:
    results = [passed_run(), failed_run()]
    tags = parse(report.html(results)).tags
    entries = [attrs for tag, attrs in tags if tag == "li" and "ev" in (attrs.get("class") or "").split()]
    assert len(entries) == sum(len(r.events) for r in results)
    assert [a["data-kind"] for a in entries[: len(results[0].events)]] == [e.kind for e in results[0].events]
    children = [a for a in entries if "child" in (a.get("class") or "").split()]
    assert len(children) == 3  # the child's upload, activity and review
    sections = [attrs for tag, attrs in tags if tag == "section"]
    assert [s["id"] for s in sections] == ["run-1", "run-2"]
    assert "passed" in (sections[0]["class"] or "") and "failed" in (sections[1]["class"] or "")


def test_html_says_who_answered_gates_and_how_activities_ran() -> None:
    document = report.html([passed_run(), failed_run()])
    assert "answered by the harness" in document
    assert "sample:trial-balance" in document
    assert "with 1 correction(s)" in document
    assert 'class="pill approve"' in document and 'class="pill reject"' in document
    assert "nav_monthly.open_period" in document
    assert 'class="pill real"' in document and 'class="pill mocked"' in document
    assert "raised RuntimeError: down" in document
    assert "ingest_sources:document-ingest:bank-statement" in document  # the child, named relative to the root
    assert "workflow failed: the NAV review was rejected" in document
    assert "Traceback (most recent call last)" in document
    assert "&quot;nav&quot;: &quot;1000.00&quot;" in document  # the result, escaped
    assert "1 passed, 1 failed (of 2)" in document


def test_html_escapes_everything() -> None:
    nasty = RunResult(
        "<b>x</b>",
        "wf-<1>",
        "failed",
        error="<script>alert(1)</script>",
        events=(StepEvent("step", "wf-<1>", {"title": "<img>", "status": "active"}, 0.0),),
    )
    document = report.html([nasty], title="<title>")
    assert "<script" not in document
    assert "<img>" not in document
    assert "&lt;script&gt;" in document
    assert "&lt;b&gt;x&lt;/b&gt;" in document


def test_html_empty() -> None:
    document = report.html([])
    assert "No scenario was run." in document
    assert "0 passed, 0 failed (of 0)" in document

"""The harness on an expense runbook's shape (fixtures/expense-upload): exploration from the bundle's own
scenario, a crash reported at once and by name on both engines, and a timeline in the order things happened.

The fixture's collect step re-opens its upload gate until the real CSV reader accepts a row (its
``tests/scenarios.py`` uploads a CSV and runs the reader for real); its post step raises NameError on
the branch where nothing was approved.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from ntro.cli import main
from ntro.testing import WorkflowHarness, explore, load_scenarios, parity_diff
from ntro.testing._results import RunResult
from ntro.workflow.bundle import load_bundle

FIXTURES = Path(__file__).parent / "fixtures"
EXPENSE = FIXTURES / "expense-upload"
WORKFLOW_FILE = EXPENSE / "templates" / "workflow.py"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "runbooks"

NAME_ERROR = "NameError: name 'workflow' is not defined"
NAME_ERROR_SHAPE = {
    "type": "NameError",
    "message": "name 'workflow' is not defined",
    "non_retryable": False,
    "details": [],
}


def _bug_line() -> int:
    lines = WORKFLOW_FILE.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if "workflow.logger.info" in text)


def expense_harness(runtime: str, **kwargs: Any) -> WorkflowHarness:
    expense = load_bundle(EXPENSE)
    return WorkflowHarness(expense.workflow_cls, runtime=runtime, activities=expense.activities, **kwargs)


async def run_expense(runtime: str, *names: str, **kwargs: Any) -> list[RunResult]:
    scenarios = load_scenarios(EXPENSE)
    async with expense_harness(runtime) as h:
        return [await h.run(scenario=scenarios[name], **kwargs) for name in names]


def timeline(result: RunResult) -> list[tuple[Any, ...]]:
    """The run's events without times and ids: what happened, in order."""
    keys = {
        "step": ("step_id", "status"),
        "gate": ("gate", "action", "status"),
        "child": ("status",),
        "submit_file": ("source",),
        "review": ("response",),
        "activity": ("activity", "attempt", "outcome"),
        "event": ("event_type",),
        "done": (),
        "error": (),
    }
    where = {result.workflow_id: "<root>"}
    found = []
    for event in result.events:
        workflow = where.get(event.workflow_id, event.workflow_id.replace(result.workflow_id, "<root>"))
        found.append((workflow, event.kind, *(event.detail.get(key) for key in keys[event.kind])))
    return found


HAPPY_TIMELINE = [
    ("<root>", "step", "collect", "active"),
    ("<root>", "gate", 1, "submit_file", "opened"),
    ("<root>", "submit_file", "expense-csv"),
    ("<root>", "gate", 1, "submit_file", "closed"),
    ("<root>", "activity", "expense_upload.read_upload", 1, "ok"),
    ("<root>", "step", "collect", "completed"),
    ("<root>", "activity", "expense_upload.categorise", 1, "ok"),
    ("<root>", "activity", "expense_upload.categorise", 1, "ok"),
    ("<root>", "step", "review", "active"),
    ("<root>", "gate", 2, "interactive_review", "opened"),
    ("<root>", "review", "approve"),
    ("<root>", "gate", 2, "interactive_review", "closed"),
    ("<root>", "step", "review", "completed"),
    ("<root>", "step", "commit", "active"),
    ("<root>", "activity", "expense_upload.commit", 1, "ok"),
    ("<root>", "step", "commit", "completed"),
    ("<root>", "step", "post", "active"),
    ("<root>", "activity", "expense_upload.post", 1, "ok"),
    ("<root>", "step", "post", "completed"),
    ("<root>", "done"),
]


# -- LocalRuntime -------------------------------------------------------------------------------


async def test_explore_walks_from_the_bundles_own_happy_scenario() -> None:
    """Its uploads and REAL reader apply on every path, so the gates that wait for accepted rows open."""
    scenarios = load_scenarios(EXPENSE)
    async with expense_harness("local") as h:
        results, truncated = await explore(h, input=h.default_input(), base=scenarios["happy"])
    assert not truncated
    assert {r.scenario: r.status for r in results} == {"explore:A": "completed", "explore:R": "failed"}
    rejected = next(r for r in results if r.scenario == "explore:R")
    assert rejected.error_shape == NAME_ERROR_SHAPE


def test_workflow_test_explore_starts_from_the_bundles_happy(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["workflow", "test", str(EXPENSE), "--explore", "--no-lint", "--json", "--timeout", "5"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # the reject path's bug
    status = {r["scenario"]: r["status"] for r in report["results"]}
    assert status == {"happy": "completed", "reject_all": "failed", "explore:A": "completed", "explore:R": "failed"}
    path = next(r for r in report["results"] if r["scenario"] == "explore:R")
    assert path["error"].startswith(NAME_ERROR)
    assert all(call["mocked"] is False for call in path["activity_calls"])  # the bundle's REAL activities


def test_workflow_test_explore_from_a_named_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["workflow", "test", str(EXPENSE), "-s", "reject_all", "--explore", "--no-lint", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    status = {r["scenario"]: r["status"] for r in report["results"]}
    # The first path answers as reject_all does; the other answer is walked next.
    assert status == {"reject_all": "failed", "explore:reject_all:R": "failed", "explore:reject_all:A": "completed"}


async def test_a_crash_is_named_by_its_exception_with_the_runbooks_file_and_line_first() -> None:
    (crashed,) = await run_expense("local", "reject_all")
    assert crashed.status == "failed"
    assert crashed.error_shape == NAME_ERROR_SHAPE
    assert crashed.error is not None
    first, second = crashed.error.splitlines()[:2]
    assert first == NAME_ERROR
    assert second == f"  at {WORKFLOW_FILE}, line {_bug_line()}, in _post"
    assert "ntro/runtime/local" not in crashed.error  # only the runbook's own frames


async def test_the_timeline_is_what_happened_in_order() -> None:
    (happy,) = await run_expense("local", "happy")
    assert happy.status == "completed", happy.error
    assert timeline(happy) == HAPPY_TIMELINE
    assert happy.steps == {happy.workflow_id: ("collect", "review", "commit", "post")}


async def test_every_step_of_document_ingest_is_seen_active_before_it_completes() -> None:
    ingest = load_bundle(EXAMPLES / "document-ingest")
    async with WorkflowHarness(ingest.workflow_cls, activities=ingest.activities) as h:
        result = await h.run()
    order = [(e.detail["step_id"], e.detail["status"]) for e in result.events if e.kind == "step"]
    steps = list(dict.fromkeys(step for step, _ in order))
    assert order == [(step, status) for step in steps for status in ("active", "completed")]
    kinds = [e.kind for e in result.events]
    submitted = next(i for i, e in enumerate(result.events) if e.kind == "step" and e.detail["status"] == "completed")
    assert "activity" not in kinds[:submitted]  # the upload step completed before the next step's activities ran


# -- Temporal -------------------------------------------------------------------------------------


@pytest.mark.temporal
async def test_happy_passes_on_both_engines_with_equal_results_and_the_same_timeline() -> None:
    (local,) = await run_expense("local", "happy")
    (temporal,) = await run_expense("temporal", "happy")
    assert temporal.status == "completed", temporal.error
    assert temporal.replayed is True
    assert parity_diff(local, temporal) is None
    assert timeline(temporal) == timeline(local) == HAPPY_TIMELINE


@pytest.mark.temporal
async def test_a_crash_on_temporal_is_reported_at_once_and_named_as_locally(caplog: pytest.LogCaptureFixture) -> None:
    """A workflow task that fails after the harness looked is found without waiting for a state query's
    timeout (5 s): the scenario's own 4 s would run out first. temporalio's "Failed activation" record
    (one per retry of the task) is not logged."""
    (local,) = await run_expense("local", "reject_all")
    with caplog.at_level(logging.WARNING, logger="temporalio"):
        (temporal,) = await run_expense("temporal", "reject_all", timeout=4)
    assert temporal.status == "failed"
    assert temporal.error_shape == local.error_shape == NAME_ERROR_SHAPE
    assert temporal.error == local.error
    assert temporal.error is not None and temporal.error.startswith(NAME_ERROR)
    assert timeline(temporal)[:-1] == timeline(local)[:-1]
    assert timeline(temporal)[-3:-1] == [("<root>", "step", "post", "active"), ("<root>", "step", "post", "failed")]
    assert not [r for r in caplog.records if "Failed activation" in r.getMessage()]


@pytest.mark.temporal
async def test_child_workflows_have_the_same_timeline_on_both_engines() -> None:
    nav, ingest = load_bundle(EXAMPLES / "nav-monthly"), load_bundle(EXAMPLES / "document-ingest")

    async def run(runtime: str) -> RunResult:
        async with WorkflowHarness(
            nav.workflow_cls,
            runtime=runtime,
            child_workflows=[ingest.workflow_cls],
            activities=[*nav.activities, *ingest.activities],
        ) as h:
            return await h.run()

    def per_workflow(result: RunResult) -> dict[str, list[tuple[Any, ...]]]:
        found: dict[str, list[tuple[Any, ...]]] = {}
        for entry in timeline(result):
            found.setdefault(entry[0], []).append(entry[1:])
        return found

    local, temporal = await run("local"), await run("temporal")
    assert temporal.status == "completed", temporal.error
    assert per_workflow(temporal) == per_workflow(local)
    children = [e for e in local.events if e.kind == "child"]
    assert children and all(e.workflow_id == local.workflow_id for e in children)


@pytest.mark.temporal
def test_explore_on_both_engines_reports_the_crash_by_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    code = main(["workflow", "test", str(EXPENSE), "--explore", "--runtime", "both", "--json", "--html", str(html)])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 1
    assert "Failed activation" not in captured.err and "Traceback" not in captured.err
    by_name: dict[str, dict[str, Any]] = {}
    for result in report["results"]:
        by_name.setdefault(result["scenario"], {})[result["runtime"]] = result
    assert {name: {rt: r["status"] for rt, r in runs.items()} for name, runs in by_name.items()} == {
        "happy": {"local": "completed", "temporal": "completed"},
        "reject_all": {"local": "failed", "temporal": "failed"},
        "explore:A": {"local": "completed", "temporal": "completed"},
        "explore:R": {"local": "failed", "temporal": "failed"},
    }
    for runtime in ("local", "temporal"):
        path = by_name["explore:R"][runtime]
        assert path["error_shape"] == NAME_ERROR_SHAPE
        assert path["error"].splitlines()[1] == f"  at {WORKFLOW_FILE}, line {_bug_line()}, in _post"
    for runs in by_name.values():
        kinds = {rt: [(e["kind"], e["detail"].get("status")) for e in r["events"]] for rt, r in runs.items()}
        assert kinds["local"] == kinds["temporal"]
    page = html.read_text(encoding="utf-8")
    timelines = re.findall(r'<ol class="timeline">(.*?)</ol>', page)
    kinds_in_page = [re.findall(r'data-kind="([a-z_]+)"', t) for t in timelines]
    assert kinds_in_page[0::2] == kinds_in_page[1::2]  # local, temporal, local, temporal...

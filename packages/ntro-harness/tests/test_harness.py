"""The harness on real runbooks: scenarios, mocks, crashes, non-determinism, parity and exploration.

Local cases run in every leg that has LocalRuntime; the Temporal cases
(``@pytest.mark.temporal``) run on the time-skipping test server in the temporal leg.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ntro.cli import main
from ntro.testing import HAPPY, REJECT_ALL, Scenario, WorkflowHarness, explore, parity_diff
from ntro.workflow.bundle import Bundle, load_bundle

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "runbooks"
FIXTURES = Path(__file__).parent / "fixtures"


def bundle(path: Path) -> Bundle:
    return load_bundle(path)


def nav_harness(runtime: str, **kwargs: Any) -> WorkflowHarness:
    nav, ingest = bundle(EXAMPLES / "nav-monthly"), bundle(EXAMPLES / "document-ingest")
    return WorkflowHarness(
        nav.workflow_cls,
        runtime=runtime,
        child_workflows=[ingest.workflow_cls],
        activities=[*nav.activities, *ingest.activities],
        **kwargs,
    )


# -- LocalRuntime -------------------------------------------------------------------------------


async def test_happy_and_reject_all_on_nav_monthly() -> None:
    async with nav_harness("local") as h:
        happy = await h.run(scenario=HAPPY)
        rejected = await h.run(scenario=REJECT_ALL)
    assert happy.status == "completed", happy.error
    assert happy.decisions == ("approve", "approve", "approve")
    assert happy.result["status"] == "closed"
    assert rejected.decisions == ("reject", "reject", "reject")
    assert rejected.result["status"] == "rejected"
    root = happy.steps[happy.workflow_id]
    assert root == ("period_open", "check_starting_tb", "ingest_sources", "review", "close_period")
    assert {c.activity for c in happy.activity_calls} >= {"nav_monthly.open_period", "document_ingest.parse_document"}
    assert all(c.mocked for c in happy.activity_calls)
    assert [e.kind for e in happy.events][-1] == "done"
    assert {e.kind for e in happy.events} >= {"step", "submit_file", "review", "activity"}


async def test_mocks_by_name_a_value_a_function_or_the_real_activity() -> None:
    from ntro.testing import REAL

    crashing = bundle(FIXTURES / "crashing")
    seen: list[Any] = []

    def publish(total: int) -> str:
        seen.append(total)
        return f"mocked {total}"

    async with WorkflowHarness(
        crashing.workflow_cls, activities=crashing.activities, mocks={"crashing.publish": "v"}
    ) as h:
        by_value = await h.run()
        by_function = await h.run(scenario=Scenario("fn", mocks={"crashing.publish": publish}))
        real = await h.run(scenario=Scenario("real", mocks={"crashing.publish": REAL}))
        auto = await h.run(scenario=Scenario("auto"))
    assert by_value.result == "v"
    assert by_function.result == "mocked 42" and seen == [42]
    assert real.result == "published 42" and real.activity_calls[0].mocked is False
    assert auto.result == "v"  # the harness's own mocks hold for every scenario


async def test_a_partial_mock_fails_as_it_would_on_temporal() -> None:
    """Payload parity: a mock's value is read back with the activity's return annotation."""
    async with nav_harness("local", mocks={"nav_monthly.open_period": {"fund_name": "Mocked Fund LP"}}) as h:
        result = await h.run()
    assert result.status == "failed"
    assert "cannot be read as PeriodOpened" in (result.error or "")


async def test_a_crash_in_workflow_code_fails_the_scenario_with_its_traceback() -> None:
    crashing = bundle(FIXTURES / "crashing")
    async with WorkflowHarness(crashing.workflow_cls, activities=crashing.activities, timeout=20) as h:
        ok = await h.run(scenario=HAPPY)
        crashed = await h.run(scenario=REJECT_ALL)
    assert ok.status == "completed", ok.error
    assert crashed.status == "failed"
    assert crashed.error is not None
    assert "KeyError: 'reject'" in crashed.error
    assert "templates/workflow.py" in crashed.error and "Traceback" in crashed.error
    assert crashed.duration_s < 20  # failed at once, not at the timeout


async def test_exploration_finds_the_crash_on_the_branch_nobody_clicks() -> None:
    crashing = bundle(FIXTURES / "crashing")
    async with WorkflowHarness(crashing.workflow_cls, activities=crashing.activities) as h:
        results, truncated = await explore(h, input=None)
    assert not truncated
    assert {r.scenario: r.status for r in results} == {"explore:A": "completed", "explore:R": "failed"}


async def test_exploration_of_nav_monthly_walks_every_review_path() -> None:
    async with nav_harness("local") as h:
        results, truncated = await explore(h, input=h.default_input(), max_paths=64)
    assert not truncated
    names = {r.scenario for r in results}
    assert {"explore:AAA", "explore:RAA", "explore:ARA", "explore:AAR"} <= names
    assert all(r.status == "completed" for r in results), [r.error for r in results if r.error]


async def test_local_mode_cannot_see_non_determinism() -> None:
    """The honest caveat: a server-less engine cannot replay; the Temporal mode catches this fixture."""
    flaky = bundle(FIXTURES / "flaky-order")
    async with WorkflowHarness(flaky.workflow_cls, activities=flaky.activities) as h:
        result = await h.run()
    assert result.status == "completed"
    assert result.replayed is None


# -- the command --------------------------------------------------------------------------------


def test_workflow_test_command_reports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junit, html = tmp_path / "report.xml", tmp_path / "report.html"
    code = main(
        [
            "workflow",
            "test",
            str(EXAMPLES / "nav-monthly"),
            "--child",
            str(EXAMPLES / "document-ingest"),
            "--json",
            "--junit",
            str(junit),
            "--html",
            str(html),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)
    assert report["summary"]["passed"] == report["summary"]["total"] >= 2
    assert {r["scenario"] for r in report["results"]} >= {"happy", "reject_all"}
    suite = ET.parse(junit).getroot()
    assert suite.find(".//testcase") is not None
    page = html.read_text()
    assert "<html" in page and "happy" in page


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        (["--timeout", "0"], "--timeout must be more than 0"),
        (["--junit", "/no/such/dir/r.xml"], "its directory does not exist"),
        (["--input", "{not json"], "input"),
    ],
)
def test_workflow_test_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code = main(["workflow", "test", str(EXAMPLES / "document-ingest"), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert expected in err.strip().splitlines()[-1]


def test_workflow_test_exit_1_when_a_scenario_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["workflow", "test", str(FIXTURES / "crashing"), "--no-lint"])
    out = capsys.readouterr().out
    assert code == 1
    assert "KeyError: 'reject'" in out
    assert out.strip().splitlines()[-1] == "summary: 1 passed, 1 failed (of 2)"


# -- Temporal -------------------------------------------------------------------------------------


@pytest.mark.temporal
async def test_temporal_mode_replays_and_agrees_with_local() -> None:
    async with nav_harness("local") as h:
        local = [await h.run(scenario=s) for s in (HAPPY, REJECT_ALL)]
    async with nav_harness("temporal") as h:
        temporal = [await h.run(scenario=s) for s in (HAPPY, REJECT_ALL)]
    for a, b in zip(local, temporal, strict=True):
        assert b.status == "completed", b.error
        assert b.replayed is True
        assert parity_diff(a, b) is None


@pytest.mark.temporal
async def test_temporal_mode_catches_the_non_deterministic_fixture() -> None:
    flaky = bundle(FIXTURES / "flaky-order")
    async with WorkflowHarness(flaky.workflow_cls, runtime="temporal", activities=flaky.activities) as h:
        result = await h.run()
    assert result.status == "failed"
    assert result.replayed is False
    assert result.error is not None and result.error.startswith("non-deterministic:")
    assert "does not match" in result.error


@pytest.mark.temporal
async def test_temporal_mode_fails_a_crash_at_once_with_its_traceback() -> None:
    crashing = bundle(FIXTURES / "crashing")
    async with WorkflowHarness(crashing.workflow_cls, runtime="temporal", activities=crashing.activities) as h:
        ok = await h.run(scenario=HAPPY)
        crashed = await h.run(scenario=REJECT_ALL, timeout=25)
    assert ok.status == "completed", ok.error
    assert crashed.status == "failed"
    assert crashed.error is not None and crashed.error.startswith("KeyError: 'reject'")
    assert "templates/workflow.py" in crashed.error
    assert crashed.error_shape is not None and crashed.error_shape["type"] == "KeyError"
    assert crashed.duration_s < 25  # seen at once, not at the timeout (Temporal retries the task forever)


@pytest.mark.temporal
def test_workflow_test_both_runtimes_on_a_fresh_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "workflow",
            "test",
            str(EXAMPLES / "nav-monthly"),
            "--child",
            str(EXAMPLES / "document-ingest"),
            "--runtime",
            "both",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["summary"]["by_runtime"]["temporal"]["passed"] == report["summary"]["by_runtime"]["local"]["passed"]


# -- observability events -------------------------------------------------------------------------


async def _observed(runtime: str) -> Any:
    from ntro.testing import REAL

    observed = bundle(FIXTURES / "observed")
    mocks = {"observed.count": REAL}
    async with WorkflowHarness(
        observed.workflow_cls, runtime=runtime, activities=observed.activities, mocks=mocks
    ) as h:
        return await h.run(input=["a", "b", "c"])


async def test_an_observable_activity_result_is_recorded_as_an_event_locally() -> None:
    result = await _observed("local")
    assert result.status == "completed", result.error
    assert result.result == 3
    events = [e for e in result.events if e.kind == "event"]
    assert [(e.detail["event_type"], e.detail["activity"], e.detail["payload"]) for e in events] == [
        ("observed.counted", "observed.count", {"count": 3})
    ]


@pytest.mark.temporal
async def test_the_same_event_is_emitted_on_temporal() -> None:
    local, temporal = await _observed("local"), await _observed("temporal")
    assert temporal.status == "completed", temporal.error

    def seen(result: Any) -> list[Any]:
        return [dict(e.detail) for e in result.events if e.kind == "event"]

    assert seen(temporal) == seen(local) != []

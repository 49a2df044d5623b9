"""The focused conformance cases: each engine feature, on small workflows written once with the facade.

The example runbooks' cases live with the repository's tests (they need its
example bundles); these ship with the harness so any backend can run them.
"""

from __future__ import annotations

from typing import Any

from ntro.testing.conformance import Case, Outcome, Review, Update, Upload, flows

__all__ = ["CASES", "FLOW_ACTIVITIES", "FLOW_WORKFLOWS"]

FLOW_WORKFLOWS: list[type] = [
    flows.GateFlow,
    flows.ChildFlow,
    flows.ParentFlow,
    flows.FanOutFlow,
    flows.RetryFlow,
    flows.FailFlow,
    flows.ArgsFlow,
    flows.ClockFlow,
    flows.SlowChildFlow,
    flows.ImpatientFlow,
    flows.ResumeFlow,
    flows.PeriodsFlow,
    flows.UpdateFlow,
    flows.PatchedFlow,
    flows.EventsFlow,
    flows.NotesFlow,
    flows.SignalsChildFlow,
]
"""The workflows the focused cases run (a harness for them hosts them all)."""

FLOW_ACTIVITIES: list[Any] = [
    flows.prepare,
    flows.finish,
    flows.add,
    flows.describe_activity,
    flows.flaky,
    flows.fatal,
    flows.resumable,
    flows.load_batch,
]
"""The activities they call."""


def _calls(outcome: Outcome, workflow_id: str) -> list[tuple[str, int, str]]:
    return [(c["activity"], c["attempt"], c["outcome"]) for c in outcome.calls.get(workflow_id, [])]


# -- what every engine must do (beyond agreeing with the others) -------------------------------
def _gate_after(outcome: Outcome) -> None:
    assert outcome.result["status"] == "approved"
    assert outcome.result["done"] == "finished batch approved by ops"
    assert outcome.pending[0]["pending"]["step_id"] == "approve"


def _gate_before(outcome: Outcome) -> None:
    assert outcome.result["status"] == "approved"
    assert outcome.pending == []


def _gate_timeout_caught(outcome: Outcome) -> None:
    assert outcome.result["status"] == "timed_out"
    assert outcome.result["error"] == "wait_condition timed out"
    assert [s["status"] for s in outcome.result["steps"]] == ["completed", "active"]


def _gate_timeout_fails(outcome: Outcome) -> None:
    assert outcome.status == "failed"
    assert outcome.error == {
        "type": "TimeoutError",
        "message": "wait_condition timed out",
        "non_retryable": False,
        "details": [],
    }


def _parent(outcome: Outcome) -> None:
    result = outcome.result
    assert result["by_slug"]["workflow_id"] == "conf-children:conf-child:1"
    assert result["by_class"] == {
        "label": "two-args",
        "value": 8,
        "workflow_id": "conf-children:conf-child:2",
        "parent": "conf-children",
    }
    assert result["started"]["id"] == "conf-children:explicit"
    assert result["via_base"]["workflow_id"] == "conf-children:single:conf-child"


def _child_timeout(outcome: Outcome) -> None:
    assert outcome.result == {"outcome": "timeout", "waited_minutes": 60}


def _fan_out(outcome: Outcome) -> None:
    assert [r["value"] for r in outcome.result["results"]] == [2, 4, 6]
    assert len(outcome.calls) == 3  # one add per child, recorded under each child's id


def _fan_out_failure(outcome: Outcome) -> None:
    assert outcome.result["results"] == {"error": ["Negative", "negative input -2", [{"x": -2}]]}
    statuses = [c["status"] for c in outcome.result["children"]["fan_out"]]
    assert statuses == ["completed", "failed", "completed"]


def _retries(outcome: Outcome) -> None:
    assert outcome.result == {
        "flaky": 3,
        "fatal": ["Fatal", "fatal x", True, [{"kind": "x"}]],
        "not_retried": ["ValueError", "activity conf.flaky failed: attempt 1 failed", False],
        "exhausted": ["ValueError", "activity conf.flaky failed: attempt 2 failed", False],
    }
    assert [(a, n) for a, n, _ in _calls(outcome, "conf-retries")] == [
        ("conf.flaky", 1),
        ("conf.flaky", 2),
        ("conf.flaky", 3),
        ("conf.fatal", 1),
        ("conf.flaky", 1),
        ("conf.flaky", 1),
        ("conf.flaky", 2),
    ]


def _failed(kind: str, message: str, non_retryable: bool, details: list[Any]) -> Any:
    def check(outcome: Outcome) -> None:
        assert outcome.status == "failed"
        assert outcome.error is not None
        assert (outcome.error["type"], outcome.error["non_retryable"], outcome.error["details"]) == (
            kind,
            non_retryable,
            details,
        )
        assert outcome.error["message"].startswith(message)

    return check


def _args(outcome: Outcome) -> None:
    result = outcome.result
    assert (result["total"], result["by_name"]) == (12, 13)
    assert result["described"] == {
        "tag": "bee",
        "workflow_id": "conf-args",
        "activity_type": "conf.describe",
        "attempt": 1,
        "task_queue": "conformance",
        "in_activity": True,
    }
    assert result["child"]["label"] == "bee"


def _clock(outcome: Outcome) -> None:
    assert outcome.result == {
        "utc": True,
        "slept_3_days": True,
        "slept_90_s": True,
        "random_in_range": True,
        "random_varies": True,
        "uuid_versions": [4, 4, 4],
        "uuids_distinct": True,
        "workflow_id": "conf-clock",
        "workflow_type": "ClockFlow",
        "task_queue": "conformance",
        "attempt": 1,
        "parent": None,
        "in_workflow": True,
    }


def _resumed(outcome: Outcome) -> None:
    assert outcome.result == {"attempt": 2, "resumed_from": 3, "rows": 5}
    assert _calls(outcome, "conf-heartbeat-resume") == [
        ("conf.resumable", 1, "raised ValueError: lost the connection after row 3"),
        ("conf.resumable", 2, "ok"),
    ]


def _periods(outcome: Outcome) -> None:
    assert outcome.result == {"total": 6, "runs": [1, 2, 3], "workflow_id": "conf-continue-as-new"}
    assert [a for a, _, _ in _calls(outcome, "conf-continue-as-new")] == ["conf.add"] * 3


def _updates(outcome: Outcome) -> None:
    assert outcome.result["limit"] == 25
    assert outcome.result["changes"] == [50, 25]  # the refused and failed requests changed nothing
    assert [u.get("answer") for u in outcome.updates] == [
        {"limit": 50, "changes": 1},
        None,
        None,
        {"limit": 25, "changes": 2},
    ]
    refused, failed = outcome.updates[1]["failed"], outcome.updates[2]["failed"]
    assert (refused["type"], refused["message"]) == ("ValueError", "the limit must be positive, not -5")
    assert (failed["type"], failed["details"]) == ("OverCeiling", [{"ceiling": 1000}])


def _patched(outcome: Outcome) -> None:
    assert outcome.result == {"value": 14, "patched": True}


def _events(outcome: Outcome) -> None:
    assert outcome.result == [2, 5]
    assert outcome.events == {
        "conf-observability-events": [
            {"event_type": "conf.batch_loaded", "activity": "conf.load_batch", "payload": {"batch": b, "rows": n}}
            for b, n in (("q1", 2), ("q2-ab", 5))
        ]
    }


def _child_signals(outcome: Outcome) -> None:
    assert outcome.result == {"notes": [None, "<no argument>", {"k": [1, 2]}]}


CASES: list[Case] = [
    # human gates
    Case(
        "gate-signal-after-it-opens",
        flows.GateFlow,
        ({"name": "batch", "timeout_hours": 48},),
        (Upload({"approved_by": "ops"}),),
        check=_gate_after,
    ),
    Case(
        "gate-signal-before-it-opens",
        flows.GateFlow,
        ({"name": "batch"},),
        start_signal=("approval", {"approved_by": "early"}),
        check=_gate_before,
    ),
    Case(
        "gate-timeout-caught",
        flows.GateFlow,
        ({"name": "batch", "timeout_hours": 2, "catch_timeout": True},),
        check=_gate_timeout_caught,
    ),
    Case("gate-timeout-fails", flows.GateFlow, ({"name": "batch", "timeout_hours": 2},), check=_gate_timeout_fails),
    # child workflows
    Case("children", flows.ParentFlow, check=_parent),
    Case("fan-out", flows.FanOutFlow, ([1, 2, 3],), check=_fan_out),
    Case("fan-out-one-fails", flows.FanOutFlow, ([1, -2, 3],), check=_fan_out_failure),
    Case("child-execution-timeout", flows.ImpatientFlow, check=_child_timeout),
    # retries and errors
    Case("retries", flows.RetryFlow, check=_retries),
    Case(
        "workflow-error",
        flows.FailFlow,
        ("workflow-error",),
        check=_failed("BadInput", "bad input", False, [{"field": "period"}]),
    ),
    Case(
        "activity-error-uncaught",
        flows.FailFlow,
        ("activity",),
        check=_failed("Fatal", "fatal uncaught", True, [{"kind": "uncaught"}]),
    ),
    Case(
        "child-error-uncaught",
        flows.FailFlow,
        ("child",),
        check=_failed("Negative", "negative input -1", False, [{"x": -1}]),
    ),
    Case(
        "unknown-child-slug",
        flows.FailFlow,
        ("unknown-slug",),
        check=_failed("UnknownWorkflowSlug", "no workflow registered for slug 'no-such-slug'", True, []),
    ),
    # arguments, clock, randomness, info
    Case("args", flows.ArgsFlow, (11, "bee", {"extra": 1, "nested": {"k": [1, 2]}}), check=_args),
    Case("clock", flows.ClockFlow, check=_clock),
    # long-running runbooks
    Case("heartbeat-resume", flows.ResumeFlow, (5,), check=_resumed),
    Case(
        "continue-as-new",
        flows.PeriodsFlow,
        ({"period": 1, "last": 3, "total": 0},),
        check=_periods,
    ),
    Case(
        "updates-with-validator",
        flows.UpdateFlow,
        script=(
            Update("set_limit", 50),
            Update("set_limit", -5),
            Update("set_limit", 5000),
            Update("set_limit", 25),
            Review(),
        ),
        check=_updates,
    ),
    Case("patched-new-run", flows.PatchedFlow, (7,), check=_patched),
    Case("observability-events", flows.EventsFlow, (["q1", "q2-ab"],), check=_events),
    # signals
    Case("child-signals-none-is-a-value", flows.SignalsChildFlow, check=_child_signals),
]
"""The focused cases, in order."""

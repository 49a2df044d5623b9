"""What one scenario run produced: status, result, events, activity calls, steps, duration.

The names and first fields are ntro 0.1.2's (``RunResult``, ``StepEvent``);
the rest is what this harness adds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["ActivityCall", "RunResult", "StepEvent"]

EVENT_KINDS = (
    "step",  # detail: step_id, title, status ("active" | "completed" | "failed")
    "gate",  # a gate opened or closed: gate, action (the pending action's kind), step_id, status ("opened" | "closed")
    "child",  # the workflow started a child: child_workflow_id, status ("started")
    "submit_file",  # an upload answered: signal, source, document_ref, step_id
    "review",  # a review answered: response ("approve" | "reject"), step_id, corrections?
    "drill_down",  # a gate answered in a child: children
    "activity",  # an activity call finished: activity, attempt, outcome
    "event",  # an observability event an activity emitted: event_type
    "done",  # the run completed
    "error",  # the run failed, timed out, crashed or did not replay
)
"""The kinds of :class:`StepEvent`."""


@attrs.frozen
class StepEvent:
    """One thing that happened in a scenario run, in the order it happened.

    Steps, gates and children are recorded as workflow code reports them (the
    client's :class:`~ntro.runtime.protocol.RunEvent` s), activities as the
    harness's mocks run them, answers as the harness gives them: the same
    order on both engines for the same scenario.

    Attributes:
        kind: One of the event kinds listed in ``ntro.testing._results.EVENT_KINDS``.
        workflow_id: The workflow it happened in (a child's id for a child).
        detail: Kind-specific facts (JSON-ready).
        timestamp_s: Seconds since the scenario started (wall time).
    """

    kind: str
    workflow_id: str
    detail: Mapping[str, Any] = attrs.field(factory=dict)
    timestamp_s: float = 0.0


@attrs.frozen
class ActivityCall:
    """One activity attempt, as the harness's mock (or spy) saw it.

    Attributes:
        workflow_id: The workflow that called it.
        activity: The activity's registered name.
        attempt: The attempt number, from 1.
        args: The arguments it received (JSON-ready).
        result: What it returned (JSON-ready), when it succeeded.
        error: ``"<type>: <message>"`` when it raised.
        mocked: Whether a mock answered instead of the real activity.
    """

    workflow_id: str
    activity: str
    attempt: int
    args: tuple[Any, ...] = ()
    result: Any = None
    error: str | None = None
    mocked: bool = True


@attrs.frozen
class RunResult:
    """The outcome of one scenario on one engine.

    Attributes:
        scenario: The scenario's name.
        workflow_id: The root workflow's id.
        status: ``"completed"`` or ``"failed"``.
        result: The workflow's result (JSON-ready), when it completed.
        error: Why it failed, in one paragraph (a workflow crash keeps its traceback).
        events: What happened, in order.
        duration_s: Wall time of the scenario.
        runtime: The engine, ``"local"`` or ``"temporal"``.
        activity_calls: Every activity attempt, in order.
        steps: The step ids reached (active or completed), per workflow id, in order.
        pending_actions: The pending actions answered, in order (JSON-ready).
        decisions: The review answers given, in order (``"approve"`` / ``"reject"``).
        replayed: Whether the histories were replayed and matched (Temporal only;
            ``None`` where there is nothing to replay).
        error_shape: The failure as runbook code sees it, engine-neutrally:
            ``{type, message, non_retryable, details}`` (``None`` when it completed).
    """

    scenario: str
    workflow_id: str
    status: str
    result: Any = None
    error: str | None = None
    events: tuple[StepEvent, ...] = ()
    duration_s: float = 0.0
    runtime: str = "local"
    activity_calls: tuple[ActivityCall, ...] = ()
    steps: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    pending_actions: tuple[Mapping[str, Any], ...] = ()
    decisions: tuple[str, ...] = ()
    replayed: bool | None = None
    error_shape: Mapping[str, Any] | None = None

    @property
    def passed(self) -> bool:
        """Whether the scenario passed (the workflow completed)."""
        return self.status == "completed"

    def to_json(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (one entry of the JSON report)."""
        return {
            "scenario": self.scenario,
            "runtime": self.runtime,
            "workflow_id": self.workflow_id,
            "status": self.status,
            "result": self.result,
            "error": self.error,
            "duration_s": round(self.duration_s, 4),
            "decisions": list(self.decisions),
            "replayed": self.replayed,
            "error_shape": self.error_shape,
            "steps": {k: list(v) for k, v in self.steps.items()},
            "activity_calls": [attrs.asdict(c) for c in self.activity_calls],
            "pending_actions": [dict(p) for p in self.pending_actions],
            "events": [attrs.asdict(e) for e in self.events],
        }

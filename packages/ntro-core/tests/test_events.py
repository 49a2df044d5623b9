"""ntro.events: observable results, emitters and their failures."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ntro.events import ObservableResult, ObservedEvent, emit_result, register_emitter, unregister_emitter


class Parsed(ObservableResult):
    class ObserverMeta:
        event_type = "document.parsed"

    pages: int


class Unnamed(ObservableResult):
    pages: int


class Recorder:
    def __init__(self) -> None:
        self.events: list[ObservedEvent] = []

    def emit(self, event: ObservedEvent) -> None:
        self.events.append(event)


class Broken:
    def emit(self, event: ObservedEvent) -> None:
        raise RuntimeError("emitter down")


@pytest.fixture
def recorder() -> Any:
    rec = Recorder()
    register_emitter(rec)
    yield rec
    unregister_emitter(rec)


def test_an_observable_result_is_emitted_with_its_type_and_json_payload(recorder: Recorder) -> None:
    event = emit_result(Parsed(pages=3), workflow_id="wf-1", activity="ingest.parse", attempt=2)
    assert event is not None
    assert recorder.events == [event]
    assert (event.event_type, dict(event.payload), event.workflow_id, event.activity, event.attempt) == (
        "document.parsed",
        {"pages": 3},
        "wf-1",
        "ingest.parse",
        2,
    )
    assert emit_result(Unnamed(pages=1), workflow_id="wf-1", activity="a").event_type == "Unnamed"  # type: ignore[union-attr]


def test_other_results_emit_nothing(recorder: Recorder) -> None:
    assert emit_result({"pages": 3}, workflow_id="wf", activity="a") is None
    assert emit_result(None, workflow_id="wf", activity="a") is None
    assert recorder.events == []


def test_a_failing_emitter_is_logged_and_never_fails_the_activity(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Broken()
    register_emitter(broken)
    try:
        with caplog.at_level(logging.WARNING, logger="ntro.events"):
            emit_result(Parsed(pages=1), workflow_id="wf", activity="a")
    finally:
        unregister_emitter(broken)
    assert len(recorder.events) == 1
    assert "emitter down" in caplog.text


def test_ingest_feedback_models_are_exported_by_ntro_workflow_and_shown_as_json() -> None:
    from ntro.workflow import IngestIssueSummary, IngestOutcome, IngestProgressSnapshot, NtroWorkflow

    outcome = IngestOutcome(
        status="partial",
        progress=IngestProgressSnapshot(received=2, accepted=1, rejected=1, expected=3),
        issues=[IngestIssueSummary(code="bad_date", message="not a date", rows=["R-2"])],
    )
    assert not outcome.progress.complete
    feedback = NtroWorkflow().set_user_feedback(kind="ingest", payload=outcome, level="warning")
    assert feedback["payload"]["progress"] == {"received": 2, "accepted": 1, "rejected": 1, "expected": 3}
    assert feedback["payload"]["issues"][0]["code"] == "bad_date"

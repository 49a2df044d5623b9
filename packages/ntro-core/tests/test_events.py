"""ntro.events: observable results, emitters and their failures."""

from __future__ import annotations

import asyncio
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
        source_ref="expenses.csv",
        parsed_rows=3,
        accepted_rows=2,
        rejected_rows=1,
        status="partial",
        reasons=[IngestIssueSummary(reason="no amount", count=1)],
        progress=IngestProgressSnapshot(accepted_rows=2, target_rows=5),
    )
    feedback = NtroWorkflow().set_user_feedback(kind="ingest", payload=outcome, level="warning")
    assert feedback["payload"]["progress"] == {"accepted_rows": 2, "target_rows": 5}
    assert feedback["payload"]["reasons"] == [{"reason": "no amount", "count": 1}]
    assert feedback["payload"]["status"] == "partial"


@pytest.mark.parametrize(
    ("parsed", "accepted", "status", "rejected"),
    [(0, 0, "success", 0), (4, 4, "success", 0), (4, 3, "partial", 1), (4, 0, "empty", 4), (2, -1, "empty", 3)],
)
def test_from_counts_derives_the_status_and_the_rejected_rows(
    parsed: int, accepted: int, status: str, rejected: int
) -> None:
    from ntro.ingest import IngestOutcome

    outcome = IngestOutcome.from_counts(parsed_rows=parsed, accepted_rows=accepted, target_rows=10)
    assert (outcome.status, outcome.rejected_rows, outcome.accepted_rows) == (status, rejected, max(accepted, 0))
    assert outcome.progress is not None and outcome.progress.target_rows == 10
    assert IngestOutcome.from_counts(parsed_rows=1, accepted_rows=1).progress is None


def test_0_1_2s_database_helpers_are_refused_in_one_line_that_says_why() -> None:
    import ntro.ingest

    refused = r"^ntro\.ingest\.insert_submitted_record is not part of this SDK.*ntro\.data"
    with pytest.raises(ImportError, match=refused):
        exec("from ntro.ingest import insert_submitted_record", {})
    with pytest.raises(ImportError, match=r"^ntro\.ingest\.documents\.fetch_submitted_document_by_id is not"):
        exec("from ntro.ingest.documents import fetch_submitted_document_by_id", {})
    assert not hasattr(ntro.ingest, "no_such_name")  # any other name is a plain AttributeError


class AsyncRecorder:
    """An emitter of ntro 0.1.2's shape."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[tuple[str, Any]] = []
        self.fail = fail

    async def emit(self, event_type: str, payload: Any = None) -> None:
        if self.fail:
            raise RuntimeError("bus down")
        self.events.append((event_type, payload))


def test_an_async_emitter_gets_events_emitted_outside_any_event_loop(recorder: Recorder) -> None:
    old = AsyncRecorder()
    register_emitter(old)
    try:
        emit_result(Parsed(pages=1), workflow_id="wf", activity="a")
    finally:
        unregister_emitter(old)
    assert old.events == [("document.parsed", Parsed(pages=1))]
    assert [e.event_type for e in recorder.events] == ["document.parsed"]


def test_custom_events_reach_both_kinds_of_emitter_and_a_failing_one_is_logged(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    from ntro.events import get_emitter

    old, broken = AsyncRecorder(), AsyncRecorder(fail=True)
    register_emitter(old)
    register_emitter(broken)

    async def main() -> ObservedEvent:
        return await get_emitter().emit("invoice.flagged", Parsed(pages=4))

    try:
        with caplog.at_level(logging.WARNING, logger="ntro.events"):
            event = asyncio.run(main())
    finally:
        unregister_emitter(old)
        unregister_emitter(broken)
    assert (event.event_type, dict(event.payload), event.workflow_id, event.activity) == (
        "invoice.flagged",
        {"pages": 4},
        "",
        "",
    )
    assert recorder.events == [event]
    assert old.events == [("invoice.flagged", Parsed(pages=4))]
    assert "bus down" in caplog.text
    with pytest.raises(TypeError, match="pydantic model, a mapping or None"):
        get_emitter().emit("x", [1, 2])  # type: ignore[arg-type]

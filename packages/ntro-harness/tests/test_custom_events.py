"""An activity's own events, emitted as in ntro 0.1.2 (``await get_emitter().emit(type, payload)``), on both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ntro.events import register_emitter, unregister_emitter
from ntro.testing import REAL, WorkflowHarness
from ntro.workflow.bundle import load_bundle

FIXTURE = Path(__file__).parent / "fixtures" / "custom-events"


class BusEmitter:
    """An emitter of ntro 0.1.2's shape (an internal event bus would be one)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []

    async def emit(self, event_type: str, payload: Any = None) -> None:
        self.received.append((event_type, payload))


async def _run(runtime: str) -> tuple[Any, BusEmitter]:
    custom = load_bundle(FIXTURE)
    bus = BusEmitter()
    register_emitter(bus)
    try:
        async with WorkflowHarness(
            custom.workflow_cls, runtime=runtime, activities=custom.activities, mocks={"custom_events.flag": REAL}
        ) as h:
            result = await h.run(input="INV-7", workflow_id="custom-1")
    finally:
        unregister_emitter(bus)
    return result, bus


def _events(result: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (e.workflow_id, e.detail["event_type"], e.detail["activity"], e.detail["payload"])
        for e in result.events
        if e.kind == "event"
    ]


EXPECTED = [("custom-1", "invoice.flagged", "custom_events.flag", {"invoice": "INV-7", "reason": "over limit"})]


async def test_an_activitys_own_event_carries_its_run_and_reaches_every_emitter_locally() -> None:
    result, bus = await _run("local")
    assert result.status == "completed", result.error
    assert _events(result) == EXPECTED
    assert bus.received == [("invoice.flagged", {"invoice": "INV-7", "reason": "over limit"})]


@pytest.mark.temporal
async def test_the_same_event_on_temporal() -> None:
    result, bus = await _run("temporal")
    assert result.status == "completed", result.error
    assert _events(result) == EXPECTED
    assert bus.received == [("invoice.flagged", {"invoice": "INV-7", "reason": "over limit"})]

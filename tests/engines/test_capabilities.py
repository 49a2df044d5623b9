"""Optional capabilities: a client that lacks one is driven all the same, with the caller's fallback.

``PlainClient`` offers the :class:`~ntro.runtime.protocol.WorkflowClient`
protocol and nothing else (a real local client behind it, on the wall clock):
no time control, no run events, no description, no replay.
"""

from __future__ import annotations

from typing import Any

import pytest

from ntro.client import drive, time_control
from ntro.runtime.local import LocalClient, open_client
from ntro.runtime.protocol import (
    ClientOptions,
    EngineDescription,
    ReplayCheck,
    RunEventSource,
    TimeControl,
    WorkflowClient,
)
from ntro.testing.conformance.cases import FLOW_ACTIVITIES
from ntro.testing.conformance.flows import GateFlow


class PlainClient:
    """The client protocol alone: a local client's three protocol methods, and nothing else of it."""

    runtime_name = "plain"

    def __init__(self, inner: LocalClient) -> None:
        self.start_workflow = inner.start_workflow
        self.get_workflow_handle = inner.get_workflow_handle
        self.list_workflows = inner.list_workflows


class ApproveOnce:
    """Answers the one gate of GateFlow, and counts the gates it was asked about."""

    def __init__(self) -> None:
        self.asked = 0

    async def answer(self, gate: Any) -> Any:
        self.asked += 1
        return {"by": "ops"}


def test_the_capabilities_each_client_offers() -> None:
    plain = PlainClient(LocalClient())
    assert isinstance(plain, WorkflowClient)
    for capability in (TimeControl, ReplayCheck, RunEventSource, EngineDescription):
        assert not isinstance(plain, capability), capability
    local = LocalClient()
    assert isinstance(local, TimeControl) and isinstance(local, RunEventSource)
    assert isinstance(local, EngineDescription) and not isinstance(local, ReplayCheck)
    assert time_control(local) is local
    fallback = time_control(plain)
    assert fallback is not plain and isinstance(fallback, TimeControl)


async def test_a_client_without_time_control_is_driven_on_real_time() -> None:
    """drive() holds no time and looks again after a short sleep: the gate is answered, the run completes."""
    async with open_client(ClientOptions(activities=FLOW_ACTIVITIES)) as inner:
        plain = PlainClient(inner)
        handle = await plain.start_workflow(GateFlow, {"name": "batch"})
        policy = ApproveOnce()
        result = await drive(plain, handle, policy, poll=0.01, timeout=30)
    assert result["status"] == "approved"
    assert policy.asked == 1


async def test_the_real_time_fallback_holds_nothing() -> None:
    fallback = time_control(PlainClient(LocalClient()), poll=0.0)
    async with fallback.hold_time():
        await fallback.wait_for_change(10)  # returns after the poll interval (0 here), not the timeout
        await fallback.advance_time(["any"], 10)


@pytest.mark.parametrize("poll", [0.0, 0.01])
async def test_time_control_returns_the_clients_own_when_it_offers_it(poll: float) -> None:
    async with open_client() as client:
        assert time_control(client, poll) is client

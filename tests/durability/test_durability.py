"""Nothing is lost: a worker killed mid-workflow, or the server itself restarted on its SQLite file.

The workflow (``bundles/durable-steps``) runs n activities with a durable
timer between them; each activity appends ``<index> <pid>`` to a ledger file.
After k activities have *completed in the server's history*, the worker
process is killed (SIGKILL) or the dev server is stopped and started again on
the same database and port; the workflow must then finish with the same
result, and no completed activity may run again.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ntro_servers import free_port
from temporalio.api.enums.v1 import EventType

from ntro.workflow.bundle import load_bundle

pytestmark = [pytest.mark.temporal, pytest.mark.slow, pytest.mark.asyncio(loop_scope="function")]

BUNDLE = Path(__file__).parent / "bundles" / "durable-steps"
STEPS = 5
KILL_AFTER = 2
EXPECTED = [i * i + 1 for i in range(STEPS)]


@pytest.fixture(scope="module")
def workflow_cls() -> Any:
    return load_bundle(BUNDLE).workflow_cls


def _input(ledger: Path) -> Any:
    from _ntro_bundle_durable_steps.models import DurableInput  # the bundle's own package

    return DurableInput(steps=STEPS, ledger=str(ledger), pause_seconds=1.0)


def _result_type() -> type:
    from _ntro_bundle_durable_steps.models import DurableResult

    return DurableResult


async def _completed_activities(handle: Any) -> int:
    events = [e async for e in handle.fetch_history_events()]
    return sum(1 for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)


async def _wait_for_completed(handle: Any, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while await _completed_activities(handle) < count:
        assert time.monotonic() < deadline, f"{count} activities did not complete in {timeout}s"
        await asyncio.sleep(0.05)


def _ledger(path: Path) -> list[tuple[int, int]]:
    return [(int(i), int(pid)) for i, pid in (line.split() for line in path.read_text().splitlines())]


def _assert_nothing_lost(ledger: list[tuple[int, int]], first_pid: int) -> None:
    runs = Counter(index for index, _ in ledger)
    assert sorted(runs) == list(range(STEPS)), ledger
    for index in range(KILL_AFTER):  # completed before the crash: ran once, in the first worker
        assert runs[index] == 1, f"completed step {index} ran again: {ledger}"
        assert dict(ledger)[index] == first_pid


async def test_a_killed_worker_loses_nothing(
    tmp_path: Path, workflow_cls: Any, start_server: Any, start_worker: Any
) -> None:
    ledger = tmp_path / "ledger.txt"
    ledger.touch()
    async with await start_server(database=tmp_path / "temporal.db") as env:
        host = env.client.service_client.config.target_host
        first = await start_worker("durable-steps", host, "durable-kill")
        try:
            handle = await env.client.start_workflow(
                workflow_cls.run, _input(ledger), id="durable-kill", task_queue="durable-kill"
            )
            await _wait_for_completed(handle, KILL_AFTER)
        finally:
            assert first.kill() == -9
        second = await start_worker("durable-steps", host, "durable-kill")
        try:
            result = await asyncio.wait_for(handle.result(), 90)
        finally:
            assert second.stop() == 0
    assert result.values == EXPECTED
    entries = _ledger(ledger)
    _assert_nothing_lost(entries, first.pid)
    for index in range(KILL_AFTER, STEPS):  # the rest ran (again, if it was in flight) in the new worker
        assert (index, second.pid) in entries, entries


async def test_a_restarted_server_loses_nothing(
    tmp_path: Path, workflow_cls: Any, start_server: Any, start_worker: Any
) -> None:
    ledger = tmp_path / "ledger.txt"
    ledger.touch()
    database, port = tmp_path / "temporal.db", free_port()
    env = await start_server(database=database, port=port)
    host = env.client.service_client.config.target_host
    worker = await start_worker("durable-steps", host, "durable-restart")
    try:
        try:
            handle = await env.client.start_workflow(
                workflow_cls.run, _input(ledger), id="durable-restart", task_queue="durable-restart"
            )
            await _wait_for_completed(handle, KILL_AFTER)
        finally:
            await env.shutdown()
        # Same database, same port: the worker reconnects by itself.
        async with await start_server(database=database, port=port) as again:
            restored = again.client.get_workflow_handle("durable-restart", result_type=_result_type())
            result = await asyncio.wait_for(restored.result(), 90)
            assert await _completed_activities(restored) == STEPS
    finally:
        code = worker.stop()
    assert code == 0
    assert result.values == EXPECTED
    _assert_nothing_lost(_ledger(ledger), worker.pid)
    assert {pid for _, pid in _ledger(ledger)} == {worker.pid}

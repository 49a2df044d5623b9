"""A heartbeating activity whose worker is killed is retried after its heartbeat timeout, and resumes.

``bundles/heartbeat-resume`` runs one activity over 40 items, heartbeating the
next item and the running total after each, with a heartbeat timeout of 3 s
and a start-to-close timeout of 10 minutes. Once the server has recorded a few
heartbeats, the worker process running it is killed (SIGKILL); with no worker
running, the server fails that attempt and schedules the next; then another
worker starts. The activity must finish in the new worker, its second attempt
starting from the last heartbeat the server recorded (items before it are not
done again), with the right total.

That the retry came from the heartbeat timeout, not the start-to-close
timeout, is read from the history, not timed: the attempt that completed
records the failure of the one before it, and that failure is a heartbeat
timeout. The test's waits are bounded far inside the 10 minutes besides.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType, TimeoutType

from ntro.client import ClientOptions, open_client
from ntro.workflow.bundle import load_bundle

pytestmark = [pytest.mark.temporal, pytest.mark.slow, pytest.mark.asyncio(loop_scope="function")]

BUNDLE = Path(__file__).parent / "bundles" / "heartbeat-resume"
TASK_QUEUE = "heartbeat-resume"
WORKFLOW_ID = "heartbeat-kill"
ITEMS = 40
KILL_AFTER = 5  # items the server has heard of in a heartbeat before the worker is killed
WAIT = 120.0  # seconds: bounds every wait, far inside the activity's 10-minute start-to-close timeout


def _input(progress: Path) -> Any:
    models = importlib.import_module("_ntro_bundle_heartbeat_resume.models")  # the bundle's own package, once loaded
    return models.ProcessInput(items=ITEMS, progress=str(progress))


def _progress(path: Path) -> list[tuple[int, int, int]]:
    """The progress file's ``(item, attempt, pid)`` lines."""
    return [(int(i), int(a), int(p)) for i, a, p in (line.split() for line in path.read_text().splitlines())]


async def _pending_activity(temporal: Any) -> tuple[int, int | None]:
    """The pending activity's attempt, and the next item in the last heartbeat the server recorded (None before one).

    Before the activity is scheduled: ``(0, None)``.
    """
    description = await temporal.get_workflow_handle(WORKFLOW_ID).describe()
    pending = description.raw_description.pending_activities
    if not pending:
        return 0, None
    if not pending[0].HasField("heartbeat_details"):
        return pending[0].attempt, None
    details = await temporal.data_converter.decode(pending[0].heartbeat_details.payloads)
    return pending[0].attempt, int(details[0])


async def _wait_for_heartbeat(temporal: Any, progress: Path, at_least: int) -> None:
    """Poll until the server has recorded a heartbeat at item ``at_least`` or later."""
    deadline = time.monotonic() + WAIT
    while (beat := (await _pending_activity(temporal))[1]) is None or beat < at_least:
        done = len(progress.read_text().splitlines())
        assert time.monotonic() < deadline, f"no heartbeat at item {at_least} in {WAIT}s ({done} items done)"
        await asyncio.sleep(0.1)


async def _wait_for_retry(temporal: Any) -> int | None:
    """Poll until the server has failed the first attempt and scheduled the second; return its last heartbeat.

    The first attempt can heartbeat no more once the server has failed it, so
    this is what the second attempt starts from.
    """
    deadline = time.monotonic() + WAIT
    while (pending := await _pending_activity(temporal))[0] < 2:
        assert time.monotonic() < deadline, f"the activity was not retried in {WAIT}s"
        await asyncio.sleep(0.1)
    return pending[1]


async def test_a_killed_workers_activity_is_retried_on_its_heartbeat_timeout_and_resumes(
    tmp_path: Path, start_server: Any, start_worker: Any
) -> None:
    workflow_cls = load_bundle(BUNDLE).workflow_cls
    progress = tmp_path / "progress.txt"
    progress.touch()
    async with await start_server(database=tmp_path / "temporal.db") as env:
        host = env.client.service_client.config.target_host
        async with open_client("temporal", ClientOptions(task_queue=TASK_QUEUE, connection={"host": host})) as client:
            first = await start_worker("heartbeat-resume", host, TASK_QUEUE)
            try:
                handle = await client.start_workflow(workflow_cls, _input(progress), id=WORKFLOW_ID)
                await _wait_for_heartbeat(env.client, progress, KILL_AFTER)
            finally:
                assert first.kill() == -9
            resume_at = await _wait_for_retry(env.client)  # no worker runs: the server fails attempt 1 itself
            second = await start_worker("heartbeat-resume", host, TASK_QUEUE)
            try:
                result = await asyncio.wait_for(handle.result(), WAIT)
            finally:
                assert second.stop() == 0
        history = await env.client.get_workflow_handle(WORKFLOW_ID).fetch_history()

    # The second attempt, in the second worker, resumed from the last recorded heartbeat and finished the rest.
    assert resume_at is not None and resume_at >= KILL_AFTER
    assert (result.attempt, result.resumed_from, result.items, result.pid) == (2, resume_at, ITEMS, second.pid)
    assert result.total == sum(range(ITEMS))  # the running total carried in the heartbeat was right
    lines = _progress(progress)
    by_first = [item for item, attempt, pid in lines if (attempt, pid) == (1, first.pid)]
    by_second = [item for item, attempt, pid in lines if (attempt, pid) == (2, second.pid)]
    assert len(by_first) + len(by_second) == len(lines), lines
    assert by_first == list(range(len(by_first))) and len(by_first) >= resume_at, lines
    assert by_second == list(range(resume_at, ITEMS)), lines  # nothing before the heartbeat was done again

    # The first attempt failed on its heartbeat timeout; the completed attempt's started event records that failure.
    events = history.events
    assert not [e for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT]
    (started,) = [e for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]
    attributes = started.activity_task_started_event_attributes
    assert attributes.attempt == 2
    assert attributes.last_failure.HasField("timeout_failure_info"), attributes.last_failure
    assert attributes.last_failure.timeout_failure_info.timeout_type == TimeoutType.TIMEOUT_TYPE_HEARTBEAT
    assert [e.event_type for e in events].count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) == 1

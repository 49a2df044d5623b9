"""A deploy with a run in flight: started on v1, waiting at its review, finished on v2 after a worker restart.

``bundles/versioned-v1`` and ``bundles/versioned-v2`` are two versions of the
runbook ``versioned-review`` (one workflow type). v2 checks the batch before
the review and archives it at the close, each change behind
``runbook.patched``. A run starts on a v1 worker process and waits at its
review; that worker stops and a v2 worker process takes over; the review is
answered. The run must finish on v2 with no failed workflow task, without the
check (it was past that point: the old path) and archiving (it had not got
there: the new path), while a new run on v2 takes both new paths.

The run's real history then replays on v2, and does not replay on
``bundles/versioned-v2-unpatched`` (the same changes without ``patched``): the
same deploy without the patch would have broken the run.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.worker import Replayer

from ntro.client import (
    ClientOptions,
    WorkflowClient,
    WorkflowHandle,
    answer_gate,
    open_client,
    open_gates,
    review_answer,
)
from ntro.runtime.temporal import NtroPlugin
from ntro.workflow.bundle import load_bundle

pytestmark = [pytest.mark.temporal, pytest.mark.slow, pytest.mark.asyncio(loop_scope="function")]

BUNDLES = Path(__file__).parent / "bundles"
TASK_QUEUE = "versioned-review"


def _workflow_cls(bundle: str) -> Any:
    return load_bundle(BUNDLES / bundle).workflow_cls


async def _wait_at_review(handle: WorkflowHandle, timeout: float = 60.0) -> None:
    """Poll the run (its runbook queries, answered by a worker) until it waits for a review."""
    deadline = time.monotonic() + timeout
    while True:
        description = await handle.describe()
        assert description.task_failure is None, description.task_failure
        assert not description.status.finished, description
        pending = description.pending_action
        if pending is not None and pending.get("kind") == "interactive_review":
            return
        assert time.monotonic() < deadline, f"{handle.id} did not reach its review in {timeout}s: {description}"
        await asyncio.sleep(0.1)


async def _approve(client: WorkflowClient, workflow_id: str) -> None:
    gates = await open_gates(client, workflow_id)
    assert [gate.kind for gate in gates] == ["interactive_review"], gates
    await answer_gate(client, gates[0], review_answer("approve"))


async def _finish(client: WorkflowClient, handle: WorkflowHandle) -> Any:
    await _wait_at_review(handle)
    await _approve(client, handle.id)
    return await asyncio.wait_for(handle.result(), 60)


async def test_a_run_waiting_at_a_review_finishes_on_the_new_code_after_a_worker_restart(
    tmp_path: Path, start_server: Any, start_worker: Any
) -> None:
    v1, v2 = _workflow_cls("versioned-v1"), _workflow_cls("versioned-v2")
    async with await start_server(database=tmp_path / "temporal.db") as env:
        host = env.client.service_client.config.target_host
        async with open_client("temporal", ClientOptions(task_queue=TASK_QUEUE, connection={"host": host})) as client:
            old = await start_worker("versioned-v1", host, TASK_QUEUE)
            try:
                handle = await client.start_workflow(v1, "batch-1", id="versioned-old")
                await _wait_at_review(handle)
            finally:
                assert old.stop() == 0  # the deploy: v1's worker stops, v2's takes over
            new = await start_worker("versioned-v2", host, TASK_QUEUE)
            try:
                result = await _finish(client, handle)  # v2 replays the run to answer its queries, then runs on
                fresh = await _finish(client, await client.start_workflow(v2, "batch-2", id="versioned-new"))
            finally:
                assert new.stop() == 0
        history = await env.client.get_workflow_handle("versioned-old").fetch_history()

    # Before the review, the old path (no check); after it, the new one (archived), in v2's process.
    assert result == [f"opened batch-1 in {old.pid}", "review: approve", f"closed and archived batch-1 in {new.pid}"]
    assert fresh == [
        f"opened batch-2 in {new.pid}",
        f"checked batch-2 in {new.pid}",
        "review: approve",
        f"closed and archived batch-2 in {new.pid}",
    ]
    assert not [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]

    patched = await Replayer(workflows=[v2], plugins=[NtroPlugin()]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    unpatched = await Replayer(
        workflows=[_workflow_cls("versioned-v2-unpatched")], plugins=[NtroPlugin()]
    ).replay_workflow(history, raise_on_replay_failure=False)
    assert patched.replay_failure is None
    assert unpatched.replay_failure is not None  # without the patch, v2 could not have carried the run on
    assert "Nondeterminism" in str(unpatched.replay_failure)

"""Versioning changed workflow code with ``runbook.patched``.

A v1 history replays on v2 when the change is behind ``runbook.patched`` and
does not without it; a new run on v2 takes the new branch, on both engines.
"""

from __future__ import annotations

import uuid
from typing import Any

import ntro_versioned_flows as vf
import pytest
from temporalio.worker import Replayer

from ntro.runtime.local import start_local
from ntro.runtime.temporal import NtroPlugin

pytestmark = [pytest.mark.temporal, pytest.mark.asyncio(loop_scope="session")]


async def test_the_patch_keeps_v1_histories_replayable_and_new_runs_take_v2(
    hosting: Any, env: Any, task_queue: str
) -> None:
    workflow_id = f"versioned-{uuid.uuid4().hex[:8]}"
    approve = {"start_signal": "approve", "start_signal_args": [{"by": "ops"}]}
    async with hosting(workflows=[vf.V1], activities=vf.ACTIVITIES):
        handle = await env.client.start_workflow(vf.V1.run, "batch-7", id=workflow_id, task_queue=task_queue, **approve)
        assert await handle.result() == ["opened batch-7", "closed batch-7"]
    history = await handle.fetch_history()
    patched = await Replayer(workflows=[vf.V2Patched], plugins=[NtroPlugin()]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    unpatched = await Replayer(workflows=[vf.V2Unpatched], plugins=[NtroPlugin()]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert patched.replay_failure is None  # v2 with the patch can carry on any v1 run
    assert unpatched.replay_failure is not None  # the same change without it could not
    assert "Nondeterminism" in str(unpatched.replay_failure)
    async with hosting(workflows=[vf.V2Patched], activities=vf.ACTIVITIES):
        fresh = await env.client.execute_workflow(
            vf.V2Patched.run, "batch-8", id=f"{workflow_id}-new", task_queue=task_queue, **approve
        )
    assert fresh == ["opened batch-8 (v2)", "closed batch-8"]


async def test_locally_a_new_run_takes_the_new_branch() -> None:
    handle = await start_local(vf.V2Patched, "batch-9", start_signal="approve", start_signal_args=[{"by": "ops"}])
    assert await handle.result() == ["opened batch-9 (v2)", "closed batch-9"]

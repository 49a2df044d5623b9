"""TemporalRuntime on the real time-skipping test server, with the sandboxed workflow runner."""

from __future__ import annotations

from typing import Any

import ntro_temporal_testflows as flows
import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

pytestmark = [pytest.mark.temporal, pytest.mark.asyncio(loop_scope="session")]

WORKFLOWS = [flows.MainFlow, flows.ChildFlow, flows.ErrorFlow, flows.FailFlow]
ACTIVITIES = [flows.greet, flows.add, flows.flaky, flows.fatal]


async def test_every_runtime_call_passes_through(hosting: Any, task_queue: str) -> None:
    async with hosting(workflows=WORKFLOWS, activities=ACTIVITIES) as client:
        handle = await client.start_workflow(
            flows.MainFlow.run, flows.Greeting(name="ada", times=2), id="main-1", task_queue=task_queue
        )
        await handle.signal("answer", "yes")
        result = await handle.result()
        assert await handle.query("current_answer") == "yes"
    assert result == {
        "reply": {"text": "hello ada from tflows.greet attempt 1", "total": 2},
        "reply_is_model": True,
        "total": 5,
        "slept_days": 3,
        "gate": "answered yes",
        "by_slug": {"label": "c", "value": 8, "id": "main-1:tflows-child:1", "parent": "main-1"},
        "by_class": {"label": "k", "value": 10, "id": "explicit-child", "parent": "main-1"},
        "started": {
            "id": "main-1:tflows-child:2",
            "result": {"label": "c", "value": 12, "id": "main-1:tflows-child:2", "parent": "main-1"},
        },
        "workflow_id": "main-1",
        "workflow_type": "MainFlow",
        "uuid_version": 4,
        "random_ok": True,
        "in_workflow": True,
        "tz": "UTC",
    }


async def test_gate_timeout_raises_builtin_timeout_error(hosting: Any, task_queue: str) -> None:
    async with hosting(workflows=WORKFLOWS, activities=ACTIVITIES) as client:
        result = await client.execute_workflow(
            flows.MainFlow.run, flows.Greeting(name="bo"), id="main-timeout", task_queue=task_queue
        )
    assert result["gate"] == "timeout: wait_condition timed out"


async def test_retries_and_non_retryable_errors(hosting: Any, task_queue: str) -> None:
    async with hosting(workflows=WORKFLOWS, activities=ACTIVITIES) as client:
        result = await client.execute_workflow(flows.ErrorFlow.run, id="errors", task_queue=task_queue)
    assert result == {
        "flaky": 3,
        "fatal": ["Fatal", "fatal x", True, [{"kind": "x"}]],
        "value_error": ["ValueError", "activity tflows.flaky failed: attempt 1 failed"],
        "exhausted": ["ValueError", "activity tflows.flaky failed: attempt 2 failed"],
    }


@pytest.mark.parametrize(
    ("how", "error_type", "message", "non_retryable"),
    [
        ("workflow-error", "BadInput", "bad input", False),
        ("activity", "Fatal", "fatal uncaught", True),
        ("timeout", "TimeoutError", "wait_condition timed out", False),
        ("unknown-slug", "UnknownWorkflowSlug", "no workflow registered for slug 'no-such-slug'", True),
    ],
)
async def test_workflow_failures_fail_the_workflow_not_the_task(
    hosting: Any, task_queue: str, how: str, error_type: str, message: str, non_retryable: bool
) -> None:
    async with hosting(workflows=WORKFLOWS, activities=ACTIVITIES) as client:
        with pytest.raises(WorkflowFailureError) as caught:
            await client.execute_workflow(flows.FailFlow.run, how, id=f"fail-{how}", task_queue=task_queue)
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == error_type
    assert cause.message.startswith(message)
    assert cause.non_retryable is non_retryable
    if how == "workflow-error":
        assert list(cause.details) == [{"field": "x"}]


async def test_plugin_configures_a_sandboxed_worker(env: Any, task_queue: str) -> None:
    from temporalio.worker import Worker

    worker = Worker(env.client, task_queue=task_queue, workflows=WORKFLOWS, activities=ACTIVITIES)
    config = worker.config(active_config=True)
    runner = config["workflow_runner"]
    assert isinstance(runner, SandboxedWorkflowRunner)
    assert {"ntro", "attrs", "yaml"} <= set(runner.restrictions.passthrough_modules)
    from ntro.workflow import WorkflowError

    assert WorkflowError in config["workflow_failure_exception_types"]
    assert config["activity_executor"] is not None  # tflows.add is synchronous


async def test_sandbox_reimports_do_not_reregister_or_accumulate(hosting: Any, task_queue: str) -> None:
    from ntro.runtime.protocol import defined_activities, defined_workflows
    from ntro.workflow import registry

    before = (len(defined_workflows()), len(defined_activities()))
    async with hosting(workflows=WORKFLOWS, activities=ACTIVITIES) as client:
        for i in range(3):
            await client.execute_workflow(flows.FailFlow.run, "fine", id=f"reimport-{i}", task_queue=task_queue)
    assert (len(defined_workflows()), len(defined_activities())) == before
    assert registry.get_registered("tflows-child") is flows.ChildFlow


async def test_ntro_workflow_gate_queries_and_fan_out(hosting: Any, task_queue: str) -> None:
    import asyncio

    async with hosting(workflows=[flows.GateFlow, flows.ChildFlow], activities=ACTIVITIES) as client:
        handle = await client.start_workflow(flows.GateFlow.run, id="gate-1", task_queue=task_queue)
        pending = None
        for _ in range(200):
            pending = await handle.query("current_pending_action")
            if pending is not None:
                break
            await asyncio.sleep(0.01)
        assert pending == {
            "kind": "submit_file",
            "reason": "upload it",
            "args": {"signal_task_id": "gate-1", "signal_name": "document_submitted"},
            "display_hint": {"component": "FILE_UPLOAD", "config": {}},
            "step_id": "upload",
            "gate": 1,
        }
        await handle.signal("document_submitted", {"document_ref": "doc-1"})
        result = await handle.result()
    assert result["document"] == {"document_ref": "doc-1"}
    assert [c["id"] for c in result["children"]] == ["gate-1:fan_out:tflows-child:0", "gate-1:fan_out:tflows-child:1"]
    assert [s["status"] for s in result["steps"]] == ["completed", "completed"]

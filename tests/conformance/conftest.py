"""Fixtures of the conformance suite: the Temporal side runs on one time-skipping server per session."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

SUPPORT = Path(__file__).parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    # Without temporalio (the local leg) there is nothing to compare against.
    pytest.importorskip("temporalio", reason="the conformance suite compares LocalRuntime with Temporal")
    pytest.importorskip("ntro.runtime.local", reason="the conformance suite needs LocalRuntime")

import ntro.runtime.temporal  # noqa: E402, F401  (the Temporal backend recognises its workflows; it arms when first used)
from ntro.runtime.protocol import reset_runtime  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_selection() -> Any:
    reset_runtime()
    yield
    reset_runtime()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def temporal_engine() -> AsyncIterator[Any]:
    """A Temporal client on the time-skipping test server, its worker hosting every case (sandboxed, spied)."""
    from ntro_conformance.cases import all_workflows
    from ntro_conformance.engines import TASK_QUEUE, TemporalEngine, all_spies

    from ntro.runtime.protocol import ClientOptions, open_client
    from ntro.runtime.temporal.testing import ServerNotFoundError

    options = ClientOptions(
        workflows=all_workflows(), activities=all_spies(), task_queue=TASK_QUEUE, time_skipping=True
    )
    try:
        client_cm = open_client("temporal", options)
        client = await client_cm.__aenter__()
    except ServerNotFoundError as exc:
        pytest.fail(str(exc))
    try:
        yield TemporalEngine(client)
    finally:
        await client_cm.__aexit__(None, None, None)

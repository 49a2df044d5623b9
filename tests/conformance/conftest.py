"""Fixtures of the conformance suite: a harness per engine, hosting every case's workflow.

The engines compared are the installed ones (``ntro.clients``), each against
the reference, the default backend (LocalRuntime): Temporal where it is
installed (the temporal leg; one time-skipping test server per session,
sandboxed, every history replayed by the harness), the third backend of
``tests/third_backend`` where that is (the local leg). A harness is opened
the first time a test asks for its engine (``support/ntro_conformance/engines.py``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

SUPPORT = Path(__file__).parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

pytest.importorskip("ntro.runtime.local", reason="the conformance suite compares every engine with LocalRuntime")

from ntro_conformance.engines import ENGINES, Harnesses  # noqa: E402

from ntro.runtime.protocol import reset_runtime  # noqa: E402

if os.environ.get("NTRO_REQUIRE_TEMPORAL") and "temporal" not in ENGINES:
    raise pytest.UsageError("NTRO_REQUIRE_TEMPORAL is set, and the temporal backend is not installed")


@pytest.fixture(autouse=True)
def _fresh_selection() -> Any:
    reset_runtime()
    yield
    reset_runtime()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def harnesses() -> AsyncIterator[Harnesses]:
    """The harnesses of the session (each closed at its end)."""
    async with AsyncExitStack() as stack:
        yield Harnesses(stack)

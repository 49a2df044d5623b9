"""Every case on LocalRuntime and on Temporal: same result, same activity calls, same pending actions.

The Temporal side is the time-skipping test server with the sandboxed
workflow runner, as in production. See ``support/ntro_conformance``.
"""

from __future__ import annotations

from typing import Any

import pytest
from ntro_conformance.cases import CASES
from ntro_conformance.engines import Case, LocalEngine

pytestmark = [pytest.mark.temporal, pytest.mark.asyncio(loop_scope="session")]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_same_behaviour_on_both_engines(case: Case, temporal_engine: Any) -> None:
    local = await LocalEngine().run(case)
    temporal = await temporal_engine.run(case)
    assert temporal.status == local.status, (temporal.error, local.error)
    assert temporal.error == local.error
    assert temporal.result == local.result
    assert temporal.calls == local.calls
    assert temporal.pending == local.pending
    if case.check is not None:
        case.check(local)

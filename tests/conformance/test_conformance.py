"""Every case on LocalRuntime and on Temporal, through the harness: same result, activity calls and pending actions.

The Temporal side is the time-skipping test server with the sandboxed
workflow runner, as in production; the harness replays every history. The
focused cases ship in ``ntro.testing.conformance``; the example runbooks'
cases are in ``support/ntro_conformance/examples.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from ntro_conformance.examples import EXAMPLE_CASES

from ntro.testing.conformance import Case, run_case
from ntro.testing.conformance.cases import CASES

pytestmark = [pytest.mark.temporal, pytest.mark.asyncio(loop_scope="session")]

ALL = [*EXAMPLE_CASES, *CASES]


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
async def test_same_behaviour_on_both_engines(case: Case, harnesses: dict[str, Any]) -> None:
    local = await run_case(harnesses["local"], case)
    temporal = await run_case(harnesses["temporal"], case)
    assert temporal.status == local.status, (temporal.error, local.error)
    assert temporal.error == local.error
    assert temporal.result == local.result
    assert temporal.calls == local.calls
    assert temporal.pending == local.pending
    assert temporal.updates == local.updates
    assert temporal.events == local.events
    if case.check is not None:
        case.check(local)

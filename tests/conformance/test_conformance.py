"""Every case on every installed engine and on the reference (LocalRuntime), through the harness: the same outcome.

On Temporal the side compared is the time-skipping test server with the
sandboxed workflow runner, as in production; the harness replays every
history. Where the third backend of ``tests/third_backend`` is installed, it is
compared too, found through its entry points alone. The focused cases ship
in ``ntro.testing.conformance``; the example runbooks' cases are in
``support/ntro_conformance/examples.py``.
"""

from __future__ import annotations

import pytest
from ntro_conformance.engines import ENGINES, Harnesses, engine_params
from ntro_conformance.examples import EXAMPLE_CASES

from ntro.testing.conformance import Case, run_case
from ntro.testing.conformance.cases import CASES

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.skipif(not ENGINES, reason="only the reference engine is installed: there is nothing to compare"),
]

ALL = [*EXAMPLE_CASES, *CASES]


@pytest.mark.parametrize("engine", engine_params())
@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
async def test_same_behaviour_as_the_reference_engine(engine: str, case: Case, harnesses: Harnesses) -> None:
    reference = await harnesses.reference_outcome(case)
    mine = await run_case(await harnesses.get(engine), case)
    assert mine.status == reference.status, (mine.error, reference.error)
    assert mine.error == reference.error
    assert mine.result == reference.result
    assert mine.calls == reference.calls
    assert mine.pending == reference.pending
    assert mine.updates == reference.updates
    assert mine.events == reference.events
    if case.check is not None:
        case.check(reference)

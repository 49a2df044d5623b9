"""The engines the conformance suite compares, and their harnesses, opened on demand."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import pytest

from ntro.runtime.protocol import DEFAULT_BACKEND, installed_clients
from ntro.testing.conformance import Case, Outcome, harness_for, run_case

ENGINES = [name for name in installed_clients() if name != DEFAULT_BACKEND]
"""The engines compared with the reference (the default backend): every installed one but the reference itself."""


def engine_params() -> list[Any]:
    """One parameter per engine compared; Temporal's needs a server (marked ``temporal``)."""
    return [pytest.param(name, id=name, marks=[pytest.mark.temporal] if name == "temporal" else []) for name in ENGINES]


def hosted() -> tuple[list[type], list[Any]]:
    """Every workflow and activity the cases run (the example bundles are loaded now)."""
    from ntro.testing.conformance.cases import FLOW_ACTIVITIES, FLOW_WORKFLOWS
    from ntro_conformance.examples import EXAMPLE_SLUGS, example_bundle

    bundles = [example_bundle(slug) for slug in EXAMPLE_SLUGS]
    workflows = [*(b.workflow_cls for b in bundles), *FLOW_WORKFLOWS]
    activities = [*(fn for b in bundles for fn in b.activities), *FLOW_ACTIVITIES]
    return workflows, activities


class Harnesses:
    """The harness of each engine, each hosting every case's workflow with its activities for real, opened on demand.

    The reference engine's outcome of each case is kept: it is compared with every other engine's.
    """

    def __init__(self, stack: AsyncExitStack) -> None:
        self.stack = stack
        self.opened: dict[str, Any] = {}
        self.reference: dict[str, Outcome] = {}

    async def get(self, engine: str) -> Any:
        """The harness on ``engine``, entered."""
        if engine not in self.opened:
            harness = harness_for(engine, *hosted())
            try:
                await self.stack.enter_async_context(harness)
            except Exception as exc:  # a server that cannot start fails the run, never skips it
                pytest.fail(f"the {engine} harness cannot start: {exc}")
            self.opened[engine] = harness
        return self.opened[engine]

    async def reference_outcome(self, case: Case) -> Outcome:
        """The reference engine's outcome of ``case`` (run once)."""
        if case.name not in self.reference:
            self.reference[case.name] = await run_case(await self.get(DEFAULT_BACKEND), case)
        return self.reference[case.name]

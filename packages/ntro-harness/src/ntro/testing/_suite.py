"""Running many scenarios on one engine (several are compared by :mod:`ntro.testing._parity`), and every decision path.

The last is exploration: each review answered either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ntro.testing._harness import WorkflowHarness
from ntro.testing._results import RunResult
from ntro.testing._scenarios import HAPPY, Decision, Scenario

__all__ = ["DEFAULT_MAX_PATHS", "explore", "run_scenarios"]

DEFAULT_MAX_PATHS = 32
"""How many decision paths ``--explore`` walks at most."""


async def run_scenarios(
    harness: WorkflowHarness,
    scenarios: Sequence[Scenario],
    *,
    input: Any,
    timeout: float | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run each scenario once on ``harness`` and return the results in order."""
    results: list[RunResult] = []
    for scenario in scenarios:
        result = await harness.run(input=input, scenario=scenario, timeout=timeout)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _path_name(base: Scenario, decisions: Sequence[str]) -> str:
    path = "".join("A" if d == "approve" else "R" for d in decisions) or "-"
    return f"explore:{path}" if base.name == HAPPY.name else f"explore:{base.name}:{path}"


def _flipped(decision: str) -> Decision:
    return "reject" if decision == "approve" else "approve"


async def explore(
    harness: WorkflowHarness,
    *,
    input: Any,
    base: Scenario = HAPPY,
    max_paths: int = DEFAULT_MAX_PATHS,
    timeout: float | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> tuple[list[RunResult], bool]:
    """Walk the runbook's decision paths from ``base``: each review answered either way, up to ``max_paths`` runs.

    Every path is ``base`` with its review answers forced: its uploads, mocks
    (:data:`~ntro.testing.REAL` activities too) and corrections apply on every
    path, so a runbook whose gates only open after real activity output (an
    upload loop that waits for accepted rows) is explored as it runs. Pass the
    bundle's own ``happy`` scenario (``load_scenarios(dir)["happy"]``) as
    ``ntro workflow test --explore`` does.

    The first path answers as ``base`` does. Each run that answered ``n``
    reviews branches into paths that keep its first ``i`` answers and give the
    other answer to the next one, for every ``i`` from its own forced prefix
    to ``n - 1``; reviews past a forced prefix are answered as ``base`` says.

    Returns:
        The results (each named ``explore:<A|R per review>``, or
        ``explore:<base>:<A|R...>`` from a base other than ``happy``) and
        whether paths were left unexplored because of ``max_paths``.
    """
    queue: list[tuple[Decision, ...]] = [()]
    seen: set[tuple[Decision, ...]] = set()
    results: list[RunResult] = []
    while queue and len(results) < max_paths:
        prefix = queue.pop(0)
        if prefix in seen:
            continue
        seen.add(prefix)
        forced = (*prefix, *(base.decisions or ())[len(prefix) :])  # past the prefix, as the base answers
        scenario = attrs.evolve(base, name=_path_name(base, forced), decisions=forced)
        result = await harness.run(input=input, scenario=scenario, timeout=timeout)
        result = attrs.evolve(result, scenario=_path_name(base, result.decisions))
        results.append(result)
        if on_result is not None:
            on_result(result)
        taken: list[Decision] = ["reject" if d == "reject" else "approve" for d in result.decisions]
        for index in range(len(prefix), len(taken)):
            branch = (*taken[:index], _flipped(taken[index]))
            if branch not in seen:
                queue.append(branch)
    return results, bool(queue)

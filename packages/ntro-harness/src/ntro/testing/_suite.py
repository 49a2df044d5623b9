"""Running many scenarios: on one engine or several (parity), and every decision path (exploration)."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from ntro.testing._harness import WorkflowHarness
from ntro.testing._results import RunResult
from ntro.testing._scenarios import HAPPY, Decision, Scenario

__all__ = ["DEFAULT_MAX_PATHS", "explore", "parity_diff", "parity_results", "parity_view", "run_scenarios"]

DEFAULT_MAX_PATHS = 32
"""How many decision paths ``--explore`` walks at most."""

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


def _mask(value: Any, root_id: str) -> Any:
    """Mask what legitimately differs between engines: run ids, root ids, wall-clock times."""
    if isinstance(value, dict):
        return {
            k: ("<run_id>" if k in ("run_id", "first_execution_run_id") else _mask(v, root_id))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_mask(v, root_id) for v in value]
    if isinstance(value, str):
        if _DATETIME.match(value):
            return "<datetime>"
        return _UUID.sub("<uuid>", value.replace(root_id, "<root>"))
    if isinstance(value, (dt.datetime, dt.date)):
        return "<datetime>"
    return value


def parity_view(result: RunResult) -> dict[str, Any]:
    """What must be the same on every engine: status, result, activity calls and pending actions."""
    calls = [
        {"workflow": c.workflow_id, "activity": c.activity, "attempt": c.attempt, "args": list(c.args)}
        for c in result.activity_calls
    ]
    view = {
        "status": result.status,
        "result": result.result,
        "activity_calls": sorted(calls, key=lambda c: (c["workflow"], json.dumps(c, sort_keys=True, default=str))),
        # Per workflow in answer order: concurrent children open their gates in either order.
        "pending_actions": sorted(result.pending_actions, key=lambda p: str(p.get("workflow_id", ""))),
        "decisions": list(result.decisions),
    }
    masked: dict[str, Any] = _mask(view, result.workflow_id)
    return masked


def parity_diff(reference: RunResult, other: RunResult) -> str | None:
    """Return a readable diff of where two engines' runs of a scenario parted, or ``None`` when they agree.

    Activity calls and pending actions are compared per workflow, in order
    (children run concurrently, so theirs interleave differently). The diff's
    sides are named after each result's engine.
    """
    left, right = parity_view(reference), parity_view(other)
    if left == right:
        return None
    parts = [key for key in left if left[key] != right[key]]
    a = json.dumps(left, indent=2, sort_keys=True, default=str).splitlines()
    b = json.dumps(right, indent=2, sort_keys=True, default=str).splitlines()
    diff = "\n".join(difflib.unified_diff(a, b, reference.runtime, other.runtime, lineterm="", n=2))
    return f"the engines differ in {', '.join(parts)}:\n{diff}"


def parity_results(by_engine: Mapping[str, Sequence[RunResult]]) -> list[RunResult]:
    """Compare each engine's results with the first engine's, scenario by scenario; return them all, interleaved.

    ``by_engine`` maps each engine to its results, the same scenarios (or
    explored paths) in the same order; the first engine is the reference. A
    result that parts from the reference's fails, its error saying where
    (:func:`parity_diff`); so does one without a counterpart (the engines
    walked different paths). The list holds, for each scenario, the
    reference's result, then the others'.
    """
    reference = next(iter(by_engine))
    merged: list[RunResult] = []
    for index in range(max(len(results) for results in by_engine.values())):
        expected = by_engine[reference][index] if index < len(by_engine[reference]) else None
        for engine, results in by_engine.items():
            if index >= len(results):
                continue
            result = results[index]
            if engine == reference:
                alone = [other for other, found in by_engine.items() if index >= len(found)]
                diff = f"{', '.join(alone)} ran no counterpart of this one" if alone else None
            elif expected is None:
                diff = f"{reference} ran no counterpart of this one"
            else:
                diff = parity_diff(expected, result)
            if diff is not None:
                error = f"parity: {diff}" if result.error is None else f"{result.error}\nparity: {diff}"
                result = attrs.evolve(result, status="failed", error=error)
            merged.append(result)
    return merged


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

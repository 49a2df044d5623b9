"""Engine parity: what two engines' runs of the same thing must share, and the one normaliser that says it.

Every comparison of engines goes through :func:`normalise`: ``ntro workflow
test --runtime A,B`` (:func:`parity_view`, :func:`parity_diff`,
:func:`parity_results`) and the conformance suite
(:func:`ntro.testing.conformance.outcome_of`). It turns a value into plain
JSON data and masks what legitimately differs between engines and runs: run
ids, wall-clock times, the ids an engine makes up (UUIDs), and the run's own
workflow id.
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import enum
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ntro.testing._results import RunResult

__all__ = ["normalise", "parity_diff", "parity_results", "parity_view"]

_RUN_ID_KEYS = frozenset({"run_id", "first_execution_run_id"})
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise(value: Any, root_id: str | None = None) -> Any:
    """Return ``value`` as plain JSON data, with what differs between engines masked.

    * pydantic models and attrs instances become their fields, ``Decimal`` and
      ``UUID`` strings, an enum its value, a date its ISO text, dict keys strings;
    * a ``run_id`` or ``first_execution_run_id`` entry becomes ``"<run_id>"``;
    * a datetime, or a string that starts as an ISO timestamp, becomes ``"<datetime>"``;
    * in a string, ``root_id`` (the run's own workflow id, which children's ids
      carry) becomes ``"<root>"``, and each UUID ``"<uuid>"``.

    Args:
        value: What to normalise.
        root_id: The workflow id of the run it comes from, when engines give
            the same run different ids.
    """
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return normalise(dump(mode="json"), root_id)
    if attrs.has(type(value)):
        return normalise(attrs.asdict(value), root_id)
    if isinstance(value, dict):
        return {str(k): "<run_id>" if k in _RUN_ID_KEYS else normalise(v, root_id) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v, root_id) for v in value]
    if isinstance(value, dt.datetime):
        return "<datetime>"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return normalise(str(value), root_id)
    if isinstance(value, enum.Enum):
        return normalise(value.value, root_id)
    if isinstance(value, str):
        if _DATETIME.match(value):
            return "<datetime>"
        return _UUID.sub("<uuid>", value.replace(root_id, "<root>") if root_id else value)
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
    masked: dict[str, Any] = normalise(view, result.workflow_id)
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

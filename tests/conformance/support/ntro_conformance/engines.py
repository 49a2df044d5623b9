"""Running one conformance case on any engine through its client, and observing it the same way.

Both engines are driven by the same code, through the engine-neutral client
(:mod:`ntro.runtime.protocol` and :mod:`ntro.client`):

* the run is started, its gates read and answered, its result collected with
  ``open_client(<engine>)``, ``ntro.client.open_gates`` and ``answer_gate``;
* **activity calls** are recorded by *spies*, wrappers around the real
  activities hosted under the same names (a Temporal worker's activities; the
  local client's hosted activities), which note ``(activity, attempt, args,
  outcome)`` per workflow id from inside the activity;
* **results and failures** are normalised to JSON, with timestamps masked
  (the two engines' clocks start at different instants).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import enum
import functools
import inspect
import re
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from ntro.client import Gate, answer_gate, open_gates
from ntro.runtime.protocol import ACTIVITY_ATTR, ActivityDefinition, WorkflowClient, activity_definition
from ntro.workflow import WorkflowError, activity
from ntro.workflow.exceptions import WorkflowFailedError

TASK_QUEUE = "conformance"
EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "runbooks"
EXAMPLE_SLUGS = ("nav-monthly", "document-ingest", "expense-processor")


def example_bundle(slug: str) -> Any:
    """Load (once) and return the example runbook bundle ``slug``."""
    from ntro.workflow.bundle import load_bundle

    return load_bundle(EXAMPLES / slug)


_RUN_ID_KEYS = frozenset({"run_id", "first_execution_run_id"})
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")


# -- normalisation ------------------------------------------------------------------------------------
def normalise(value: Any) -> Any:
    """Return ``value`` as plain JSON data, with ISO timestamps and run ids masked."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return normalise(dump(mode="json"))
    if attrs.has(type(value)):
        return normalise(attrs.asdict(value))
    if isinstance(value, dict):
        # Run ids are the engine's own (Temporal's UUIDs, "" locally): compare their presence only.
        return {str(k): "<run_id>" if k in _RUN_ID_KEYS else normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return "<datetime>" if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return normalise(value.value)
    if isinstance(value, str) and _DATETIME.match(value):
        return "<datetime>"
    return value


def error_shape(exc: BaseException) -> dict[str, Any]:
    """Describe a workflow's failure engine-neutrally (a client's ``WorkflowFailedError``: its cause)."""
    if isinstance(exc, WorkflowFailedError):
        if exc.cause is None:
            return {"type": exc.status, "message": "", "non_retryable": False, "details": []}
        exc = exc.cause
    if isinstance(exc, WorkflowError):
        return {
            "type": exc.type,
            "message": exc.message,
            "non_retryable": exc.non_retryable,
            "details": normalise(list(exc.details)),
        }
    return {"type": type(exc).__name__, "message": str(exc), "non_retryable": False, "details": []}


# -- activity spies --------------------------------------------------------------------------------------
class Recorder:
    """Activity calls, by workflow id, of the run being observed."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, Any]]] = {}

    def note(self, name: str, args: Sequence[Any], outcome: str) -> None:
        info = activity.info()
        entry = {"activity": name, "attempt": info.attempt, "args": normalise(list(args)), "outcome": outcome}
        self.calls.setdefault(info.workflow_id, []).append(entry)


RECORDER = Recorder()


def _outcome(exc: BaseException) -> str:
    kind = exc.type if isinstance(exc, WorkflowError) else type(exc).__name__
    return f"raised {kind}: {exc}"


def make_spy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Return a wrapper around activity ``fn`` that reports each call to :data:`RECORDER`."""
    defn = activity_definition(fn)
    assert defn is not None, f"{fn} is not an activity"
    name = defn.name
    if inspect.iscoroutinefunction(fn):

        async def spy_async(*args: Any) -> Any:
            try:
                result = await fn(*args)
            except Exception as exc:
                RECORDER.note(name, args, _outcome(exc))
                raise
            RECORDER.note(name, args, "ok")
            return result

        spy: Callable[..., Any] = spy_async
    else:

        def spy_sync(*args: Any) -> Any:
            try:
                result = fn(*args)
            except Exception as exc:
                RECORDER.note(name, args, _outcome(exc))
                raise
            RECORDER.note(name, args, "ok")
            return result

        spy = spy_sync
    # Same signature and annotations (both engines decode arguments with them), not the same attributes.
    functools.update_wrapper(spy, fn, updated=())
    # Hosted under the real activity's name: the engine runs the spy where the runbook calls the activity.
    setattr(spy, ACTIVITY_ATTR, ActivityDefinition(name=name, fn=spy, is_async=defn.is_async))
    try:
        import temporalio.activity
    except ImportError:  # pragma: no cover - the conformance suite runs where temporalio is installed
        return spy
    return temporalio.activity.defn(name=name)(spy)


@functools.cache
def all_spies() -> tuple[Callable[..., Any], ...]:
    """One spy per activity the cases call, made once and hosted by both engines."""
    from .cases import all_activities

    return tuple(make_spy(fn) for fn in all_activities())


# -- the scripted person ------------------------------------------------------------------------------------
@attrs.frozen
class Upload:
    """Answer a ``submit_file`` gate: signal ``args.signal_name`` to ``args.signal_task_id``."""

    payload: dict[str, Any] | None = None
    kind: str = "submit_file"

    def signals(self, pending: dict[str, Any]) -> list[tuple[str, Any]]:
        args = pending.get("args") or {}
        if self.payload is not None:
            payload = dict(self.payload)
        else:
            source = args.get("source", "document")
            payload = {
                "document_ref": f"sample:{source}",
                "source": source,
                "filename": f"{source}.csv",
                "content_type": "text/csv",
            }
        return [(args["signal_name"], payload)]


@attrs.frozen
class Review:
    """Answer an ``interactive_review`` gate: row actions first (one by one), then the decision."""

    decision: dict[str, Any] = attrs.field(factory=lambda: {"kind": "approve"})
    row_actions: tuple[dict[str, Any], ...] = ()
    kind: str = "interactive_review"

    def signals(self, pending: dict[str, Any]) -> list[tuple[str, Any]]:
        actions = [("user_action", {"kind": "row_action", **row}) for row in self.row_actions]
        return [*actions, ("user_action", dict(self.decision))]


Answer = Upload | Review


@attrs.frozen
class Case:
    """One conformance case: a workflow, its arguments, the person's answers, and an optional check."""

    name: str
    workflow: type | str  # a class, or the slug of an example bundle (loaded when the case runs)
    args: tuple[Any, ...] = ()
    script: tuple[Answer, ...] = ()
    start_signal: tuple[str, Any] | None = None
    check: Callable[[Outcome], None] | None = None

    @property
    def workflow_id(self) -> str:
        return f"conf-{self.name}"

    @property
    def workflow_cls(self) -> type:
        return example_bundle(self.workflow).workflow_cls if isinstance(self.workflow, str) else self.workflow


@attrs.frozen
class Outcome:
    """What a run did, engine-neutrally."""

    status: str
    result: Any
    error: dict[str, Any] | None
    calls: dict[str, list[dict[str, Any]]]
    pending: list[dict[str, Any]]


DRIVE_TIMEOUT = 60.0


async def _finished(client: WorkflowClient, workflow_id: str) -> bool:
    return (await client.get_workflow_handle(workflow_id).describe()).status.finished


async def _gate(client: WorkflowClient, root: str, kind: str, answered: set[Any], deadline: float) -> Gate:
    """Wait until the run offers a gate of ``kind`` not answered yet; return the first."""
    last: list[Gate] = []
    while time.monotonic() < deadline:
        last = await open_gates(client, root)
        for gate in last:
            if gate.kind == kind and gate.key not in answered:
                return gate
        if await _finished(client, root):
            raise AssertionError(f"{root} finished while a {kind} gate was expected (open: {last})")
        await client.wait_for_change(0.05)
    raise AssertionError(f"no {kind} gate on {root} within {DRIVE_TIMEOUT}s (open: {last})")


async def _changed(client: WorkflowClient, target: str, before: Any, deadline: float) -> Any:
    """Wait until ``target``'s pending action is no longer ``before`` (normalised); return the new one."""
    handle = client.get_workflow_handle(target)
    while time.monotonic() < deadline:
        now = (await handle.describe()).pending_action
        if normalise(now) != before:
            return now
        await client.wait_for_change(0.05)
    raise AssertionError(f"{target} kept its pending action {before} for {DRIVE_TIMEOUT}s after being answered")


async def play(client: WorkflowClient, root: str, script: Sequence[Answer]) -> list[dict[str, Any]]:
    """Answer the gates ``script`` expects, in order; return the pending actions seen, normalised."""
    seen: list[dict[str, Any]] = []
    answered: set[Any] = set()
    deadline = time.monotonic() + DRIVE_TIMEOUT
    for answer in script:
        gate = await _gate(client, root, answer.kind, answered, deadline)
        answered.add(gate.key)
        shape = normalise(gate.pending)
        seen.append({"workflow_id": gate.workflow_id, "pending": shape})
        signals = answer.signals(dict(gate.pending))
        for index, (name, payload) in enumerate(signals):
            await answer_gate(client, attrs.evolve(gate, signal_name=name), payload)
            updated = await _changed(client, gate.workflow_id, shape, deadline)
            if index < len(signals) - 1:  # a row action: the gate stays open with new feedback
                shape = normalise(updated)
                seen.append({"workflow_id": gate.workflow_id, "pending": shape})
    return seen


async def run_case(client: WorkflowClient, case: Case) -> Outcome:
    """Run ``case`` through ``client`` and return what happened, engine-neutrally."""
    RECORDER.calls = {}
    start_signal = {}
    if case.start_signal is not None:
        start_signal = {"start_signal": case.start_signal[0], "start_signal_args": [case.start_signal[1]]}
    handle = await client.start_workflow(case.workflow_cls, *case.args, id=case.workflow_id, **start_signal)
    pending: list[dict[str, Any]] = []
    if case.script:
        async with client.hold_time():  # no timer fires while the scripted person answers
            pending = await play(client, case.workflow_id, case.script)
    try:
        result = await asyncio.wait_for(handle.result(), DRIVE_TIMEOUT)
    except WorkflowFailedError as exc:
        return Outcome("failed", None, error_shape(exc), RECORDER.calls, pending)
    return Outcome("completed", normalise(result), None, RECORDER.calls, pending)


# -- the engines --------------------------------------------------------------------------------------
class LocalEngine:
    """Runs a case on a fresh local client (virtual clock, payload parity), its activities spied."""

    name = "local"

    async def run(self, case: Case) -> Outcome:
        from ntro.runtime.protocol import ClientOptions, open_client

        options = ClientOptions(activities=all_spies(), task_queue=TASK_QUEUE, time_skipping=True)
        async with open_client("local", options) as client:
            return await run_case(client, case)


class TemporalEngine:
    """Runs a case through a Temporal client on the time-skipping test server (time skips only for the result)."""

    name = "temporal"

    def __init__(self, client: WorkflowClient) -> None:
        self.client = client

    async def run(self, case: Case) -> Outcome:
        return await run_case(self.client, case)

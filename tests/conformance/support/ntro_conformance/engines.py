"""Running one conformance case on LocalRuntime or on Temporal, and observing it the same way.

Observation is shared by both engines:

* **activity calls** are recorded by *spies*, wrappers around the real
  activities that note ``(activity, attempt, args, outcome)`` per workflow id
  from inside the activity (``activity.info()``), whichever engine runs it;
* **pending actions** are read by one driver through each engine's query API
  and answered through its signal API, following drill-downs into children;
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
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from ntro.runtime.protocol import activity_definition, find_activity, workflow_definition
from ntro.workflow import WorkflowError, activity

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
    """Describe a workflow's failure engine-neutrally."""
    if isinstance(exc, WorkflowError):
        return {
            "type": exc.type,
            "message": exc.message,
            "non_retryable": exc.non_retryable,
            "details": normalise(list(exc.details)),
        }
    from temporalio.client import WorkflowFailureError
    from temporalio.exceptions import ApplicationError

    if isinstance(exc, WorkflowFailureError) and isinstance(exc.cause, ApplicationError):
        cause = exc.cause
        return {
            "type": cause.type,
            "message": cause.message,
            "non_retryable": cause.non_retryable,
            "details": normalise(list(cause.details)),
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
    # Same signature and annotations (temporalio decodes arguments with them), not the same attributes.
    functools.update_wrapper(spy, fn, updated=())
    return spy


def temporal_spy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A spy registered with temporalio under ``fn``'s activity name."""
    import temporalio.activity

    defn = activity_definition(fn)
    assert defn is not None
    spy = make_spy(fn)
    return temporalio.activity.defn(name=defn.name)(spy)


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


class Access:
    """Query and signal any workflow of a run (root or child), and tell whether the root finished."""

    async def query(self, workflow_id: str, name: str) -> Any:
        raise NotImplementedError

    async def signal(self, workflow_id: str, name: str, arg: Any) -> None:
        raise NotImplementedError

    async def finished(self) -> bool:
        raise NotImplementedError


DRIVE_TIMEOUT = 60.0
POLL = 0.01


async def _actionable(access: Access, root: str, kind: str, deadline: float) -> tuple[str, dict[str, Any]]:
    """Wait until the root, or the first running child it drills down to, advertises ``kind``."""
    last: Any = None
    while time.monotonic() < deadline:
        target, pending = root, await access.query(root, "current_pending_action")
        while isinstance(pending, dict) and pending.get("kind") == "drill_down" and pending.get("children"):
            target = pending["children"][0]["task_id"]
            pending = await access.query(target, "current_pending_action")
        if isinstance(pending, dict) and pending.get("kind") == kind:
            return target, pending
        last = pending
        if await access.finished():
            raise AssertionError(f"{root} finished while a {kind} gate was expected (last pending: {last})")
        await asyncio.sleep(POLL)
    raise AssertionError(f"no {kind} gate on {root} within {DRIVE_TIMEOUT}s (last pending: {last})")


async def _changed(access: Access, target: str, before: Any, deadline: float) -> Any:
    """Wait until ``target``'s pending action is no longer ``before`` (normalised); return the new one."""
    while time.monotonic() < deadline:
        now = await access.query(target, "current_pending_action")
        if normalise(now) != before:
            return now
        await asyncio.sleep(POLL)
    raise AssertionError(f"{target} kept its pending action {before} for {DRIVE_TIMEOUT}s after being answered")


async def drive(access: Access, root: str, script: Sequence[Answer]) -> list[dict[str, Any]]:
    """Answer the gates ``script`` expects, in order; return the pending actions seen, normalised."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + DRIVE_TIMEOUT
    for answer in script:
        target, pending = await _actionable(access, root, answer.kind, deadline)
        shape = normalise(pending)
        seen.append({"workflow_id": target, "pending": shape})
        signals = answer.signals(pending)
        for index, (name, payload) in enumerate(signals):
            signal_target = (pending.get("args") or {}).get("signal_task_id", target)
            await access.signal(signal_target, name, payload)
            updated = await _changed(access, target, shape, deadline)
            if index < len(signals) - 1:  # a row action: the gate stays open with new feedback
                shape = normalise(updated)
                seen.append({"workflow_id": target, "pending": shape})
    return seen


# -- the engines --------------------------------------------------------------------------------------
class LocalEngine:
    """Runs a case on LocalRuntime (virtual clock, held while the script is answered)."""

    name = "local"

    async def run(self, case: Case) -> Outcome:
        from ntro.runtime.local import LocalRuntime, VirtualClock, start_local

        spies: dict[Any, Callable[..., Any]] = {}

        class SpyingLocalRuntime(LocalRuntime):
            def execute_activity(self, act: Any, args: Sequence[Any], options: Any, /) -> Awaitable[Any]:
                if isinstance(act, str):
                    found = find_activity(act)
                    act = found.fn if found is not None else act
                if callable(act) and activity_definition(act) is not None:
                    if act not in spies:
                        spy = make_spy(act)
                        spy.__ntro_activity__ = activity_definition(act)  # type: ignore[attr-defined]
                        spies[act] = spy
                    act = spies[act]
                return super().execute_activity(act, args, options)

        clock = VirtualClock()
        runtime = SpyingLocalRuntime(clock=clock, task_queue=TASK_QUEUE)
        RECORDER.calls = {}
        handle = await start_local(
            case.workflow_cls,
            args=list(case.args),
            workflow_id=case.workflow_id,
            task_queue=TASK_QUEUE,
            runtime=runtime,
            start_signal=case.start_signal[0] if case.start_signal else None,
            start_signal_args=[case.start_signal[1]] if case.start_signal else (),
        )

        class LocalAccess(Access):
            async def query(self, workflow_id: str, name: str) -> Any:
                return await runtime.get_handle(workflow_id).query(name)

            async def signal(self, workflow_id: str, name: str, arg: Any) -> None:
                await runtime.get_handle(workflow_id).signal(name, arg)

            async def finished(self) -> bool:
                return handle.done()

        pending: list[dict[str, Any]] = []
        if case.script:
            clock.hold()  # like Temporal's time skipping: no timer fires while a person is answering
            try:
                pending = await drive(LocalAccess(), case.workflow_id, case.script)
            finally:
                clock.release()

        async def settle() -> tuple[bool, Any]:
            try:
                return True, await handle.result()
            except Exception as exc:  # the workflow's own failure, TimeoutError included
                return False, exc

        ok, value = await asyncio.wait_for(settle(), DRIVE_TIMEOUT)
        if not ok:
            return Outcome("failed", None, error_shape(value), RECORDER.calls, pending)
        return Outcome("completed", normalise(value), None, RECORDER.calls, pending)


class TemporalEngine:
    """Runs a case on the time-skipping test server; time skips only while the result is awaited."""

    name = "temporal"

    def __init__(self, client: Any) -> None:
        self.client = client

    async def run(self, case: Case) -> Outcome:
        from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError

        RECORDER.calls = {}
        run_fn = getattr(case.workflow_cls, workflow_definition(case.workflow_cls).run_method)
        extra: dict[str, Any] = {}
        if case.start_signal is not None:
            extra = {"start_signal": case.start_signal[0], "start_signal_args": [case.start_signal[1]]}
        handle = await self.client.start_workflow(
            run_fn, args=list(case.args), id=case.workflow_id, task_queue=TASK_QUEUE, **extra
        )
        client = self.client

        class TemporalAccess(Access):
            async def query(self, workflow_id: str, name: str) -> Any:
                return await client.get_workflow_handle(workflow_id).query(name)

            async def signal(self, workflow_id: str, name: str, arg: Any) -> None:
                await client.get_workflow_handle(workflow_id).signal(name, arg)

            async def finished(self) -> bool:
                description = await handle.describe()
                return bool(description.status != WorkflowExecutionStatus.RUNNING)

        pending = await drive(TemporalAccess(), case.workflow_id, case.script) if case.script else []
        try:
            result = await asyncio.wait_for(handle.result(), DRIVE_TIMEOUT)
        except WorkflowFailureError as exc:
            return Outcome("failed", None, error_shape(exc), RECORDER.calls, pending)
        return Outcome("completed", normalise(result), None, RECORDER.calls, pending)

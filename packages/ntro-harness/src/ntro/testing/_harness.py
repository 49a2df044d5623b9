"""``WorkflowHarness``: run a runbook through scenarios on LocalRuntime or Temporal.

The harness is a caller of the client (:mod:`ntro.runtime.protocol`,
:mod:`ntro.client`), so one piece of code drives both engines:

* the engine's client is opened with the workflow and its children, the
  activities **mocked** (auto-faked from their return annotations, or as the
  scenario says), time skipping on (the virtual clock locally, the
  time-skipping test server on Temporal) and payload parity;
* :func:`ntro.client.drive` answers the gates the runbook advertises, as the
  :class:`Scenario` says, and never lets skipped time run past a gate it is
  about to answer;
* on Temporal every finished history is **replayed** through the sandboxed
  ``Replayer``: a non-deterministic runbook fails its scenario;
* a bug in workflow code fails the scenario at once, on both engines
  (Temporal would retry the workflow task forever), reported the same way on
  both: ``NameError: name 'workflow' is not defined``, the runbook's own file
  and line, then its own frames of the traceback;
* the timeline is what happened, in order: steps, gates and children come from
  the client's run events (:class:`~ntro.runtime.protocol.RunEventSource`) as
  workflow code reports them, activities from the mocks as they run.
"""

from __future__ import annotations

import importlib
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from ntro.client import Gate, drive, review_answer, upload_answer
from ntro.runtime.protocol import (
    ClientOptions,
    RunEvent,
    RunEventSource,
    WorkflowClient,
    WorkflowDescription,
    activity_definition,
    open_client,
    workflow_definition,
)
from ntro.testing._results import ActivityCall, RunResult, StepEvent
from ntro.testing._scenarios import HAPPY, Scenario
from ntro.workflow.exceptions import NtroError, WorkflowError, WorkflowFailedError

__all__ = ["RUNTIMES", "WorkflowHarness", "discover_activities"]

RUNTIMES = ("local", "temporal")
"""The engines a harness runs on."""

DEFAULT_TIMEOUT = 30.0
"""Seconds (wall time) a scenario may take before it fails as timed out."""

_UNSET: Any = object()


def _jsonable(value: Any) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value, serialize_unknown=True)


def discover_activities(*workflow_classes: type) -> list[Callable[..., Any]]:
    """Return the activities defined beside ``workflow_classes``: in their modules and sibling ``activities`` modules.

    Deduplicated by activity name (the first found wins), in discovery order.
    """
    found: dict[str, Callable[..., Any]] = {}
    for cls in workflow_classes:
        module = sys.modules.get(cls.__module__)
        if module is None:
            continue
        candidates: list[ModuleType] = [module]
        package = module.__package__
        if package:
            try:
                candidates.append(importlib.import_module(f"{package}.activities"))
            except ImportError:
                pass
        for candidate in candidates:
            for value in vars(candidate).values():
                defn = activity_definition(value)
                if defn is not None and defn.fn is value:
                    found.setdefault(defn.name, value)
    return list(found.values())


class _ScenarioPolicy:
    """Answers a run's gates as a scenario says, and notes what it answered."""

    def __init__(self, scenario: Scenario, note: Callable[[str, str, dict[str, Any]], None]) -> None:
        self.scenario = scenario
        self.note = note
        self.reviews = 0
        self.decisions: list[str] = []
        self.pending: list[dict[str, Any]] = []

    async def answer(self, gate: Gate) -> Any:
        self.pending.append({"workflow_id": gate.workflow_id, "pending": _jsonable(dict(gate.pending))})
        if gate.kind == "interactive_review":
            decision = self.scenario.decision_for(gate.step_id, self.reviews)
            self.reviews += 1
            self.decisions.append(decision)
            corrections = self.scenario.corrections_for(gate.step_id) if decision == "approve" else []
            detail: dict[str, Any] = {"response": decision, "step_id": gate.step_id, "reason": gate.reason}
            if corrections:
                detail["corrections"] = corrections
            self.note("review", gate.workflow_id, detail)
            return review_answer(decision, corrections=corrections)
        source = gate.upload_name
        payload = upload_answer(gate, document_ref=f"sample:{source}")
        payload.update(self.scenario.upload_fields(gate.source, gate.signal_name))
        self.note(
            "submit_file",
            gate.workflow_id,
            {"signal": gate.signal_name, "source": source, "document_ref": payload.get("document_ref")},
        )
        return payload


class WorkflowHarness:
    """Runs a runbook through scenarios on one engine: ``async with WorkflowHarness(cls) as h: await h.run(...)``.

    Args:
        workflow_cls: The ``@runbook.defn`` class under test.
        runtime: ``"local"`` (LocalRuntime, virtual clock) or ``"temporal"``
            (the time-skipping test server, sandboxed, every history replayed).
        child_workflows: Workflow classes it starts by slug.
        mocks: Activity name -> a value, or a callable given the activity's
            arguments, or :data:`~ntro.testing.REAL` to run the real one. The
            others return a fake built from their return annotation. A
            scenario's own ``mocks`` win over these.
        activities: The real activities (default: those defined beside the
            workflow classes, in their modules and sibling ``activities`` modules).
        extra_activities: More real activities to host.
        timeout: Seconds a scenario may take (wall time) before it fails.
        task_queue: The task queue (default: a fresh one per harness).
    """

    def __init__(
        self,
        workflow_cls: type,
        *,
        runtime: str = "local",
        child_workflows: Sequence[type] = (),
        mocks: Mapping[str, Any] | None = None,
        activities: Sequence[Callable[..., Any]] | None = None,
        extra_activities: Sequence[Callable[..., Any]] = (),
        timeout: float = DEFAULT_TIMEOUT,
        task_queue: str | None = None,
    ) -> None:
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")
        self.workflow_cls = workflow_cls
        self.defn = workflow_definition(workflow_cls)
        self.runtime = runtime
        self.child_workflows = list(child_workflows)
        self.mocks = dict(mocks or {})
        self.timeout = timeout
        self.task_queue = task_queue or f"ntro-test-{uuid.uuid4().hex[:8]}"
        real = list(activities) if activities is not None else discover_activities(workflow_cls, *child_workflows)
        self.activities = real + [fn for fn in extra_activities if fn not in real]
        self._active_mocks: dict[str, Any] = {}
        self._calls: list[ActivityCall] = []
        self._events: list[StepEvent] = []
        self._started = 0.0
        self._client: WorkflowClient | None = None
        self._client_cm: Any = None
        self._replayer: Any = None

    # -- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> WorkflowHarness:
        from ntro.testing.auto_mock import mock_activities

        hosted = mock_activities(self.activities, self._active_mocks, record=self._record_call)
        options = ClientOptions(
            workflows=[self.workflow_cls, *self.child_workflows],
            activities=hosted,
            task_queue=self.task_queue,
            payload_parity=True,
            time_skipping=True,
        )
        self._client_cm = open_client(self.runtime, options)  # RuntimeNotAvailableError names what to install
        self._client = await self._client_cm.__aenter__()
        from ntro.events import register_emitter

        register_emitter(self)  # activities' ObservableResults, on both engines (the worker runs in-process)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        from ntro.events import unregister_emitter

        unregister_emitter(self)
        if self._client_cm is not None:
            cm, self._client_cm, self._client = self._client_cm, None, None
            await cm.__aexit__(*exc_info)

    @property
    def client(self) -> WorkflowClient:
        """The engine's client (inside ``async with``)."""
        if self._client is None:
            raise RuntimeError("use the harness inside 'async with WorkflowHarness(...) as h'")
        return self._client

    # -- recording ------------------------------------------------------------------------
    def _now(self) -> float:
        return time.monotonic() - self._started

    def _note(self, kind: str, workflow_id: str, detail: dict[str, Any]) -> None:
        self._events.append(StepEvent(kind, workflow_id, detail, round(self._now(), 4)))

    def _record_call(self, call: ActivityCall) -> None:
        self._calls.append(call)
        outcome = "ok" if call.error is None else f"raised {call.error}"
        detail = {"activity": call.activity, "attempt": call.attempt, "outcome": outcome, "mocked": call.mocked}
        self._note("activity", call.workflow_id, detail)

    def emit(self, event: Any) -> None:
        """Record an observability event (:mod:`ntro.events`) of the run as an ``event`` step event."""
        detail = {"event_type": event.event_type, "activity": event.activity, "payload": dict(event.payload)}
        self._note("event", event.workflow_id, detail)

    # -- running a scenario -------------------------------------------------------------------
    def default_input(self) -> Any:
        """The input used when ``run`` is given none: the input model's defaults, else a fake of its annotation."""
        from ntro.workflow.bundle import InputError, input_model, parse_input

        try:
            return parse_input(self.workflow_cls, None)
        except InputError:
            from ntro.testing.auto_mock import generate_fake

            annotation = input_model(self.workflow_cls)
            return None if annotation is None else generate_fake(annotation)

    async def run(
        self,
        *,
        input: Any = _UNSET,
        scenario: Scenario = HAPPY,
        timeout: float | None = None,
        args: Sequence[Any] | None = None,
        workflow_id: str | None = None,
        start_signal: tuple[str, Any] | None = None,
        policy: Any = None,
        workflow: type | None = None,
    ) -> RunResult:
        """Run the workflow through ``scenario`` and return what happened.

        Args:
            input: The run method's argument (default: :meth:`default_input`).
                ``None`` runs a method that takes no argument.
            scenario: How gates are answered and activities mocked.
            timeout: Seconds (wall time) before the scenario fails as timed out.
            args: Several arguments for the run method, instead of ``input``.
            workflow_id: The root workflow's id (default: a random UUID).
            start_signal: ``(signal, arg)`` delivered before the run method starts.
            policy: An answering policy (``async answer(gate)``) used instead of
                the scenario's answers, as the conformance suite's scripts are;
                it may have ``pending`` and ``decisions`` lists to report.
            workflow: Run another of the harness's workflows (one of its
                ``child_workflows``) instead of the one under test.
        """
        client = self.client
        value = self.default_input() if input is _UNSET and args is None else input
        self._active_mocks.clear()
        self._active_mocks.update(self.mocks)
        self._active_mocks.update(scenario.mocks)
        self._calls, self._events = [], []
        steps: dict[str, list[str]] = {}
        self._started = time.monotonic()
        answers: Any = policy if policy is not None else _ScenarioPolicy(scenario, self._note)
        seen_ids: list[str] = []
        root_id = workflow_id or str(uuid.uuid4())

        def reached(workflow_id: str, step_id: str) -> None:
            found = steps.setdefault(workflow_id, [])
            if step_id not in found:
                found.append(step_id)

        def on_steps(changes: list[Any]) -> None:  # an engine that cannot tell: steps as each look finds them
            for change in changes:
                reached(change.workflow_id, change.step.id)
                self._note(
                    "step",
                    change.workflow_id,
                    {"step_id": change.step.id, "title": change.step.title, "status": change.step.status},
                )

        def on_event(event: RunEvent) -> None:  # may be called on the engine's thread: only note it
            if event.workflow_id.split(":")[0] != root_id:
                return
            kind, detail = _timeline_entry(event)
            if kind == "step" and detail["status"] != "failed":
                reached(event.workflow_id, str(detail["step_id"]))
            if kind:
                self._note(kind, event.workflow_id, detail)

        def on_look(descriptions: Mapping[str, WorkflowDescription]) -> None:
            seen_ids.extend(wid for wid in descriptions if wid not in seen_ids)

        run_args = tuple(args) if args is not None else (() if value is None else (value,))
        start: dict[str, Any] = {}
        if start_signal is not None:
            start = {"start_signal": start_signal[0], "start_signal_args": [start_signal[1]]}
        source = client if isinstance(client, RunEventSource) else None
        if source is not None:
            source.add_run_observer(on_event)
        status, result, error, shape, crashed = "completed", None, None, None, False
        try:
            handle = await client.start_workflow(workflow or self.workflow_cls, *run_args, id=root_id, **start)
            outcome = await drive(
                client,
                handle,
                answers,
                on_steps=None if source is not None else on_steps,
                on_look=on_look,
                timeout=timeout or self.timeout,
            )
        except WorkflowFailedError as exc:
            status, error, shape = "failed", self._failure_text(exc), error_shape(exc)
            crashed = exc.status == "RUNNING"  # failed, yet running: its workflow task fails (and is retried)
        except TimeoutError:
            pending = getattr(answers, "pending", [])[-1:]
            status, error = "failed", f"timed out after {timeout or self.timeout:g}s (pending: {pending})"
            shape = {"type": "TimeoutError", "message": error, "non_retryable": False, "details": []}
            try:
                await handle.cancel()
            except NtroError:
                pass
        else:
            result = _jsonable(outcome)
        finally:
            if source is not None:
                source.remove_run_observer(on_event)
        replayed: bool | None = None
        if self.runtime == "temporal" and not crashed:  # a crashed history replays to the same crash
            replay_error = await self._replay(seen_ids or [root_id])
            replayed = replay_error is None
            if replay_error is not None:
                status = "failed"
                error = replay_error if error is None else f"{error}\n{replay_error}"
        self._note("done" if status == "completed" else "error", root_id, {} if error is None else {"error": error})
        return RunResult(
            scenario=scenario.name,
            workflow_id=root_id,
            status=status,
            result=result,
            error=error,
            events=tuple(self._events),
            duration_s=self._now(),
            runtime=self.runtime,
            activity_calls=tuple(c for c in self._calls if c.workflow_id.split(":")[0] == root_id),
            steps={k: tuple(v) for k, v in steps.items()},
            pending_actions=tuple(getattr(answers, "pending", ())),
            decisions=tuple(getattr(answers, "decisions", ())),
            replayed=replayed,
            error_shape=shape,
        )

    def _failure_text(self, exc: WorkflowFailedError) -> str:
        """Say why the run failed; a crash the same way on both engines, the runbook's own file and line first."""
        cause = exc.cause
        crashed = exc.status == "RUNNING" or (cause is not None and not isinstance(cause, WorkflowError))
        if not crashed or cause is None:
            return _failure_text(exc)
        if isinstance(cause, WorkflowError):
            name, message = cause.type, cause.message
        else:
            name, message = type(cause).__name__, str(cause)
        if cause.__traceback__ is not None:
            stack = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        else:
            stack = exc.message  # on Temporal, the worker's traceback text
        frames = _own_frames(stack, self._runbook_dirs())
        lines = [f"{name}: {message}"]
        if frames:
            path, line, function, _ = frames[-1]
            lines.append(f"  at {path}, line {line}, in {function}")
            lines.append("Traceback (the runbook's own frames, most recent call last):")
            for path, line, function, code in frames:
                lines.append(f'  File "{path}", line {line}, in {function}')
                if code:
                    lines.append(f"    {code}")
        return "\n".join(lines)

    def _runbook_dirs(self) -> list[Path]:
        found: list[Path] = []
        for cls in (self.workflow_cls, *self.child_workflows):
            module = sys.modules.get(cls.__module__)
            where = getattr(module, "__file__", None)
            if where:
                found.append(Path(where).resolve().parent)
        return found

    async def _replay(self, workflow_ids: Sequence[str]) -> str | None:
        """Replay the finished histories of ``workflow_ids`` in the sandbox; return why one did not replay."""
        from ntro.testing._replay import replay_histories

        return await replay_histories(self.client, workflow_ids, [self.workflow_cls, *self.child_workflows])


def error_shape(exc: WorkflowFailedError) -> dict[str, Any]:
    """Describe a run's failure as runbook code sees it: ``{type, message, non_retryable, details}``."""
    cause = exc.cause
    if isinstance(cause, WorkflowError):
        return {
            "type": cause.type,
            "message": cause.message,
            "non_retryable": cause.non_retryable,
            "details": _jsonable(list(cause.details)),
        }
    if cause is not None:
        return {"type": type(cause).__name__, "message": str(cause), "non_retryable": False, "details": []}
    return {"type": exc.status, "message": exc.message, "non_retryable": False, "details": []}


_STEP_STATUS = {"started": "active", "completed": "completed", "failed": "failed"}

_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<function>.+)$')


def _timeline_entry(event: RunEvent) -> tuple[str | None, dict[str, Any]]:
    """The timeline's kind and detail for a run event (``None`` for one the timeline does not show)."""
    group, _, what = event.kind.partition(".")
    detail = dict(event.detail)
    if group == "step":
        return "step", {"step_id": detail.get("step_id"), "title": detail.get("title"), "status": _STEP_STATUS[what]}
    if group == "gate":
        return "gate", {**detail, "status": what}
    if event.kind == "child.started":
        return "child", {**detail, "status": "started"}
    return None, detail  # workflow.crashed: the run's error says it


def _own_frames(stack: str, dirs: Sequence[Path]) -> list[tuple[str, int, str, str]]:
    """The frames of a traceback's text in the runbook's own files (all of them when none is), outermost first."""
    frames: list[tuple[str, int, str, str]] = []
    lines = stack.splitlines()
    for index, text in enumerate(lines):
        found = _FRAME.match(text)
        if found is None:
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        code = "" if following.startswith("File ") or _FRAME.match(following) else following
        frames.append((found["path"], int(found["line"]), found["function"].strip(), code))
    own = [f for f in frames if any(_within(f[0], d) for d in dirs)]
    return own or frames


def _within(path: str, directory: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(directory)
    except OSError:  # pragma: no cover - an unreadable frame path
        return False


def _failure_text(exc: WorkflowFailedError) -> str:
    cause = exc.cause
    if cause is None or cause.__traceback__ is None:
        return exc.message
    tb = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__)).rstrip()
    return f"{exc.message}\n{tb}"

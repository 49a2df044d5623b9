"""The conformance suite: the same runbook cases on two engines, through the harness, compared.

Any backend can prove itself against LocalRuntime (or Temporal) with it::

    from ntro.testing import WorkflowHarness
    from ntro.testing.conformance import CASES, run_case

    for case in CASES:
        mine = await run_case(my_harness, case)       # WorkflowHarness(..., runtime="mine")
        local = await run_case(local_harness, case)
        assert mine == local

A :class:`Case` is a workflow, its arguments, a script of answers
(:class:`Upload`, :class:`Review`, with row actions, and :class:`Update`
requests sent while a gate is open) and an optional check.
:func:`run_case` runs it through a :class:`~ntro.testing.WorkflowHarness`
whose activities all run for real, and returns an engine-neutral
:class:`Outcome`: status, result, failure shape, activity calls per workflow,
the pending actions answered and the updates' answers, with timestamps and
run ids masked by :func:`normalise`, the one engine-parity normaliser that
``ntro workflow test --runtime A,B`` compares engines with too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ntro.client import ROW_ACTION, Gate, answer_gate
from ntro.testing._parity import normalise

if TYPE_CHECKING:
    from ntro.testing._harness import WorkflowHarness
    from ntro.testing._results import RunResult

__all__ = [
    "TASK_QUEUE",
    "Answer",
    "Case",
    "Outcome",
    "Review",
    "ScriptPolicy",
    "Update",
    "Upload",
    "harness_for",
    "normalise",
    "outcome_of",
    "run_case",
]

TASK_QUEUE = "conformance"
"""The task queue conformance harnesses use (cases check that ``info()`` reports it)."""


@attrs.frozen
class Upload:
    """Answer an upload gate with ``payload`` (default: ``sample:<source>`` as ``<source>.csv``)."""

    payload: dict[str, Any] | None = None
    kind: str = "submit_file"

    def answer(self, gate: Gate) -> dict[str, Any]:
        """Return the upload's payload for ``gate``."""
        if self.payload is not None:
            return dict(self.payload)
        source = gate.source or "document"
        return {
            "document_ref": f"sample:{source}",
            "source": source,
            "filename": f"{source}.csv",
            "content_type": "text/csv",
        }


@attrs.frozen
class Review:
    """Answer a review: send ``row_actions`` one by one (the gate stays open), then ``decision``."""

    decision: dict[str, Any] = attrs.field(factory=lambda: {"kind": "approve"})
    row_actions: tuple[dict[str, Any], ...] = ()
    kind: str = "interactive_review"

    def answer(self, gate: Gate) -> dict[str, Any]:
        """Return the decision."""
        return dict(self.decision)


@attrs.frozen
class Update:
    """Send update ``name`` with ``arg`` once the next gate opens, before that gate's answer.

    What it answered, or the error it failed with, goes into the ``updates`` of the :class:`Outcome`.
    """

    name: str
    arg: Any = None
    kind: str = "update"


Answer = Upload | Review | Update
"""One scripted step."""


@attrs.frozen
class Outcome:
    """What a run did, engine-neutrally (compare two with ``==``).

    Attributes:
        status: ``completed``, ``failed`` and so on.
        result: The result (normalised), when it completed.
        error: The failure's shape (type, message, non_retryable, details), when it failed.
        calls: Activity calls per workflow id, in order, with attempt and outcome.
        pending: The pending actions answered, per workflow, in order.
        updates: What each scripted :class:`Update` answered, or how it failed.
        events: The observability events (:mod:`ntro.events`) the activities emitted, per workflow, in order.
    """

    status: str
    result: Any
    error: dict[str, Any] | None
    calls: dict[str, list[dict[str, Any]]]
    pending: list[dict[str, Any]]
    updates: list[dict[str, Any]] = attrs.field(factory=list)
    events: dict[str, list[dict[str, Any]]] = attrs.field(factory=dict)


@attrs.frozen
class Case:
    """One conformance case: a workflow, its arguments, the person's answers, and an optional check.

    Attributes:
        name: The case's name; the run's workflow id is ``conf-<name>``.
        workflow: A ``@runbook.defn`` class, or the slug of one already loaded.
        args: The run method's arguments.
        script: The answers, in the order the gates come.
        start_signal: ``(signal, arg)`` delivered before the run method starts.
        check: Called with the outcome, for what every engine must do (beyond agreeing).
    """

    name: str
    workflow: type | str
    args: tuple[Any, ...] = ()
    script: tuple[Answer, ...] = ()
    start_signal: tuple[str, Any] | None = None
    check: Callable[[Outcome], None] | None = None

    @property
    def workflow_id(self) -> str:
        """The root workflow's id."""
        return f"conf-{self.name}"

    @property
    def workflow_cls(self) -> type:
        """The workflow class (a slug is resolved in the registry)."""
        from ntro.runtime.protocol import resolve_workflow

        return resolve_workflow(self.workflow).cls


class ScriptPolicy:
    """Answers gates from a script, in order; notes each pending action answered (normalised).

    A review with row actions sends them one at a time, waiting after each
    until the pending action shows it, as a person in the UI would.
    """

    def __init__(self, harness: WorkflowHarness, script: Sequence[Answer]) -> None:
        self.harness = harness
        self.remaining = list(script)
        self.pending: list[dict[str, Any]] = []
        self.decisions: list[str] = []
        self.updates: list[dict[str, Any]] = []
        self._rows_sent: dict[tuple[Any, ...], int] = {}
        self._last: Any = None

    async def answer(self, gate: Gate) -> Any:
        """Return the next scripted answer when it is for this kind of gate, else ``None`` (wait)."""
        while self.remaining and isinstance(self.remaining[0], Update):
            update = self.remaining.pop(0)
            assert isinstance(update, Update)
            await self._update(gate, update)
        if not self.remaining or self.remaining[0].kind != gate.kind:
            return None
        answer = self.remaining[0]
        shape = normalise(dict(gate.pending))
        if isinstance(answer, Review) and answer.row_actions:
            sent = self._rows_sent.get(gate.key, 0)
            if sent and shape == self._last:
                return None  # the last row action has not shown yet
            self.pending.append({"workflow_id": gate.workflow_id, "pending": shape})
            self._last = shape
            if sent < len(answer.row_actions):
                row = {"kind": ROW_ACTION, **answer.row_actions[sent]}
                await answer_gate(self.harness.client, gate, row)
                self._rows_sent[gate.key] = sent + 1
                return None
        else:
            self.pending.append({"workflow_id": gate.workflow_id, "pending": shape})
        self.remaining.pop(0)
        assert not isinstance(answer, Update)
        payload = answer.answer(gate)
        if isinstance(answer, Review):
            self.decisions.append(str(payload.get("kind")))
        return payload

    async def _update(self, gate: Gate, update: Update) -> None:
        from ntro.workflow.exceptions import UpdateFailedError

        handle = self.harness.client.get_workflow_handle(gate.workflow_id)
        args = () if update.arg is None else (update.arg,)
        note: dict[str, Any] = {"update": update.name, "arg": normalise(update.arg)}
        try:
            note["answer"] = normalise(await handle.update(update.name, *args))
        except UpdateFailedError as exc:
            cause = exc.cause
            note["failed"] = {"type": cause.type, "message": cause.message, "details": normalise(list(cause.details))}
        self.updates.append(note)


def outcome_of(result: RunResult, updates: Sequence[dict[str, Any]] = ()) -> Outcome:
    """Return the engine-neutral :class:`Outcome` of a harness run (``updates``: what a :class:`ScriptPolicy` noted)."""
    calls: dict[str, list[dict[str, Any]]] = {}
    for call in result.activity_calls:
        outcome = "ok" if call.error is None else f"raised {call.error}"
        entry = {
            "activity": call.activity,
            "attempt": call.attempt,
            "args": normalise(list(call.args)),
            "outcome": outcome,
        }
        calls.setdefault(call.workflow_id, []).append(entry)
    events: dict[str, list[dict[str, Any]]] = {}
    for event in result.events:
        if event.kind == "event":
            events.setdefault(event.workflow_id, []).append(normalise(dict(event.detail)))
    error = dict(result.error_shape) if result.error_shape is not None else None
    if error is not None:
        error["details"] = normalise(error.get("details", []))
    return Outcome(
        status=result.status,
        result=normalise(result.result) if result.status == "completed" else None,
        error=error,
        calls=calls,
        pending=[dict(p) for p in result.pending_actions],
        updates=list(updates),
        events=events,
    )


def harness_for(runtime: str, workflows: Sequence[type], activities: Sequence[Callable[..., Any]]) -> WorkflowHarness:
    """Return a harness on ``runtime`` hosting ``workflows`` with every activity running for real."""
    from ntro.runtime.protocol import activity_definition
    from ntro.testing._harness import WorkflowHarness
    from ntro.testing._scenarios import REAL

    real = {d.name: REAL for fn in activities if (d := activity_definition(fn)) is not None}
    first, *others = workflows
    return WorkflowHarness(
        first,
        runtime=runtime,
        child_workflows=others,
        activities=list(activities),
        mocks=real,
        task_queue=TASK_QUEUE,
        timeout=60.0,
    )


async def run_case(harness: WorkflowHarness, case: Case) -> Outcome:
    """Run ``case`` on ``harness`` (made by :func:`harness_for`) and return its outcome."""
    policy = ScriptPolicy(harness, case.script)
    result = await harness.run(
        workflow=case.workflow_cls,
        args=case.args,
        workflow_id=case.workflow_id,
        start_signal=case.start_signal,
        policy=policy,
    )
    return outcome_of(result, policy.updates)

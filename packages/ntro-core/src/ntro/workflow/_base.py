"""``NtroWorkflow``: the base class of runbooks, with steps, human gates and children.

Subclasses call ``super().__init__()``. The base class answers the queries
the UI and the harness read (``current_pending_action``, ``current_steps``,
``step_snapshots``, ``current_ui_state``, ``children_by_step_id``) and takes
the ``user_action`` signal. Same names and shapes as ntro 0.1.2: every
pending action it publishes is built as a
:class:`~ntro.runtime.protocol.PendingAction`, the record its readers parse.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from ntro.runtime.protocol import (
    PENDING_ACTION_KINDS,
    ROW_ACTION,
    DrillChild,
    PendingAction,
    SignalTarget,
    UploadSlot,
    activity_definition,
    split_answer,
)
from ntro.runtime.protocol._actions import SLOT_SIGNAL
from ntro.runtime.protocol._definitions import STEP_STATE_ATTR
from ntro.workflow._facade import runbook
from ntro.workflow.decorators import STEP_ATTR, _notify_gate

__all__ = ["PENDING_ACTION_KINDS", "NtroWorkflow"]

_log = logging.getLogger("ntro.workflow")


def to_jsonable(value: Any) -> Any:
    """Return ``value`` with Pydantic models dumped to JSON-compatible dicts."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


class NtroWorkflow:
    """Base class of runbooks: steps, signal-driven gates, row actions and child workflows."""

    def __init__(self) -> None:
        self._current_step_id: str | None = None
        self._steps_completed: list[str] = []
        self._children_by_step_id: dict[str, list[dict[str, Any]]] = {}
        self._received_user_action: dict[str, Any] | None = None
        self._pending_row_actions: list[dict[str, Any]] = []
        self._pending_payload: Any = None
        self._pending_action: dict[str, Any] | None = None
        self._user_feedback: dict[str, Any] | None = None
        self._step_snapshots: dict[str, dict[str, Any]] = {}
        self._gate_token = 0
        self._review_gate: int | None = None
        self._ai_config: Any = None
        self._child_ids: set[str] = set()
        self._checks_warned = False

    # -- queries and the user_action signal ---------------------------------------------------
    @runbook.query
    def current_ui_state(self) -> dict[str, Any]:
        """The UI's view: current step, completed steps, children and pending payload."""
        return {
            "current_step_id": self._current_step_id,
            "steps_completed": list(self._steps_completed),
            "children": {
                step: [{"run_id": c["run_id"], "slug": c["slug"], "status": c["status"]} for c in kids]
                for step, kids in self._children_by_step_id.items()
            },
            "pending_payload": self._pending_payload,
        }

    @runbook.query
    def step_snapshots(self) -> dict[str, dict[str, Any]]:
        """What each finished step showed: ``{step_id: {display_hint, payload?, decision?, completed_at}}``."""
        return {k: dict(v) for k, v in self._step_snapshots.items()}

    @runbook.query
    def children_by_step_id(self) -> dict[str, list[dict[str, Any]]]:
        """Child workflows by the step that started them."""
        return {k: [dict(c) for c in v] for k, v in self._children_by_step_id.items()}

    @runbook.query
    def current_steps(self) -> list[dict[str, Any]]:
        """The breadcrumb: ``[{id, title, status, icon?}]`` in class-definition order."""
        steps: list[dict[str, Any]] = []
        seen: set[str] = set()
        for klass in reversed(type(self).__mro__):
            for member in vars(klass).values():
                meta = getattr(member, STEP_ATTR, None)
                if not isinstance(meta, dict) or meta["name"] in seen:
                    continue
                seen.add(meta["name"])
                if meta["name"] in self._steps_completed:
                    status = "completed"
                elif meta["name"] == self._current_step_id:
                    status = "active"
                else:
                    status = "pending"
                entry: dict[str, Any] = {"id": meta["name"], "title": meta["title"], "status": status}
                if meta.get("icon"):
                    entry["icon"] = meta["icon"]
                steps.append(entry)
        return steps

    @runbook.query
    def current_pending_action(self) -> dict[str, Any] | None:
        """What the workflow waits for from a person, or a drill-down into running children.

        Every gate's action carries ``gate``, a number new for each gate the
        run opens, so an answering agent never answers the same gate twice.
        """
        if self._pending_action is not None:
            return dict(self._pending_action)
        running = [
            DrillChild(c["workflow_id"], step, c["slug"])
            for step, kids in self._children_by_step_id.items()
            for c in kids
            if c["status"] == "running"
        ]
        return PendingAction.drill_down(running).to_wire() if running else None

    @runbook.query(name="ntro_runbook_state")
    def runbook_state(self) -> dict[str, Any]:
        """The three queries clients read, in one answer (``current_steps``, ``current_pending_action``...)."""
        return {
            "current_steps": self.current_steps(),
            "current_pending_action": self.current_pending_action(),
            "children_by_step_id": self.children_by_step_id(),
        }

    @runbook.signal
    def user_action(self, action: dict[str, Any]) -> None:
        """A person's answer: ``{"kind": "approve"|"reject", ...}``, or a ``row_action``.

        An answer that names its gate (``"gate": N``, as :mod:`ntro.client`
        sends it) is taken only while review ``N`` is open, and a decision
        only once: a second answer to the same review, or one to a review
        already closed, is ignored (and logged). The runbook sees the answer
        without the number. One that names no gate is taken as in ntro 0.1.2.
        """
        gate, action = split_answer(action)
        row = isinstance(action, dict) and action.get("kind") == ROW_ACTION
        if gate is not None and not self._open_for(gate, row=row):
            return
        if row:
            self._pending_row_actions.append(action)
        else:
            self._received_user_action = action

    def _open_for(self, gate: int, *, row: bool) -> bool:
        if gate != self._review_gate:
            runbook.logger.warning("an answer to review gate %s was ignored: that review is not open", gate)
            return False
        if not row and self._received_user_action is not None:
            runbook.logger.warning("a second answer to review gate %s was ignored: it was answered already", gate)
            return False
        return True

    def _revise(self, gate: int, change: Callable[[PendingAction], PendingAction]) -> None:
        """Republish the pending action of gate ``gate``, changed (nothing when another one is published)."""
        current = self._pending_action
        if current is not None and current.get("gate") == gate:
            self._pending_action = change(PendingAction.from_wire(current)).to_wire()

    def _close(self, gate: int) -> dict[str, Any]:
        """Stop publishing gate ``gate``'s pending action; return it as it was last published."""
        closing = self._pending_action if self._pending_action is not None else {}
        self._pending_action = None
        return closing if closing.get("gate") == gate else {}

    # -- steps ----------------------------------------------------------------------------------
    def _capture_step_snapshot(
        self,
        *,
        step_id: str | None = None,
        display_hint: dict[str, Any] | None = None,
        payload: Any = None,
        decision: Any = None,
        overwrite: bool = False,
    ) -> None:
        step = step_id or self._current_step_id
        if step is None or (step in self._step_snapshots and not overwrite):
            return
        snapshot: dict[str, Any] = {"display_hint": display_hint or {"component": "SUMMARY", "config": {}}}
        if payload is not None:
            snapshot["payload"] = to_jsonable(payload)
        if decision is not None:
            snapshot["decision"] = to_jsonable(decision)
        snapshot["completed_at"] = runbook.now().isoformat()
        self._step_snapshots[step] = snapshot

    async def run_step(self, step_id: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` as step ``step_id`` (an activity goes through ``execute_activity``)."""
        self._current_step_id = step_id
        if activity_definition(fn) is not None or getattr(fn, "__temporal_activity_definition", None) is not None:
            kwargs.setdefault("start_to_close_timeout", timedelta(minutes=5))
            result = await runbook.execute_activity(fn, args=args, **kwargs)
        else:
            outcome = fn(*args, **kwargs)
            result = await outcome if isinstance(outcome, Awaitable) else outcome
        if step_id not in self._steps_completed:
            self._steps_completed.append(step_id)
        return result

    # -- human gates ----------------------------------------------------------------------------
    def set_user_feedback(self, *, kind: str, payload: Any, level: str = "info") -> dict[str, Any]:
        """Attach feedback (``{kind, level, payload}``) to the pending action shown to people."""
        if level not in ("info", "warning", "error"):
            raise ValueError(f"level must be info, warning or error, not {level!r}")
        feedback = {"kind": kind, "level": level, "payload": to_jsonable(payload)}
        self._user_feedback = feedback
        if self._pending_action is not None:
            self._pending_action = PendingAction.from_wire(self._pending_action).with_feedback(feedback).to_wire()
        if isinstance(self._pending_payload, dict):
            self._pending_payload["feedback"] = feedback
        return feedback

    def use_ai_config(self, value: Any) -> None:
        """Keep the AI provider configuration for later steps."""
        self._ai_config = value

    def _warn_checks(self, checks_spec: Any) -> None:
        if checks_spec is not None and not self._checks_warned:
            self._checks_warned = True
            runbook.logger.warning(
                "quality checks (checks_spec) are not run by this SDK; the gate proceeds without them"
            )

    async def await_signal_with_action(
        self,
        *,
        predicate: Callable[[], bool],
        action: dict[str, Any],
        timeout: timedelta | float | None = None,
        display_hint: dict[str, Any] | None = None,
        checks_spec: Any = None,
        checks_baseline: Any = None,
        checks_submitted: Any = None,
    ) -> None:
        """Advertise ``action`` as pending and wait until ``predicate()`` is true.

        Args:
            predicate: Becomes true when the signal the action asks for has arrived.
            action: ``{"kind": "submit_file", "reason": ..., "args": {..., "signal_task_id":
                runbook.info().workflow_id, "signal_name": "<signal>"}}``.
            timeout: A timedelta or seconds; on expiry :class:`TimeoutError` is raised.
            display_hint: ``{"component": ..., "config": {...}}`` for the UI.
            checks_spec: Accepted for compatibility; quality checks are not run.
            checks_baseline: Accepted for compatibility.
            checks_submitted: Accepted for compatibility.

        Raises:
            ValueError: ``action["kind"]`` is not a known pending-action kind.
            TimeoutError: The timeout expired first.
        """
        kind = action.get("kind")
        if kind not in PENDING_ACTION_KINDS:
            raise ValueError(f"action kind must be one of {', '.join(PENDING_ACTION_KINDS)}, not {kind!r}")
        self._warn_checks(checks_spec)
        self._gate_token += 1
        gate = self._gate_token
        opened = PendingAction.advertised(
            action, gate=gate, display_hint=display_hint, feedback=self._user_feedback, step_id=self._current_step_id
        )
        published = self._pending_action = opened.to_wire()
        _notify_gate(opened, "opened")
        try:
            await runbook.wait_condition(predicate, timeout=timeout)
        finally:
            pending = self._close(gate) or published
            _notify_gate(opened, "closed")
        self._capture_step_snapshot(
            display_hint=pending.get("display_hint") or {"component": "SUMMARY", "config": {}},
            payload={"args": pending.get("args", {}), "reason": pending.get("reason")},
        )

    async def wait_for_signal_predicate(self, predicate: Callable[[], bool]) -> None:
        """Wait until ``predicate()`` is true, advertising nothing."""
        await runbook.wait_condition(predicate)

    def on_row_action(self, action: dict[str, Any]) -> None:
        """Apply a row action (``{"kind": "row_action", ...}``) while a review is open; override it."""

    def _drain_row_actions(self) -> bool:
        while self._pending_row_actions:
            self.on_row_action(self._pending_row_actions.pop(0))
        return False

    def _take_user_action(self) -> dict[str, Any]:
        action, self._received_user_action = self._received_user_action, None
        if action is None:  # pragma: no cover - the gate only opens once an action arrived
            raise RuntimeError("review gate opened without a user action")
        return action

    async def wait_for_action(
        self,
        *,
        payload: Any = None,
        display_hint: dict[str, Any] | None = None,
        reason: str | None = None,
        checks_spec: Any = None,
        checks_baseline: Any = None,
        checks_submitted: Any = None,
    ) -> dict[str, Any]:
        """Open an approve/reject/correct review and return the person's answer.

        Row actions that arrive meanwhile go to :meth:`on_row_action` without
        closing the gate. The answer is the ``user_action`` signal's dict,
        e.g. ``{"kind": "approve", "corrections": [...]}``.
        """
        self._warn_checks(checks_spec)
        body = to_jsonable(payload)
        hint = display_hint or {"component": "APPROVAL_FORM", "config": {}}
        self._received_user_action = None
        self._pending_payload = body
        self._gate_token += 1
        gate = self._review_gate = self._gate_token
        opened = PendingAction.review(
            payload=body,
            display_hint=hint,
            reason=reason,
            step_id=self._current_step_id,
            feedback=self._user_feedback,
            gate=gate,
        )
        published = self._pending_action = opened.to_wire()
        _notify_gate(opened, "opened")
        try:
            await runbook.wait_condition(lambda: self._drain_row_actions() or self._received_user_action is not None)
        finally:
            self._review_gate = None
            closing = self._close(gate) or published
            hint = closing.get("display_hint", hint)
            self._pending_payload = None
            _notify_gate(opened, "closed")
        decision = self._take_user_action()
        self._capture_step_snapshot(display_hint=hint, payload=body, decision=decision, overwrite=True)
        return decision

    # -- child workflows ------------------------------------------------------------------------
    def _child_id(self, step: str, slug: str, suffix: str | None = None) -> str:
        base = f"{runbook.info().workflow_id}:{step}:{slug}" + (f":{suffix}" if suffix else "")
        child_id, n = base, 1
        while child_id in self._child_ids:
            n += 1
            child_id = f"{base}:{n}"
        self._child_ids.add(child_id)
        return child_id

    async def _run_child(self, *, slug: str, input: Any, step: str, child_id: str) -> Any:
        record: dict[str, Any] = {"workflow_id": child_id, "run_id": "", "slug": slug, "status": "running"}
        self._children_by_step_id.setdefault(step, []).append(record)
        try:
            handle = await runbook.start_child_workflow(
                slug, *(() if input is None else (input,)), id=child_id, task_queue=runbook.info().task_queue
            )
            record["run_id"] = handle.first_execution_run_id
            result = await handle
        except BaseException:
            record["status"] = "failed"
            raise
        record["status"] = "completed"
        return result

    async def run_child_workflow(self, *, slug: str, input: Any, step_id: str | None = None) -> Any:
        """Run the workflow registered as ``slug`` as a child and return its result.

        Its id is ``<this id>:<step>:<slug>`` (a repeat in the same run gets
        ``:2``, ``:3``...). The step is ``step_id``, else the current step, else
        the slug. A child's failure is raised here.
        """
        step = step_id or self._current_step_id or slug
        return await self._run_child(slug=slug, input=input, step=step, child_id=self._child_id(step, slug))

    async def run_child_workflows(self, *, slug: str, inputs: Sequence[Any], step_id: str | None = None) -> list[Any]:
        """Fan out one child per input (ids end ``:<index>``) and return results in input order.

        The first failure is raised once every child has finished.
        """
        step = step_id or self._current_step_id or slug
        ids = [self._child_id(step, slug, str(i)) for i in range(len(inputs))]
        outcomes = await asyncio.gather(
            *(
                self._run_child(slug=slug, input=inp, step=step, child_id=cid)
                for inp, cid in zip(inputs, ids, strict=True)
            ),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return list(outcomes)

    async def collect_documents(
        self,
        *,
        expected: Sequence[dict[str, Any]],
        inputs: Sequence[Any],
        runbook_slug: str = "document-ingest",
        step_id: str | None = None,
        title: str = "Upload sources",
        instructions: str | None = None,
        actions: list[dict[str, Any]] | None = None,
    ) -> list[Any]:
        """Start one ingest child per expected source and wait for all of them.

        Advertises a ``submit_files`` pending action listing one slot per
        source (with the child's id as ``signal_task_id``), refreshed as
        children finish. Returns results in input order.

        Raises:
            ValueError: ``expected`` and ``inputs`` differ in length.
        """
        if len(expected) != len(inputs):
            raise ValueError(f"expected has {len(expected)} entries but inputs has {len(inputs)}")
        step = step_id or self._current_step_id or runbook_slug
        slots: list[dict[str, Any]] = []
        ids: list[str] = []
        for spec in expected:
            source = str(spec.get("source", len(ids)))
            child_id = self._child_id(step, runbook_slug, source)
            ids.append(child_id)
            slots.append(UploadSlot.wire_for(spec, source=source, signal=SignalTarget(SLOT_SIGNAL, child_id)))
        self._gate_token += 1
        gate = self._gate_token
        opened = PendingAction.uploads(
            slots, title=title, instructions=instructions, actions=actions, step_id=self._current_step_id, gate=gate
        )
        self._pending_action = opened.to_wire()
        _notify_gate(opened, "opened")

        async def one(index: int) -> Any:
            try:
                result = await self._run_child(slug=runbook_slug, input=inputs[index], step=step, child_id=ids[index])
            except BaseException:
                self._revise(gate, lambda action: action.with_slot_status(index, "failed"))
                raise
            self._revise(gate, lambda action: action.with_slot_status(index, "completed"))
            return result

        try:
            outcomes = await asyncio.gather(*(one(i) for i in range(len(inputs))), return_exceptions=True)
        finally:
            self._close(gate)
            _notify_gate(opened, "closed")
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return list(outcomes)


# NtroWorkflow keeps the state of steps: @runbook.defn lets its subclasses have @runbook.step methods.
setattr(NtroWorkflow, STEP_STATE_ATTR, True)

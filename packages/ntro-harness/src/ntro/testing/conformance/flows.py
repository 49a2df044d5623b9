"""Focused workflows for the conformance suite, written once with the ntro facade.

Workflow code only: no I/O, no clock, no randomness except through ``runbook``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.events import ObservableResult
from ntro.workflow import NtroWorkflow, RetryPolicy, WorkflowError, activity, runbook

QUICK = RetryPolicy(initial_interval=timedelta(milliseconds=20), backoff_coefficient=1.5, maximum_attempts=5)


# -- activities -------------------------------------------------------------------------------
@activity.defn(name="conf.prepare")
async def prepare(name: str) -> dict[str, Any]:
    """Prepare a batch."""
    return {"prepared": name, "attempt": activity.info().attempt}


@activity.defn(name="conf.finish")
async def finish(state: dict[str, Any]) -> str:
    """Finish a batch."""
    approval = state.get("approval") or {}
    return f"finished {state['prepared']['prepared']} approved by {approval.get('approved_by', '?')}"


@activity.defn(name="conf.add")
def add(a: int, b: int) -> int:
    """Add two numbers (a synchronous activity)."""
    return a + b


@activity.defn(name="conf.describe")
async def describe_activity(tag: str) -> dict[str, Any]:
    """Return what the activity knows about itself."""
    info = activity.info()
    return {
        "tag": tag,
        "workflow_id": info.workflow_id,
        "activity_type": info.activity_type,
        "attempt": info.attempt,
        "task_queue": info.task_queue,
        "in_activity": activity.in_activity(),
    }


@activity.defn(name="conf.flaky")
async def flaky(fail_until: int) -> int:
    """Raise ValueError until attempt ``fail_until``; then return the attempt."""
    attempt = activity.info().attempt
    if attempt < fail_until:
        raise ValueError(f"attempt {attempt} failed")
    return attempt


@activity.defn(name="conf.fatal")
async def fatal(kind: str) -> None:
    """Raise a non-retryable WorkflowError with details."""
    raise WorkflowError(f"fatal {kind}", {"kind": kind}, type="Fatal", non_retryable=True)


# -- a human gate -------------------------------------------------------------------------------
@runbook.defn(slug="conf-gate")
class GateFlow(NtroWorkflow):
    """Prepare, wait at a signal gate (optionally with a timeout), finish."""

    def __init__(self) -> None:
        super().__init__()
        self._approval: dict[str, Any] | None = None

    @runbook.signal
    def approval(self, payload: dict[str, Any]) -> None:
        """The batch is approved."""
        self._approval = dict(payload)

    @runbook.step(name="prepare", title="Prepare the batch", icon="Package")
    async def _prepare(self, name: str) -> dict[str, Any]:
        return await runbook.execute_activity(prepare, name)

    @runbook.step(name="approve", title="Approve the batch", icon="Check")
    async def _approve(self, timeout: timedelta | None) -> None:
        await self.await_signal_with_action(
            predicate=lambda: self._approval is not None,
            action={
                "kind": "submit_file",
                "reason": "approve the batch",
                "args": {"signal_task_id": runbook.info().workflow_id, "signal_name": "approval"},
            },
            timeout=timeout,
        )

    @runbook.run
    async def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """``request``: ``{"name", "timeout_hours"?, "catch_timeout"?}``."""
        prepared = await self._prepare(request.get("name", "batch"))
        hours = request.get("timeout_hours")
        try:
            await self._approve(timedelta(hours=hours) if hours else None)
        except TimeoutError as exc:
            if not request.get("catch_timeout"):
                raise
            return {"status": "timed_out", "error": str(exc), "prepared": prepared, "steps": self.current_steps()}
        done = await runbook.execute_activity(finish, {"approval": self._approval, "prepared": prepared})
        return {
            "status": "approved",
            "done": done,
            "steps": self.current_steps(),
            "snapshots": self.step_snapshots(),
            "ui": self.current_ui_state(),
        }


# -- child workflows -----------------------------------------------------------------------------
@runbook.defn(slug="conf-child")
class ChildFlow:
    """Double ``x`` through an activity; fail for a negative ``x``."""

    @runbook.run
    async def run(self, x: int, label: str = "one-arg") -> dict[str, Any]:
        """Return the doubled value and what the child knows about itself."""
        if x < 0:
            raise WorkflowError(f"negative input {x}", {"x": x}, type="Negative")
        doubled = await runbook.execute_activity(add, args=[x, x])
        info = runbook.info()
        return {"label": label, "value": doubled, "workflow_id": info.workflow_id, "parent": info.parent_workflow_id}


@runbook.defn(slug="conf-slow-child")
class SlowChildFlow:
    """Take two hours of workflow time."""

    @runbook.run
    async def run(self) -> str:
        """Sleep, then answer (too late for an impatient parent)."""
        await runbook.sleep(timedelta(hours=2))
        return "late"


@runbook.defn(slug="conf-impatient")
class ImpatientFlow:
    """Give a child one hour; its timeout reaches the parent as ``TimeoutError``."""

    @runbook.run
    async def run(self) -> dict[str, Any]:
        """Return how the child's timeout looked from here."""
        start = runbook.now()
        try:
            result = await runbook.execute_child_workflow("conf-slow-child", execution_timeout=timedelta(hours=1))
        except TimeoutError:
            return {"outcome": "timeout", "waited_minutes": round((runbook.now() - start).total_seconds() / 60)}
        return {"outcome": "result", "result": result}


@runbook.defn(slug="conf-parent")
class ParentFlow(NtroWorkflow):
    """Start children by slug and by class, with and without ids, and through the base class."""

    @runbook.run
    async def run(self) -> dict[str, Any]:
        """Return every child's result."""
        wf = runbook.info().workflow_id
        by_slug = await runbook.execute_child_workflow("conf-child", 3)
        by_class = await runbook.execute_child_workflow(ChildFlow, args=[4, "two-args"])
        handle = await runbook.start_child_workflow("conf-child", 5, id=f"{wf}:explicit")
        started = {"id": handle.id, "result": await handle}
        via_base = await self.run_child_workflow(slug="conf-child", input=6, step_id="single")
        return {
            "by_slug": by_slug,
            "by_class": by_class,
            "started": started,
            "via_base": via_base,
            "children": self.children_by_step_id(),
        }


@runbook.defn(slug="conf-fan-out")
class FanOutFlow(NtroWorkflow):
    """Fan out one child per input with ``run_child_workflows``."""

    @runbook.step(name="fan_out", title="Fan out", icon="Split")
    async def _fan_out(self, inputs: list[int]) -> list[Any]:
        return await self.run_child_workflows(slug="conf-child", inputs=inputs)

    @runbook.run
    async def run(self, inputs: list[int]) -> dict[str, Any]:
        """Return the children's results in input order, or the first failure."""
        try:
            results: Any = await self._fan_out(inputs)
        except WorkflowError as exc:
            results = {"error": [exc.type, exc.message, list(exc.details)]}
        return {"results": results, "children": self.children_by_step_id(), "steps": self.current_steps()}


# -- retries and errors ---------------------------------------------------------------------------
@runbook.defn(slug="conf-retry")
class RetryFlow:
    """Retry policies: success after retries, non-retryable errors, exhausted attempts."""

    @runbook.run
    async def run(self) -> dict[str, Any]:
        """Return how each call ended."""
        out: dict[str, Any] = {"flaky": await runbook.execute_activity(flaky, 3, retry_policy=QUICK)}
        try:
            await runbook.execute_activity(fatal, "x", retry_policy=QUICK)
        except WorkflowError as exc:
            out["fatal"] = [exc.type, exc.message, exc.non_retryable, list(exc.details)]
        no_value_errors = RetryPolicy(
            initial_interval=timedelta(milliseconds=20), maximum_attempts=5, non_retryable_error_types=["ValueError"]
        )
        try:
            await runbook.execute_activity(flaky, 9, retry_policy=no_value_errors)
        except WorkflowError as exc:
            out["not_retried"] = [exc.type, exc.message, exc.non_retryable]
        twice = RetryPolicy(initial_interval=timedelta(milliseconds=20), maximum_attempts=2)
        try:
            await runbook.execute_activity(flaky, 9, retry_policy=twice)
        except WorkflowError as exc:
            out["exhausted"] = [exc.type, exc.message, exc.non_retryable]
        return out


@runbook.defn(slug="conf-fail")
class FailFlow:
    """Ways a workflow fails: its own WorkflowError, an activity's, an unknown child slug."""

    @runbook.run
    async def run(self, how: str) -> str:
        """Fail as ``how`` says."""
        if how == "workflow-error":
            raise WorkflowError("bad input", {"field": "period"}, type="BadInput")
        if how == "activity":
            await runbook.execute_activity(fatal, "uncaught", retry_policy=QUICK)
        if how == "unknown-slug":
            await runbook.execute_child_workflow("no-such-slug", 1)
        if how == "child":
            await runbook.execute_child_workflow("conf-child", -1)
        return "not failed"


# -- arguments, clock, randomness, info -------------------------------------------------------------
@runbook.defn(slug="conf-args")
class ArgsFlow:
    """Several workflow arguments, ``args=`` for activities and children, sync and async activities."""

    @runbook.run
    async def run(self, a: int, b: str, options: dict[str, Any]) -> dict[str, Any]:
        """Echo what arrived and what the activities saw."""
        total = await runbook.execute_activity(add, args=[a, options["extra"]])
        described = await runbook.execute_activity(describe_activity, b)
        by_name = await runbook.execute_activity("conf.add", args=[total, 1])
        child = await runbook.execute_child_workflow("conf-child", args=[a, b])
        return {
            "a": a,
            "b": b,
            "options": options,
            "total": total,
            "by_name": by_name,
            "described": described,
            "child": child,
        }


@runbook.defn(slug="conf-clock")
class ClockFlow:
    """``now``, ``sleep``, ``random``, ``uuid4``, ``info`` and ``logger``: replay-safe on both engines."""

    @runbook.run
    async def run(self) -> dict[str, Any]:
        """Return properties of the clock and the generators (their values differ per engine)."""
        first = runbook.now()
        await runbook.sleep(timedelta(days=3))
        second = runbook.now()
        await runbook.sleep(90)  # seconds
        third = runbook.now()
        rng = runbook.random()
        values = [rng.random() for _ in range(3)]
        ids = [runbook.uuid4() for _ in range(3)]
        info = runbook.info()
        runbook.logger.info("clock flow done")
        return {
            "utc": first.utcoffset() == timedelta(0),
            "slept_3_days": timedelta(days=3) <= second - first < timedelta(days=3, minutes=1),
            "slept_90_s": timedelta(seconds=90) <= third - second < timedelta(seconds=150),
            "random_in_range": all(0 <= v < 1 for v in values),
            "random_varies": len(set(values)) == 3,
            "uuid_versions": [u.version for u in ids],
            "uuids_distinct": len(set(ids)) == 3,
            "workflow_id": info.workflow_id,
            "workflow_type": info.workflow_type,
            "task_queue": info.task_queue,
            "attempt": info.attempt,
            "parent": info.parent_workflow_id,
            "in_workflow": runbook.in_workflow(),
        }


# -- long-running runbooks: heartbeats, continue-as-new, updates, versioning ---------------------
@activity.defn(name="conf.resumable")
async def resumable(rows: int) -> dict[str, Any]:
    """Load ``rows`` rows, heartbeating after each; the first attempt fails after three.

    A retried attempt resumes from the last heartbeat's details.
    """
    info = activity.info()
    start = int(info.heartbeat_details[0]) if info.heartbeat_details else 0
    for row in range(start, rows):
        activity.heartbeat(row + 1)
        if info.attempt == 1 and row + 1 == 3:
            raise ValueError("lost the connection after row 3")
    return {"attempt": info.attempt, "resumed_from": start, "rows": rows}


@runbook.defn(slug="conf-resume")
class ResumeFlow:
    """Run an activity that fails part-way; its retry resumes from its heartbeats."""

    @runbook.run
    async def run(self, rows: int) -> dict[str, Any]:
        """Load ``rows`` rows with retries and a heartbeat timeout."""
        return await runbook.execute_activity(
            resumable, rows, retry_policy=QUICK, heartbeat_timeout=timedelta(minutes=5)
        )


@runbook.defn(slug="conf-periods")
class PeriodsFlow:
    """Close one period per run, continuing as new until the last, carrying the running total."""

    @runbook.run
    async def run(self, state: dict[str, Any]) -> dict[str, Any]:
        """``state``: ``{"period", "last", "total", "runs"}``."""
        period = int(state["period"])
        total = await runbook.execute_activity(add, args=[int(state.get("total", 0)), period])
        runs = [*state.get("runs", []), period]
        if period < int(state["last"]):
            runbook.continue_as_new({"period": period + 1, "last": state["last"], "total": total, "runs": runs})
        return {"total": total, "runs": runs, "workflow_id": runbook.info().workflow_id}


@runbook.defn(slug="conf-update")
class UpdateFlow(NtroWorkflow):
    """Wait at a review while updates change the run's limit; a validator refuses bad limits."""

    def __init__(self) -> None:
        super().__init__()
        self.limit = 10
        self.changes: list[int] = []

    @runbook.update
    async def set_limit(self, limit: int) -> dict[str, Any]:
        """Change the limit and answer with the new state; a limit over 1000 fails the update."""
        if limit > 1000:
            raise WorkflowError(f"limit {limit} is over the ceiling", {"ceiling": 1000}, type="OverCeiling")
        self.limit = limit
        self.changes.append(limit)
        return {"limit": self.limit, "changes": len(self.changes)}

    @set_limit.validator
    def _check_limit(self, limit: int) -> None:
        if limit <= 0:
            raise ValueError(f"the limit must be positive, not {limit}")

    @runbook.step(name="review", title="Review the limit", icon="Check")
    async def _review(self) -> dict[str, Any]:
        return await self.wait_for_action(payload={"limit": self.limit}, reason="review the limit")

    @runbook.run
    async def run(self) -> dict[str, Any]:
        """Wait for the review, then report the limit the updates left."""
        decision = await self._review()
        return {"limit": self.limit, "changes": self.changes, "decision": decision.get("kind")}


@runbook.defn(slug="conf-patched")
class PatchedFlow:
    """A changed runbook: a new run takes the patched path, and a retired patch leaves no branch."""

    @runbook.run
    async def run(self, x: int) -> dict[str, Any]:
        """Add through the old or the new path."""
        if runbook.patched("double-first"):
            value = await runbook.execute_activity(add, args=[x, x])
        else:
            value = await runbook.execute_activity(add, args=[x, 0])
        runbook.deprecate_patch("retired-change")
        return {"value": value, "patched": runbook.patched("double-first")}


# -- observability events -------------------------------------------------------------------------
class BatchLoaded(ObservableResult):
    """An activity result that is also an event."""

    class ObserverMeta:
        """Names the event."""

        event_type = "conf.batch_loaded"

    batch: str
    rows: int


@activity.defn(name="conf.load_batch")
async def load_batch(batch: str) -> BatchLoaded:
    """Load a batch; the result is emitted as ``conf.batch_loaded``."""
    return BatchLoaded(batch=batch, rows=len(batch))


@runbook.defn(slug="conf-events")
class EventsFlow:
    """Load two batches; each result is an observability event."""

    @runbook.run
    async def run(self, batches: list[str]) -> list[int]:
        """Return the rows of each batch."""
        return [(await runbook.execute_activity(load_batch, b)).rows for b in batches]


# -- signalling a child -----------------------------------------------------------------------------
@runbook.defn(slug="conf-notes")
class NotesFlow:
    """Note what each ``note`` signal carries until ``close``."""

    def __init__(self) -> None:
        self.notes: list[Any] = []
        self.closed = False

    @runbook.signal
    def note(self, value: Any = "<no argument>") -> None:
        """Note the value sent (the default when none was)."""
        self.notes.append(value)

    @runbook.signal
    def close(self) -> None:
        """Stop taking notes."""
        self.closed = True

    @runbook.run
    async def run(self) -> list[Any]:
        """Return the notes, in the order they came."""
        await runbook.wait_condition(lambda: self.closed)
        return self.notes


@runbook.defn(slug="conf-signals-child")
class SignalsChildFlow:
    """Signal a child with ``None``, with no argument, and with a value: ``None`` is a value like any other."""

    @runbook.run
    async def run(self) -> dict[str, Any]:
        """Return what the child noted."""
        # A child handle's signal is no part of the ChildWorkflowHandle protocol; both engines' handles have it.
        child: Any = await runbook.start_child_workflow(NotesFlow, id=f"{runbook.info().workflow_id}:notes")
        await child.signal("note", None)
        await child.signal("note")
        await child.signal("note", {"k": [1, 2]})
        await child.signal("close")
        return {"notes": await child}

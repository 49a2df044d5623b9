"""Workflows and activities for ntro-runtime-temporal's own tests, written with the ntro facade.

This is a plain importable module (its directory is put on ``sys.path`` by the
tests' conftest) because the Temporal sandbox re-imports workflow modules by name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pydantic

from ntro.workflow import RetryPolicy, WorkflowError, activity, runbook


class Greeting(pydantic.BaseModel):
    """A pydantic input, to prove the data converter."""

    name: str
    times: int = 1


class Reply(pydantic.BaseModel):
    """A pydantic result."""

    text: str
    total: int


@activity.defn(name="tflows.greet")
async def greet(request: Greeting) -> Reply:
    """Async activity with a model in and out."""
    info = activity.info()
    return Reply(text=f"hello {request.name} from {info.activity_type} attempt {info.attempt}", total=request.times)


@activity.defn(name="tflows.add")
def add(a: int, b: int) -> int:
    """Sync activity with two arguments (runs on the plugin's thread pool)."""
    return a + b


@activity.defn(name="tflows.flaky")
async def flaky(fail_until: int) -> int:
    """Fail with ValueError until attempt ``fail_until``, then return the attempt."""
    attempt = activity.info().attempt
    if attempt < fail_until:
        raise ValueError(f"attempt {attempt} failed")
    return attempt


@activity.defn(name="tflows.fatal")
async def fatal(kind: str) -> None:
    """Raise a non-retryable WorkflowError."""
    raise WorkflowError(f"fatal {kind}", {"kind": kind}, type="Fatal", non_retryable=True)


class _Handlers:
    """A base class declaring handlers: temporalio must see them on the subclass."""

    def __init__(self) -> None:
        self.answer: str | None = None
        self.history: list[str] = []

    @runbook.query
    def current_answer(self) -> str | None:
        return self.answer

    @runbook.signal(name="answer")
    def give_answer(self, value: str) -> None:
        self.answer = value
        self.history.append(value)


@runbook.defn(slug="tflows-child")
class ChildFlow:
    """A child: doubles its input through an activity."""

    @runbook.run
    async def run(self, x: int, label: str = "c") -> dict[str, Any]:
        doubled = await runbook.execute_activity(add, args=[x, x])
        info = runbook.info()
        return {"label": label, "value": doubled, "id": info.workflow_id, "parent": info.parent_workflow_id}


@runbook.defn(slug="tflows-main")
class MainFlow(_Handlers):
    """Exercises every Runtime call: activities, signal-gated wait, timer, children, info, clock."""

    @runbook.run
    async def run(self, request: Greeting) -> dict[str, Any]:
        reply = await runbook.execute_activity(greet, request)
        total = await runbook.execute_activity(add, args=[2, 3])
        start = runbook.now()
        await runbook.sleep(timedelta(days=3))
        slept = runbook.now() - start
        try:
            await runbook.wait_condition(lambda: self.answer is not None, timeout=timedelta(hours=1))
            gate = f"answered {self.answer}"
        except TimeoutError as exc:
            gate = f"timeout: {exc}"
        by_slug = await runbook.execute_child_workflow("tflows-child", 4)
        by_class = await runbook.execute_child_workflow(ChildFlow, args=[5, "k"], id="explicit-child")
        handle = await runbook.start_child_workflow("tflows-child", 6)
        started = {"id": handle.id, "result": await handle}
        info = runbook.info()
        uid = runbook.uuid4()
        return {
            "reply": reply.model_dump(),
            "reply_is_model": isinstance(reply, Reply),
            "total": total,
            "slept_days": slept.days,
            "gate": gate,
            "by_slug": by_slug,
            "by_class": by_class,
            "started": started,
            "workflow_id": info.workflow_id,
            "workflow_type": info.workflow_type,
            "uuid_version": uid.version,
            "random_ok": 0 <= runbook.random().random() < 1,
            "in_workflow": runbook.in_workflow(),
            "tz": str(runbook.now().tzinfo),
        }


@runbook.defn(slug="tflows-errors")
class ErrorFlow:
    """Retries, non-retryable errors and their translation to WorkflowError."""

    @runbook.run
    async def run(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        quick = RetryPolicy(initial_interval=timedelta(milliseconds=10), maximum_attempts=5)
        out["flaky"] = await runbook.execute_activity(flaky, 3, retry_policy=quick)
        try:
            await runbook.execute_activity(fatal, "x", retry_policy=quick)
        except WorkflowError as exc:
            out["fatal"] = [exc.type, exc.message, exc.non_retryable, list(exc.details)]
        no_value_error = RetryPolicy(
            initial_interval=timedelta(milliseconds=10), maximum_attempts=5, non_retryable_error_types=["ValueError"]
        )
        try:
            await runbook.execute_activity(flaky, 9, retry_policy=no_value_error)
        except WorkflowError as exc:
            out["value_error"] = [exc.type, exc.message]
        two = RetryPolicy(initial_interval=timedelta(milliseconds=10), maximum_attempts=2)
        try:
            await runbook.execute_activity(flaky, 9, retry_policy=two)
        except WorkflowError as exc:
            out["exhausted"] = [exc.type, exc.message]
        return out


@runbook.defn(slug="tflows-fail")
class FailFlow:
    """Fails the workflow with a WorkflowError carrying details."""

    @runbook.run
    async def run(self, how: str) -> None:
        if how == "workflow-error":
            raise WorkflowError("bad input", {"field": "x"}, type="BadInput")
        if how == "activity":
            await runbook.execute_activity(fatal, "uncaught", retry_policy=RetryPolicy(maximum_attempts=3))
        if how == "timeout":
            await runbook.wait_condition(lambda: False, timeout=timedelta(minutes=5))
        if how == "unknown-slug":
            await runbook.execute_child_workflow("no-such-slug")


from ntro.workflow import NtroWorkflow  # noqa: E402  (kept next to the flows that use it)


@runbook.defn(slug="tflows-gate")
class GateFlow(NtroWorkflow):
    """An NtroWorkflow: a step with a submit_file gate, then fan-out children."""

    def __init__(self) -> None:
        super().__init__()
        self.document: dict[str, Any] | None = None

    @runbook.signal
    def document_submitted(self, payload: dict[str, Any]) -> None:
        self.document = payload

    @runbook.step(name="upload", title="Upload", icon="Upload")
    async def _upload(self) -> None:
        await self.await_signal_with_action(
            predicate=lambda: self.document is not None,
            action={
                "kind": "submit_file",
                "reason": "upload it",
                "args": {"signal_task_id": runbook.info().workflow_id, "signal_name": "document_submitted"},
            },
            timeout=timedelta(days=2),
        )

    @runbook.step(name="fan_out", title="Fan out", icon="Split")
    async def _fan_out(self) -> list[Any]:
        return await self.run_child_workflows(slug="tflows-child", inputs=[1, 2])

    @runbook.run
    async def run(self) -> dict[str, Any]:
        await self._upload()
        children = await self._fan_out()
        return {"document": self.document, "children": children, "steps": self.current_steps()}


@runbook.defn(slug="tflows-notes")
class NotesFlow:
    """A plain workflow (no NtroWorkflow queries): collects ``note`` signals until ``done``."""

    def __init__(self) -> None:
        self.notes: list[Any] = []
        self.finished = False

    @runbook.signal
    def note(self, value: Any) -> None:
        self.notes.append(value)

    @runbook.signal
    def done(self) -> None:
        self.finished = True

    @runbook.query
    def seen(self) -> list[Any]:
        return list(self.notes)

    @runbook.run
    async def run(self, label: str) -> Reply:
        await runbook.wait_condition(lambda: self.finished)
        return Reply(text=f"{label}: {self.notes!r}", total=len(self.notes))

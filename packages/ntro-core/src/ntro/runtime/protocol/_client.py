"""The client side of a backend: start, watch, answer and collect runs, on any engine.

A backend publishes a client factory under the entry-point group
``ntro.clients`` (``local = "ntro.runtime.local:open_client"``). The factory
takes :class:`ClientOptions` and returns an async context manager that yields
a :class:`WorkflowClient`; leaving it stops whatever the factory started (a
worker, a dev server). :func:`open_client` finds the factory by name.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

import attrs

from ntro.runtime.protocol._actions import PendingAction
from ntro.runtime.protocol._errors import RuntimeNotAvailableError
from ntro.runtime.protocol._selection import INSTALL_HINT

__all__ = [
    "CLIENT_ENTRY_POINT_GROUP",
    "RUNBOOK_QUERIES",
    "RUNBOOK_STATE_QUERY",
    "ChildRun",
    "ClientFactory",
    "ClientOptions",
    "RUN_EVENT_KINDS",
    "RunEvent",
    "RunEventSource",
    "RunObserver",
    "RunbookState",
    "StepState",
    "WorkflowClient",
    "WorkflowDescription",
    "WorkflowHandle",
    "WorkflowStatus",
    "installed_clients",
    "open_client",
    "require_clients",
    "runbook_state",
]

CLIENT_ENTRY_POINT_GROUP = "ntro.clients"
"""The entry-point group under which backends publish their client factory."""


class WorkflowStatus(enum.StrEnum):
    """The status of a run; the names are Temporal's execution statuses."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"
    TIMED_OUT = "TIMED_OUT"
    CONTINUED_AS_NEW = "CONTINUED_AS_NEW"

    @property
    def finished(self) -> bool:
        """Whether the run has ended (anything but ``RUNNING``)."""
        return self is not WorkflowStatus.RUNNING

    @property
    def in_words(self) -> str:
        """The status in words, for messages (``completed``, ``was cancelled``, ``was terminated``...)."""
        return _IN_WORDS[self]


_IN_WORDS = {
    WorkflowStatus.RUNNING: "is running",
    WorkflowStatus.COMPLETED: "completed",
    WorkflowStatus.FAILED: "failed",
    WorkflowStatus.CANCELED: "was cancelled",
    WorkflowStatus.TERMINATED: "was terminated",
    WorkflowStatus.TIMED_OUT: "timed out",
    WorkflowStatus.CONTINUED_AS_NEW: "continued as a new run",
}


@attrs.frozen
class StepState:
    """One step of a runbook's breadcrumb.

    Attributes:
        id: The step id (``@runbook.step(name=...)``).
        title: What people see.
        status: ``"completed"``, ``"active"`` or ``"pending"``.
        icon: A Lucide icon name, if the step has one.
    """

    id: str
    title: str
    status: str
    icon: str | None = None


@attrs.frozen
class ChildRun:
    """A child workflow a runbook started, as the runbook records it.

    Attributes:
        workflow_id: The child's workflow id.
        slug: The slug it was started by.
        step_id: The step that started it.
        status: ``"running"``, ``"completed"`` or ``"failed"``.
    """

    workflow_id: str
    slug: str
    step_id: str
    status: str


@attrs.frozen
class RunbookState:
    """What an ``NtroWorkflow`` tells about itself through its queries."""

    steps: tuple[StepState, ...] = ()
    pending_action: Mapping[str, Any] | None = None
    children: tuple[ChildRun, ...] = ()


RUNBOOK_QUERIES = ("current_steps", "current_pending_action", "children_by_step_id")
"""The queries :func:`runbook_state` reads, in its argument order."""

RUNBOOK_STATE_QUERY = "ntro_runbook_state"
"""One query an ``NtroWorkflow`` answers with all of :data:`RUNBOOK_QUERIES` at once (by name):
a networked client asks it instead of three, and falls back to the three for older runbooks."""


def runbook_state(steps: Any, pending_action: Any, children: Any) -> RunbookState:
    """Build a :class:`RunbookState` from the answers to :data:`RUNBOOK_QUERIES`.

    Every backend's ``describe`` goes through this one function, so the
    shapes are the same on every engine. An answer of ``None`` (the workflow
    has no such query) leaves that part empty.
    """
    step_states = tuple(
        StepState(str(s.get("id")), str(s.get("title", s.get("id"))), str(s.get("status")), s.get("icon"))
        for s in (steps or ())
        if isinstance(s, Mapping)
    )
    child_runs = tuple(
        ChildRun(str(c.get("workflow_id")), str(c.get("slug")), str(step), str(c.get("status")))
        for step, kids in (children or {}).items()
        for c in kids
        if isinstance(c, Mapping)
    )
    pending = dict(pending_action) if isinstance(pending_action, Mapping) else None
    return RunbookState(step_states, pending, child_runs)


@attrs.frozen
class WorkflowDescription:
    """A snapshot of one run, the same on every engine.

    Attributes:
        workflow_id: The workflow id.
        run_id: The engine's run id (empty under LocalRuntime).
        workflow_type: The workflow type name (the class name by default).
        status: Where the run is.
        task_queue: The task queue it runs on.
        start_time: When it started (UTC), if known.
        close_time: When it ended (UTC), if it has.
        parent_workflow_id: The parent's id, for a child workflow.
        steps: The runbook's steps and their state (empty when unknown).
        pending_action: What the runbook waits for from a person, or ``None``.
        children: The child workflows the runbook started.
        task_failure: Why the engine keeps retrying the run's workflow task (a
            bug in workflow code: Temporal retries it until the code is
            fixed): ``<ExceptionType>: <message>`` on the first line, then the
            traceback; ``None`` when it is not failing.
            LocalRuntime fails the run instead, so it never sets this.
    """

    workflow_id: str
    run_id: str
    workflow_type: str
    status: WorkflowStatus
    task_queue: str = ""
    start_time: datetime | None = None
    close_time: datetime | None = None
    parent_workflow_id: str | None = None
    steps: tuple[StepState, ...] = ()
    pending_action: Mapping[str, Any] | None = None
    children: tuple[ChildRun, ...] = ()
    task_failure: str | None = None

    @property
    def action(self) -> PendingAction | None:
        """:attr:`pending_action` read as a :class:`~ntro.client.PendingAction` (``None`` when there is none)."""
        return PendingAction.parse(self.pending_action)

    def with_state(self, state: RunbookState) -> WorkflowDescription:
        """Return this description with the runbook's own state filled in."""
        return attrs.evolve(self, steps=state.steps, pending_action=state.pending_action, children=state.children)

    def to_json(self) -> dict[str, Any]:
        """Return the description as JSON-ready data (times as ISO 8601 strings)."""
        return {
            "workflow_id": self.workflow_id,
            "run_id": self.run_id,
            "workflow_type": self.workflow_type,
            "status": self.status.value,
            "task_queue": self.task_queue,
            "start_time": self.start_time.isoformat() if self.start_time else None,
            "close_time": self.close_time.isoformat() if self.close_time else None,
            "parent_workflow_id": self.parent_workflow_id,
            "steps": [attrs.asdict(s) for s in self.steps],
            "pending_action": self.pending_action,
            "children": [attrs.asdict(c) for c in self.children],
            "task_failure": self.task_failure,
        }


RUN_EVENT_KINDS = (
    "step.started",
    "step.completed",
    "step.failed",
    "gate.opened",
    "gate.closed",
    "child.started",
    "workflow.crashed",
)
"""The kinds of :class:`RunEvent`, the same on every engine that reports them."""


@attrs.frozen
class RunEvent:
    """Something a run's workflow code did, reported as it happens (see :class:`RunEventSource`).

    Attributes:
        kind: One of :data:`RUN_EVENT_KINDS`:

            * ``step.started``, ``step.completed``, ``step.failed``: a
              ``@runbook.step`` began, returned or raised (``step_id``, ``title``);
            * ``gate.opened``, ``gate.closed``: a gate (a pending action) was
              advertised, or stopped being (``gate``: its number in the run,
              ``action``: the pending action's kind, ``step_id``);
            * ``child.started``: the workflow started a child (``child_workflow_id``);
            * ``workflow.crashed``: the engine failed a workflow task because
              workflow code raised (an engine that retries such a task, as
              Temporal does, instead of failing the run): ``error_type``,
              ``message`` and ``traceback`` (the text of the Python traceback).
        workflow_id: The workflow it happened in (a child's own id for a child).
        detail: Kind-specific facts (JSON-ready, except where said).
    """

    kind: str
    workflow_id: str
    detail: Mapping[str, Any] = attrs.field(factory=dict)


RunObserver = Callable[[RunEvent], None]
"""A callable told about each :class:`RunEvent`.

It may be called from the engine's own thread (a Temporal worker runs workflow
code on a thread pool): it must be quick, must not block, and must hand work
to an event loop with ``call_soon_threadsafe``. Workflow code waits for it, but
nothing it does can change the workflow's state.
"""


@runtime_checkable
class RunEventSource(Protocol):
    """What a :class:`WorkflowClient` offers when it can tell what its runs do, as they do it (optional).

    A client whose workflow code runs in its own process can: the local
    client (fed by its LocalRuntime), and the Temporal client that hosts its
    own worker (``ClientOptions.workflows``). Each event is reported once, in
    the order workflow code did it (never again when Temporal replays a
    history). A client of a remote cluster has nothing to report: check with
    ``isinstance(client, RunEventSource)`` and fall back to
    :meth:`~ntro.runtime.protocol.WorkflowHandle.describe`.
    """

    def add_run_observer(self, observer: RunObserver) -> None:
        """Tell ``observer`` about every :class:`RunEvent` of this client's runs from now on."""

    def remove_run_observer(self, observer: RunObserver) -> None:
        """Stop telling ``observer`` (nothing happens when it was not added)."""


@runtime_checkable
class WorkflowHandle(Protocol):
    """A run, started or looked up through a :class:`WorkflowClient`."""

    @property
    def id(self) -> str:
        """The workflow id."""

    async def signal(self, signal: str, *args: Any) -> None:
        """Send ``signal`` with ``args`` (none, or one; ``None`` is a value like any other).

        Raises:
            WorkflowNotFoundError: No running workflow has this id.
        """

    async def query(self, query: str, *args: Any) -> Any:
        """Call a query handler and return its answer.

        Raises:
            WorkflowNotFoundError: No workflow has this id.
            LookupError: The workflow has no such query.
        """

    async def update(self, update: str, *args: Any) -> Any:
        """Send an update (``@runbook.update``) with ``args`` (none, or one) and return the handler's answer.

        Raises:
            WorkflowNotFoundError: No running workflow has this id.
            LookupError: The workflow has no such update.
            UpdateFailedError: Its validator refused the request, or the
                handler failed; ``cause`` holds the error, as a
                :class:`~ntro.workflow.exceptions.WorkflowError`. The run goes on.
        """

    async def result(self) -> Any:
        """Wait for the run to end and return its result.

        Raises:
            WorkflowFailedError: It failed, was cancelled, terminated or timed
                out; ``cause`` holds the runbook's own error.
        """

    async def describe(self) -> WorkflowDescription:
        """Return the run's status, steps, pending action and children.

        Raises:
            WorkflowNotFoundError: No workflow has this id.
        """

    async def cancel(self) -> None:
        """Ask the run to cancel (its children and activities with it)."""


@runtime_checkable
class WorkflowClient(Protocol):
    """Start, find and list runs on one engine."""

    runtime_name: str
    """The backend's name, as in ``ntro.runtimes`` (``"local"``, ``"temporal"``)."""

    async def start_workflow(
        self,
        workflow: type | str,
        *args: Any,
        id: str | None = None,
        task_queue: str | None = None,
        start_signal: str | None = None,
        start_signal_args: Sequence[Any] = (),
    ) -> WorkflowHandle:
        """Start a workflow, by class or slug, and return its handle.

        Args:
            workflow: A ``@runbook.defn`` class, or its slug.
            *args: The run method's arguments.
            id: The workflow id (default: a random UUID, as ntro 0.1.2's ids were).
            task_queue: The task queue (default: the client's).
            start_signal: A signal delivered before the run method starts (signal-with-start).
            start_signal_args: Its arguments.

        Raises:
            WorkflowAlreadyStartedError: A run with that id is running.
            WorkflowError: The slug names no workflow (``type="UnknownWorkflowSlug"``).
        """

    def get_workflow_handle(self, workflow_id: str) -> WorkflowHandle:
        """Return a handle to the run with ``workflow_id`` (checked when first used)."""

    async def list_workflows(
        self, *, status: WorkflowStatus | None = None, limit: int | None = None
    ) -> list[WorkflowDescription]:
        """Return runs, newest first, without their runbook state (``describe`` one for that)."""

    async def wait_for_change(self, timeout: float) -> None:
        """Return when a run of this client may have changed, or after ``timeout`` seconds.

        In-process engines return at the next event (no polling delay);
        networked ones may simply wait a short poll interval.
        """

    def hold_time(self) -> AbstractAsyncContextManager[None]:
        """Keep skipped (virtual) time from moving while the caller looks and answers.

        A no-op where time is real.
        """

    async def advance_time(self, workflow_ids: Sequence[str], timeout: float) -> None:
        """Let the runs ``workflow_ids`` move on by themselves, for at most ``timeout`` seconds.

        Where time is real this is :meth:`wait_for_change`. Where time is
        skipped, the clock moves once nothing else can happen (no activity or
        workflow task in flight), and only as far as the runs' next timer, so
        a gate opened by the work that timer wakes is seen before its own
        timeout can fire.
        """


@attrs.frozen
class ClientOptions:
    """What a client factory is asked for.

    Attributes:
        workflows: Workflow classes the client must be able to run: an engine
            that needs a worker hosts them on one for the client's lifetime.
        activities: Activity functions to host with them.
        task_queue: The task queue (default: the backend's own for a hosted
            run, or one private to this client).
        payload_parity: Pass inputs, activity and child arguments and
            results, signals, queries and results through the same JSON
            conversion Temporal uses, so what Temporal cannot carry fails
            locally too. Networked engines always do.
        time_skipping: Let timers fire as soon as the run is idle (the
            virtual clock locally, the time-skipping test server on Temporal).
        connection: Backend-specific connection settings (for Temporal:
            ``host``, ``namespace``...); ``None`` means the environment, or a
            server started for the client when the backend can.
    """

    workflows: Sequence[type] = ()
    activities: Sequence[Callable[..., Any]] = ()
    task_queue: str | None = None
    payload_parity: bool = True
    time_skipping: bool = False
    connection: Mapping[str, Any] | None = None


class ClientFactory(Protocol):
    """What a backend publishes under ``ntro.clients``."""

    def __call__(self, options: ClientOptions, /) -> AbstractAsyncContextManager[WorkflowClient]:
        """Return a context manager that yields a client and cleans up after it."""


def installed_clients() -> list[str]:
    """Return the names of the backends that publish a client, sorted."""
    return sorted({ep.name for ep in entry_points(group=CLIENT_ENTRY_POINT_GROUP)})


def open_client(name: str, options: ClientOptions | None = None) -> AbstractAsyncContextManager[WorkflowClient]:
    """Return the client of the installed backend ``name``, as an async context manager.

    ::

        async with open_client("local", ClientOptions(workflows=[MyWorkflow])) as client:
            handle = await client.start_workflow(MyWorkflow, arg)
            print(await handle.result())

    Raises:
        RuntimeNotAvailableError: No installed backend of that name publishes a client
            (the message says what to install).
    """
    for ep in entry_points(group=CLIENT_ENTRY_POINT_GROUP):
        if ep.name == name:
            try:
                factory: ClientFactory = ep.load()
            except ImportError as exc:
                raise RuntimeNotAvailableError(
                    f"the {name!r} backend cannot be imported ({exc}); reinstall it with "
                    f"{INSTALL_HINT.get(name, 'pip')}"
                ) from exc
            return factory(options if options is not None else ClientOptions())
    raise RuntimeNotAvailableError(_not_installed(name))


def require_clients(*names: str) -> None:
    """Check, before any work starts, that every backend in ``names`` publishes a client.

    Raises:
        RuntimeNotAvailableError: One does not (the message says what to install),
            as :func:`open_client` would say later.
    """
    installed = installed_clients()
    for name in names:
        if name not in installed:
            raise RuntimeNotAvailableError(_not_installed(name))


def _not_installed(name: str) -> str:
    names = ", ".join(installed_clients()) or "none"
    hint = INSTALL_HINT.get(name, "choose one of the installed backends")
    return f"no runtime backend named {name!r} is installed (installed: {names}); {hint}"

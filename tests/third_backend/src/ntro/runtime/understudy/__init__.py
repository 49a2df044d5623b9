"""ntro.runtime.understudy: LocalRuntime standing in under another name, a third backend for ntro's tests.

Both sides of a backend, published under its own name ``understudy``:

* the workflow side, :class:`UnderstudyRuntime` (``ntro.runtimes``): a
  LocalRuntime that calls itself ``understudy``;
* the client side, :func:`open_client` (``ntro.clients``): an
  :class:`UnderstudyClient` that delegates every call to a local client, and
  offers the capabilities the local client has (time control, run events, a
  description of where runs go), each one explicitly;
* :data:`BACKEND_INFO` (``ntro.backends``): ``UNDERSTUDY_ON`` set selects it,
  and its "engine" logs on :data:`ENGINE_LOGGER`, which ``ntro workflow run``
  keeps quiet unless ``-v``.

Only public names of ``ntro.runtime.protocol`` and ``ntro.runtime.local`` are used.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from ntro.runtime import local
from ntro.runtime.local import LocalClient, LocalRuntime
from ntro.runtime.protocol import (
    BackendInfo,
    ClientOptions,
    RunObserver,
    WorkflowDescription,
    WorkflowHandle,
    WorkflowStatus,
)

__all__ = [
    "BACKEND_INFO",
    "ENGINE_LOGGER",
    "NAME",
    "SELECTING_VARIABLE",
    "UnderstudyClient",
    "UnderstudyRuntime",
    "open_client",
]

NAME = "understudy"
"""The backend's name, as its entry points publish it."""

ENGINE_LOGGER = "ntro.runtime.understudy.engine"
"""The logger of the understudy's "engine": it warns there when a client opens."""

SELECTING_VARIABLE = "UNDERSTUDY_ON"
"""The environment variable that selects the understudy for workflow code when set."""

_engine_log = logging.getLogger(ENGINE_LOGGER)


def selected_by(environ: Mapping[str, str]) -> str | None:
    """Return why ``environ`` selects the understudy (``UNDERSTUDY_ON`` is set), or ``None``."""
    value = environ.get(SELECTING_VARIABLE, "").strip()
    return f"{SELECTING_VARIABLE}={value} is set" if value else None


BACKEND_INFO = BackendInfo(selected_by=selected_by, engine_loggers=(ENGINE_LOGGER,))
"""What ntro may know about the understudy without loading it (``ntro.backends``)."""


class UnderstudyRuntime(LocalRuntime):
    """LocalRuntime under the name ``understudy`` (the ``ntro.runtimes`` entry point)."""

    name = NAME


class UnderstudyClient:
    """A :class:`~ntro.runtime.protocol.WorkflowClient` that delegates to a local client, under its own name.

    It offers :class:`~ntro.runtime.protocol.TimeControl`,
    :class:`~ntro.runtime.protocol.RunEventSource` and
    :class:`~ntro.runtime.protocol.EngineDescription`, by delegation; not
    :class:`~ntro.runtime.protocol.ReplayCheck`.
    """

    runtime_name = NAME
    """The backend's name, as in ``ntro.clients``."""

    def __init__(self, inner: LocalClient) -> None:
        self._inner = inner

    # -- the protocol -------------------------------------------------------------------------
    async def start_workflow(
        self,
        workflow: type | str,
        *args: Any,
        id: str | None = None,
        task_queue: str | None = None,
        start_signal: str | None = None,
        start_signal_args: Sequence[Any] = (),
    ) -> WorkflowHandle:
        """Start a workflow on the local client and return its handle."""
        return await self._inner.start_workflow(
            workflow,
            *args,
            id=id,
            task_queue=task_queue,
            start_signal=start_signal,
            start_signal_args=start_signal_args,
        )

    def get_workflow_handle(self, workflow_id: str) -> WorkflowHandle:
        """Return the local client's handle to ``workflow_id``."""
        return self._inner.get_workflow_handle(workflow_id)

    async def list_workflows(
        self, *, status: WorkflowStatus | None = None, limit: int | None = None
    ) -> list[WorkflowDescription]:
        """Return the local client's runs."""
        return await self._inner.list_workflows(status=status, limit=limit)

    # -- TimeControl --------------------------------------------------------------------------
    async def wait_for_change(self, timeout: float) -> None:
        """Return at the local runtime's next event, or after ``timeout`` seconds."""
        await self._inner.wait_for_change(timeout)

    def hold_time(self) -> AbstractAsyncContextManager[None]:
        """Keep the local runtime's virtual clock still while the caller looks and answers."""
        return self._inner.hold_time()

    async def advance_time(self, workflow_ids: Sequence[str], timeout: float) -> None:
        """Let the runs move on (the virtual clock jumps by itself when the runtime is idle)."""
        await self._inner.advance_time(workflow_ids, timeout)

    # -- RunEventSource -----------------------------------------------------------------------
    def add_run_observer(self, observer: RunObserver) -> None:
        """Tell ``observer`` about the local runtime's run events."""
        self._inner.add_run_observer(observer)

    def remove_run_observer(self, observer: RunObserver) -> None:
        """Stop telling ``observer``."""
        self._inner.remove_run_observer(observer)

    # -- EngineDescription --------------------------------------------------------------------
    def describe_engine(self) -> str:
        """Say where runs go."""
        return "the understudy: LocalRuntime under another name, in-process"


@asynccontextmanager
async def _open(options: ClientOptions) -> AsyncIterator[UnderstudyClient]:
    _engine_log.warning("the understudy is standing in for LocalRuntime")
    async with local.open_client(options) as inner:
        yield UnderstudyClient(inner)


def open_client(options: ClientOptions | None = None) -> AbstractAsyncContextManager[UnderstudyClient]:
    """Return an :class:`UnderstudyClient` for ``options``, as an async context manager (``ntro.clients``)."""
    return _open(options if options is not None else ClientOptions())


if TYPE_CHECKING:
    from ntro.runtime.protocol import (
        ClientFactory,
        EngineDescription,
        RunEventSource,
        Runtime,
        TimeControl,
        WorkflowClient,
    )

    _as_factory: ClientFactory = open_client
    _as_client: type[WorkflowClient] = UnderstudyClient
    _as_time: type[TimeControl] = UnderstudyClient
    _as_source: type[RunEventSource] = UnderstudyClient
    _as_words: type[EngineDescription] = UnderstudyClient
    _as_runtime: type[Runtime] = UnderstudyRuntime

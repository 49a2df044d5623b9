"""The temporalio plugin that hosts ntro runbooks: add it once to client and worker."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import temporalio.converter
import temporalio.worker
from temporalio.plugin import SimplePlugin

from ntro.runtime.protocol import maybe_workflow_definition
from ntro.runtime.temporal._binding import arm, require_bound, require_bound_activity
from ntro.runtime.temporal._converter import with_ntro_conversion
from ntro.runtime.temporal._errors import NtroInterceptor
from ntro.runtime.temporal._sandbox import with_ntro_passthrough
from ntro.workflow.exceptions import WorkflowError

__all__ = ["NtroPlugin"]

PLUGIN_NAME = "ntro"


class NtroPlugin(SimplePlugin):
    """Everything a Temporal client and worker need to run ntro runbooks.

    Pass it to ``Client.connect(..., plugins=[NtroPlugin()])``; workers built
    on that client pick it up too (or pass it to ``Worker(plugins=[...])``
    when the client was made elsewhere). It:

    * sets a pydantic-aware data converter that also encodes
      :class:`~ntro.workflow.exceptions.WorkflowError` as a Temporal application failure
      (``type``, details and ``non_retryable`` kept), unless the client already
      has a custom payload or failure converter;
    * passes ``ntro`` and the libraries it shares through the workflow sandbox
      (see :data:`~ntro.runtime.temporal.PASSTHROUGH_MODULES`);
    * makes ``WorkflowError`` fail the workflow rather than the workflow task;
    * turns any other exception an activity raises into the ``WorkflowError``
      LocalRuntime raises for it (``type`` = the exception's class name);
    * checks every ntro workflow class and activity the worker hosts is bound to
      temporalio, and says why not when one is not;
    * registers the ``workflows`` and ``activities`` given here, and supplies a
      thread pool for synchronous activities when the worker has none.

    Args:
        workflows: ntro workflow classes to host on every worker using this plugin.
        activities: ntro activity functions to host.
    """

    def __init__(
        self,
        *,
        workflows: Sequence[type] = (),
        activities: Sequence[Callable[..., Any]] = (),
    ) -> None:
        arm()
        self._extra_workflows = list(workflows)
        self._extra_activities = list(activities)
        self._executors: list[concurrent.futures.ThreadPoolExecutor] = []
        super().__init__(
            PLUGIN_NAME,
            data_converter=_data_converter,
            workflows=self._workflows,
            activities=self._activities,
            workflow_runner=_workflow_runner,
            workflow_failure_exception_types=[WorkflowError],
            interceptors=[NtroInterceptor()],
        )

    def _workflows(self, existing: Sequence[type] | None) -> Sequence[type]:
        result = list(existing or [])
        result += [w for w in self._extra_workflows if w not in result]
        for cls in result:
            if maybe_workflow_definition(cls) is not None:
                require_bound(cls)
        return result

    def _activities(self, existing: Sequence[Callable[..., Any]] | None) -> Sequence[Callable[..., Any]]:
        result = list(existing or [])
        result += [a for a in self._extra_activities if a not in result]
        for fn in result:
            if hasattr(fn, "__ntro_activity__"):
                require_bound_activity(fn)
        return result

    def configure_worker(self, config: temporalio.worker.WorkerConfig) -> temporalio.worker.WorkerConfig:
        """See :meth:`temporalio.plugin.SimplePlugin.configure_worker`; also supplies a thread pool.

        Raises:
            ValueError: The worker's client was connected without this plugin,
                so it would encode payloads and errors without ntro's converter.
        """
        client = config.get("client")
        if client is not None and client.data_converter is temporalio.converter.DataConverter.default:
            raise ValueError(
                "NtroPlugin must be given to the client (Client.connect(..., plugins=[NtroPlugin()])): "
                "the data converter is the client's, and workers built on that client inherit the plugin"
            )
        config = super().configure_worker(config)
        activities = config.get("activities") or []
        needs_threads = any(not _is_async(fn) for fn in activities)
        if needs_threads and config.get("activity_executor") is None:
            executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=max(1, config.get("max_concurrent_activities") or 32),
                thread_name_prefix="ntro-activity",
            )
            self._executors.append(executor)
            config["activity_executor"] = executor
        return config

    async def run_worker(
        self, worker: temporalio.worker.Worker, next: Callable[[temporalio.worker.Worker], Awaitable[None]]
    ) -> None:
        """Run the worker, then shut down the thread pools this plugin created."""
        try:
            await super().run_worker(worker, next)
        finally:
            executors, self._executors = self._executors, []
            for executor in executors:
                await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)


def _is_async(fn: Callable[..., Any]) -> bool:
    call = type(fn).__call__ if not inspect.isfunction(fn) and not inspect.ismethod(fn) else None
    return inspect.iscoroutinefunction(fn) or (call is not None and inspect.iscoroutinefunction(call))


def _data_converter(existing: temporalio.converter.DataConverter | None) -> temporalio.converter.DataConverter:
    return with_ntro_conversion(existing)


def _workflow_runner(existing: temporalio.worker.WorkflowRunner | None) -> temporalio.worker.WorkflowRunner:
    if existing is None:
        from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

        existing = SandboxedWorkflowRunner()
    runner: temporalio.worker.WorkflowRunner = with_ntro_passthrough(existing)
    return runner

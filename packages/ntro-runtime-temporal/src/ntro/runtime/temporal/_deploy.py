"""Workers that follow a runbook registry, on Temporal's Worker Deployment Versioning.

``ntro worker --registry URL`` serves each revision of the registry it keeps
(:class:`~ntro.registry.Revision`: every runbook at one version) as one
temporalio ``Worker`` whose Worker Deployment Version is
``(deployment_name(task queue), revision id)``, all on the same task queue.
Workflows are **pinned**: a run stays on the revision it started on until it
ends, and so do the children it starts by slug and the activities it calls
(Temporal routes them to the run's version). Once the newest revision has
pollers it is made the deployment's **current** version, so new runs start
on it. Nothing here routes a task: Temporal does.

A worker keeps serving:

* the ``keep`` newest revisions (default 3);
* every revision that still has running workflows (a visibility query on
  ``TemporalWorkerDeploymentVersion``; ``ntro workflow list --revision ID``
  shows them);
* every revision a pinned binding names (``ntro workflow create --pin``).
  A pinned binding's runs go to the revision's own task queue,
  ``<task queue>@<revision id>``, served by an unversioned worker of that
  revision: schedules on Temporal Server 1.32 store a pinned versioning
  override but start their runs without it (temporalio/temporal#12148).

The registry is read again every ``poll`` seconds; a registry that cannot be
read meanwhile is reported and the worker keeps serving what it has. A
bundle that fails to import is reported and left out of its revision; the
revision's other bundles are served.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ntro.registry import LoadedRevision, Registry, RegistryError, Revision, pinned_revisions
from ntro.runtime.temporal._scopes import forget_scope, scope_revision

__all__ = [
    "DEFAULT_KEEP",
    "DEFAULT_POLL",
    "RegistryFollower",
    "deployment_name",
    "hosted",
    "pinned_queue",
    "pinned_to",
    "revision_number",
    "running_on",
]

DEFAULT_KEEP = 3
"""How many of the newest revisions a worker serves, besides those with runs and pinned bindings."""

DEFAULT_POLL = 5.0
"""Seconds between two reads of the registry."""

CURRENT_TRIES = 300
"""How many times a worker tries to make its newest revision current (it needs pollers first)."""

CURRENT_PAUSE = 0.1
"""Seconds between those tries."""

_REVISION = re.compile(r"^r(\d+)-")


def deployment_name(task_queue: str) -> str:
    """The Worker Deployment of the workers following a registry on ``task_queue``: ``ntro-<task queue>``."""
    return "ntro-" + re.sub(r"[^A-Za-z0-9_-]", "-", task_queue)


def pinned_queue(task_queue: str, revision_id: str) -> str:
    """The task queue of the runs of pinned bindings on ``revision_id``: ``<task queue>@<revision id>``."""
    return f"{task_queue}@{revision_id}"


def revision_number(build_id: str | None) -> int:
    """The revision number in a build id (``r3-1a2b3c4d`` -> 3); 0 for any other build id."""
    found = _REVISION.match(build_id or "")
    return int(found.group(1)) if found else 0


def pinned_to(deployment: str, revision_id: str) -> str:
    """The visibility query for the workflows pinned to a revision."""
    return f'TemporalWorkerDeploymentVersion="{deployment}:{revision_id}"'


def running_on(deployment: str, revision_id: str) -> str:
    """The visibility query for the running workflows pinned to a revision."""
    return f'{pinned_to(deployment, revision_id)} AND ExecutionStatus="Running"'


def hosted(bundles: Iterable[Any]) -> tuple[list[type], list[Any]]:
    """The workflow classes and the activities (one per activity name) of ``bundles``."""
    workflows: list[type] = []
    activities: list[Any] = []
    names: set[str] = set()
    for bundle in bundles:
        workflows.append(bundle.workflow_cls)
        for fn in bundle.activities:
            name = fn.__ntro_activity__.name
            if name not in names:
                names.add(name)
                activities.append(fn)
    return workflows, activities


@attrs.define
class _Serving:
    """One temporalio Worker serving one revision, and the task running it."""

    worker: Any
    task: asyncio.Task[None]


class RegistryFollower:
    """Serve a registry's revisions on one task queue, and follow its new publishes.

    Args:
        client: A temporalio client with the ntro plugin.
        registry: The registry to follow.
        task_queue: The task queue to serve.
        say: Prints one line for people (the worker's stderr).
        keep: How many of the newest revisions to serve, at least 1.
        poll: Seconds between two reads of the registry.
        worker_options: More keyword arguments for every temporalio ``Worker``.
    """

    def __init__(
        self,
        client: Any,
        registry: Registry,
        *,
        task_queue: str,
        say: Callable[[str], None],
        keep: int = DEFAULT_KEEP,
        poll: float = DEFAULT_POLL,
        worker_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.registry = registry
        self.task_queue = task_queue
        self.deployment = deployment_name(task_queue)
        self.say = say
        self.keep = max(1, keep)
        self.poll = poll
        self.options = dict(worker_options or {})
        self.cache = tempfile.mkdtemp(prefix="ntro-worker-")
        self.identity = f"ntro worker {os.getpid()}@{socket.gethostname()}"
        self._loaded: dict[str, LoadedRevision] = {}
        self._versioned: dict[str, _Serving] = {}
        self._pinned: dict[str, _Serving] = {}
        self._drained: set[str] = set()
        self._current: str | None = None
        self._unreadable = False
        self._unknown_pins: set[str] = set()
        self._failed: set[tuple[str, str]] = set()

    # -- the loop ----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, stopping: str = "stopping") -> None:
        """Serve until ``stop`` is set, then say ``stopping`` and stop every worker.

        Raises:
            RegistryError: The registry cannot be read at the start.
        """
        try:
            await self.refresh(first=True)
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll)
                if not stop.is_set():
                    await self.refresh()
            self.say(stopping)
        finally:
            await self._stop_all()
            shutil.rmtree(self.cache, ignore_errors=True)

    async def refresh(self, *, first: bool = False) -> None:
        """Read the registry; start serving what it should, make the newest revision current, stop the rest."""
        try:
            revisions = await asyncio.to_thread(self.registry.revisions)
            bindings = await asyncio.to_thread(self.registry.bindings)
        except RegistryError as exc:
            if first:
                raise
            if not self._unreadable:
                self.say(f"{exc}; still hosting what it has, and trying again every {self.poll:g}s")
            self._unreadable = True
            return
        if self._unreadable:
            self.say(f"the registry at {self.registry.url} can be read again")
            self._unreadable = False
        if not revisions:
            if first:
                self.say(f"nothing is published to {self.registry.url} yet; waiting for the first publish")
            return
        by_id = {r.id: r for r in revisions}
        newest = revisions[-1]
        pins = pinned_revisions(bindings)
        for unknown in sorted(pins - by_id.keys() - self._unknown_pins):
            self.say(f"a pinned binding names revision {unknown}, which the registry does not have; ignoring it")
            self._unknown_pins.add(unknown)
        wanted = {r.id for r in revisions[-self.keep :]} | (pins & by_id.keys())
        for revision in revisions[: -self.keep]:
            if revision.id not in wanted and revision.id not in self._drained:
                if await self._running(revision.id):
                    wanted.add(revision.id)
                else:
                    self._drained.add(revision.id)
        for revision_id in sorted(wanted, key=revision_number):
            await self._serve(by_id[revision_id], pinned=revision_id in pins)
        if newest.id in self._versioned and self._current != newest.id:
            await self._make_current(newest.id)
        for revision_id in list(self._pinned):
            if revision_id not in pins:
                await self._stop(self._pinned.pop(revision_id))
                self.say(f"no longer hosting revision {revision_id} for pinned bindings: none is left")
        for revision_id in list(self._versioned):
            if revision_id not in wanted:
                await self._stop(self._versioned.pop(revision_id))
                if revision_id not in self._pinned:
                    forget_scope(revision_id)
                self.say(
                    f"no longer hosting revision {revision_id}: no runs are left on it "
                    f"and it is not among the {self.keep} newest"
                )

    # -- serving a revision ----------------------------------------------------------------------

    def _load(self, revision: Revision) -> LoadedRevision:
        loaded = self._loaded.get(revision.id)
        if loaded is None:
            loaded = self.registry.load_revision(revision, self.cache)
            self._loaded[revision.id] = loaded
            for slug, reason in sorted(loaded.failures.items()):
                version = revision.runbooks[slug].version
                if (slug, version) not in self._failed:  # once per version, not once per revision holding it
                    self._failed.add((slug, version))
                    self.say(
                        f"{slug} {version} (in revision {revision.id}) failed to load: {reason}; "
                        "hosting the other runbooks without it"
                    )
        return loaded

    async def _serve(self, revision: Revision, *, pinned: bool) -> None:
        from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
        from temporalio.worker import Worker, WorkerDeploymentConfig

        if revision.id in self._versioned and (not pinned or revision.id in self._pinned):
            return
        loaded = self._load(revision)
        if not loaded.bundles:
            return
        scope_revision(revision.id, {slug: b.workflow_cls for slug, b in loaded.bundles.items()})
        workflows, activities = hosted(loaded.bundles.values())
        listing = ", ".join(f"{slug} {revision.runbooks[slug].version}" for slug in loaded.bundles)
        if revision.id not in self._versioned:
            config = WorkerDeploymentConfig(
                version=WorkerDeploymentVersion(self.deployment, revision.id),
                use_worker_versioning=True,
                default_versioning_behavior=VersioningBehavior.PINNED,
            )
            worker = Worker(
                self.client,
                task_queue=self.task_queue,
                workflows=workflows,
                activities=activities,
                deployment_config=config,
                **self.options,
            )
            self._versioned[revision.id] = self._start(worker)
            self.say(f"hosting revision {revision.id} ({listing}) on task queue {self.task_queue!r}")
        if pinned and revision.id not in self._pinned:
            queue = pinned_queue(self.task_queue, revision.id)
            worker = Worker(
                self.client,
                task_queue=queue,
                workflows=workflows,
                activities=activities,
                build_id=revision.id,
                **self.options,
            )
            self._pinned[revision.id] = self._start(worker)
            self.say(f"hosting revision {revision.id} for pinned bindings on task queue {queue!r}")

    def _start(self, worker: Any) -> _Serving:
        return _Serving(worker, asyncio.create_task(worker.run(), name=f"ntro-worker-{worker.task_queue}"))

    async def _stop(self, serving: _Serving) -> None:
        if not serving.task.done():
            await serving.worker.shutdown()
        with contextlib.suppress(BaseException):
            await serving.task

    async def _stop_all(self) -> None:
        servings = [*self._versioned.values(), *self._pinned.values()]
        self._versioned.clear()
        self._pinned.clear()
        await asyncio.gather(*(self._stop(s) for s in servings))
        for revision_id in self._loaded:
            forget_scope(revision_id)

    # -- the deployment ----------------------------------------------------------------------------

    async def _running(self, revision_id: str) -> bool:
        from temporalio.service import RPCError

        try:
            counted = await self.client.count_workflows(running_on(self.deployment, revision_id))
        except RPCError as exc:  # visibility cannot say: keep serving, to be safe
            self.say(f"cannot count the runs on revision {revision_id} ({exc.message}); hosting it to be safe")
            return True
        return int(counted.count) > 0

    async def _make_current(self, revision_id: str) -> None:
        """Make ``revision_id`` the deployment's current version, unless a newer one is current already."""
        from temporalio.api.workflowservice.v1 import (
            DescribeWorkerDeploymentRequest,
            SetWorkerDeploymentCurrentVersionRequest,
        )
        from temporalio.service import RPCError

        service = self.client.workflow_service
        namespace = self.client.namespace
        last: RPCError | None = None
        for _ in range(CURRENT_TRIES):
            token = b""
            try:
                described = await service.describe_worker_deployment(
                    DescribeWorkerDeploymentRequest(namespace=namespace, deployment_name=self.deployment)
                )
                token = described.conflict_token
                current = described.worker_deployment_info.routing_config.current_deployment_version.build_id
                if revision_number(current) >= revision_number(revision_id):
                    self._current = revision_id
                    if current == revision_id:
                        self.say(f"revision {revision_id} is current: new runs start on it")
                    return
                await service.set_worker_deployment_current_version(
                    SetWorkerDeploymentCurrentVersionRequest(
                        namespace=namespace,
                        deployment_name=self.deployment,
                        build_id=revision_id,
                        conflict_token=token,
                        identity=self.identity,
                    )
                )
            except RPCError as exc:  # no pollers yet, no deployment yet, or another worker got there first
                last = exc
                if not self._versioned.get(revision_id) or self._versioned[revision_id].task.done():
                    break
                await asyncio.sleep(CURRENT_PAUSE)
        reason = last.message if last is not None else "it never became current"
        self.say(f"cannot make revision {revision_id} current ({reason}); trying again at the next read")

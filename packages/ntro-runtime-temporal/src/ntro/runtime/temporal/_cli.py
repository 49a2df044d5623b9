"""``ntro worker`` and ``ntro workflow start``: runbooks on a real Temporal cluster.

``ntro worker PATH...`` hosts runbook bundles (a bundle directory, or a
directory of bundles) on a task queue until it receives SIGINT or SIGTERM.
``ntro workflow start SLUG`` starts a hosted runbook by slug through
:class:`~ntro.runtime.temporal.TemporalClient` and, with ``--wait``, prints
its result as JSON, riding out a server restart meanwhile. Both connect with
the options of :mod:`ntro.runtime.temporal._connect` and find runbooks with
:mod:`ntro.runtime.temporal._bundles`; the operations commands
(``describe``, ``answer``...) are in :mod:`ntro.runtime.temporal._ops`, the
schedule commands in :mod:`ntro.runtime.temporal._schedules`, the registry
commands in :mod:`ntro.runtime.temporal._publish`, what they all share in
:mod:`ntro.runtime.temporal._commands`.

Nothing here imports temporalio at module level: ``ntro --help`` loads every
command, and should stay quick.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import timedelta
from typing import Any

from ntro.cli import CommandError, add_documents_option, documents_from_args, print_json
from ntro.runtime.temporal._bundles import add_bundles_option, bundle_and_input, load_bundles, registry_bundle
from ntro.runtime.temporal._commands import (
    add_task_queue_option,
    command_client,
    positive_int,
    run_to_the_end,
    seconds,
    task_queue_of,
)
from ntro.runtime.temporal._connect import ConnectionSettings, add_connection_options, connect, settings_from_args

__all__ = ["START_COMMAND", "WORKER_COMMAND", "StartCommand", "WorkerCommand"]


class WorkerCommand:
    """``ntro worker (PATH... | --registry URL) [--task-queue Q]``: host runbooks on a Temporal cluster."""

    help = "host runbook bundles, or follow a registry, on a Temporal cluster (TEMPORAL_HOST) until stopped"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the worker's arguments."""
        parser.add_argument("paths", nargs="*", metavar="PATH", help="a runbook bundle, or a directory of bundles")
        parser.add_argument(
            "--registry",
            metavar="URL",
            help="follow this runbook registry instead: serve what is published there, and pick up new "
            "publishes without a restart (each revision a Worker Deployment Version)",
        )
        parser.add_argument(
            "--keep",
            type=positive_int,
            default=None,
            metavar="N",
            help="with --registry: serve the N newest revisions (default 3), besides those with runs left "
            "and those pinned bindings name",
        )
        parser.add_argument(
            "--poll",
            type=seconds(),
            default=None,
            metavar="SECONDS",
            help="with --registry: read the registry every SECONDS (default 5)",
        )
        add_task_queue_option(parser)
        parser.add_argument(
            "--max-concurrent-activities", type=positive_int, default=None, metavar="N", help="activities run at once"
        )
        parser.add_argument(
            "--graceful-timeout",
            type=seconds(allow_zero=True),
            default=30.0,
            metavar="SECONDS",
            help="on SIGTERM/SIGINT, how long running activities may finish before they are cancelled (default 30)",
        )
        parser.add_argument(
            "--sticky-timeout",
            type=seconds(),
            default=None,
            metavar="SECONDS",
            help="how long the server keeps a workflow's next task for this worker's cache before any worker "
            "may take it (temporalio's default: 10); lower it to fail over faster after a crash",
        )
        add_documents_option(parser)
        add_connection_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Serve until SIGINT or SIGTERM; return 0 after a clean shutdown."""
        if args.registry is not None and args.paths:
            raise CommandError("give bundle paths or --registry URL, not both")
        if args.registry is None:
            if not args.paths:
                raise CommandError("say what to host: runbook bundle paths, or --registry URL")
            if args.keep is not None or args.poll is not None:
                raise CommandError("--keep and --poll go with --registry URL")
        settings = settings_from_args(args)
        from ntro.documents import set_default_store

        registry = bundles = None
        if args.registry is not None:
            from ntro.registry import RegistryError, open_registry

            try:
                registry = open_registry(args.registry)
            except RegistryError as exc:
                raise CommandError(str(exc), exit_code=1) from None
        else:
            bundles = load_bundles(args.paths)
        store = documents_from_args(args)
        if args.documents is not None:  # the hosted activities' ntro.documents calls read this store
            set_default_store(store)
        if registry is not None:
            return run_to_the_end(self._follow(args, settings, registry, store.url))
        return run_to_the_end(self._serve(args, settings, bundles or [], store.url))

    def _options(self, args: argparse.Namespace) -> dict[str, Any]:
        options: dict[str, Any] = {
            "graceful_shutdown_timeout": timedelta(seconds=args.graceful_timeout),
            "max_concurrent_activities": args.max_concurrent_activities,
        }
        if args.sticky_timeout is not None:
            options["sticky_queue_schedule_to_start_timeout"] = timedelta(seconds=args.sticky_timeout)
        return options

    async def _follow(
        self, args: argparse.Namespace, settings: ConnectionSettings, registry: Any, documents: str
    ) -> int:
        from ntro.runtime.temporal._deploy import DEFAULT_KEEP, DEFAULT_POLL, RegistryFollower
        from ntro.runtime.temporal._plugin import NtroPlugin

        client = await connect(settings, plugins=[NtroPlugin()])
        task_queue = task_queue_of(args)
        follower = RegistryFollower(
            client,
            registry,
            task_queue=task_queue,
            say=_say,
            keep=args.keep or DEFAULT_KEEP,
            poll=args.poll or DEFAULT_POLL,
            worker_options=self._options(args),
        )
        stop = _stop_on_signals()
        _say(
            f"following the registry at {registry.url} on task queue {task_queue!r} at {settings.describe()} "
            f"as worker deployment {follower.deployment!r}, documents in {documents}; SIGINT or SIGTERM stops it"
        )
        await follower.run(stop, f"stopping (running activities get {args.graceful_timeout:g}s to finish)")
        _say("stopped")
        return 0

    async def _serve(self, args: argparse.Namespace, settings: Any, bundles: list[Any], documents: str) -> int:
        from temporalio.worker import Worker

        from ntro.runtime.temporal._deploy import hosted
        from ntro.runtime.temporal._plugin import NtroPlugin

        workflows, activities = hosted(bundles)
        plugin = NtroPlugin(workflows=workflows, activities=activities)
        client = await connect(settings, plugins=[plugin])  # workers built on this client inherit the plugin
        task_queue = task_queue_of(args)
        try:
            worker = Worker(client, task_queue=task_queue, **self._options(args))
        except ValueError as exc:
            raise CommandError(f"cannot host these bundles: {exc}") from None
        stop = _stop_on_signals()
        slugs = ", ".join(f"{b.slug} ({b.workflow_cls.__name__})" for b in bundles)
        async with worker:
            _say(
                f"hosting {slugs} on task queue {task_queue!r} at {settings.describe()}, documents in {documents}; "
                "SIGINT or SIGTERM stops it"
            )
            await stop.wait()
            _say(f"stopping (running activities get {args.graceful_timeout:g}s to finish)")
        _say("stopped")
        return 0


def _say(text: str) -> None:
    print(f"ntro worker: {text}", file=sys.stderr, flush=True)


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def _binding_run(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """The bundle, the input and the task queue of a run of ``args.binding``.

    A pinned binding's run takes its version, on its revision's own task queue.

    Raises:
        CommandError: The registry has no such binding, or the arguments contradict it.
    """
    from ntro.registry import RegistryError, RegistryUnreachableError, open_registry
    from ntro.runtime.temporal._deploy import pinned_queue
    from ntro.workflow.bundle import InputError, parse_input

    if args.input is not None or args.bundles:
        raise CommandError("--binding runs its binding's runbook with its input: drop --input and --bundles")
    try:
        binding = open_registry(args.registry).binding(args.binding)
    except RegistryUnreachableError as exc:
        raise CommandError(str(exc), exit_code=1) from None
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    if args.slug is not None and args.slug != binding.slug:
        raise CommandError(f"binding {binding.id} runs {binding.slug}, not {args.slug}; drop the slug")
    bundle = registry_bundle(args.registry, binding.slug, binding.version if binding.pinned else None)
    try:
        arg = parse_input(bundle.workflow_cls, binding.input)
    except InputError as exc:  # an unpinned binding's input, and a newer version's model
        which = f"version {binding.version}" if binding.pinned else "the newest version"
        raise CommandError(f"binding {binding.id}'s input does not fit {which} of {binding.slug}: {exc}") from None
    task_queue = task_queue_of(args)
    return bundle, arg, pinned_queue(task_queue, binding.revision) if binding.pinned else task_queue


class StartCommand:
    """``ntro workflow start SLUG --input JSON|@file [--wait]``: start a hosted runbook by slug."""

    help = "start a runbook on a Temporal cluster by slug (and with --wait print its result)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the start command's arguments."""
        parser.add_argument("slug", nargs="?", help="the runbook's slug, e.g. nav-monthly")
        parser.add_argument("--input", "-i", metavar="JSON|@FILE", help="the workflow's input, as JSON or @file.json")
        parser.add_argument(
            "--binding",
            metavar="ID",
            help="start a run of this binding of the registry (its runbook, input, and version when pinned)",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="wait for the result and print it as JSON (a server restart meanwhile is waited out)",
        )
        parser.add_argument("--id", dest="workflow_id", help="the workflow id (default: a random UUID)")
        add_bundles_option(parser)
        add_task_queue_option(parser)
        add_connection_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Start the workflow; print its id, or (``--wait``) its result."""
        settings = settings_from_args(args)
        if args.workflow_id is not None and not args.workflow_id.strip():
            raise CommandError("--id is empty; give an id, or leave the option out for a random one")
        if args.binding is not None:
            bundle, arg, task_queue = _binding_run(args)
        elif args.slug is None:
            raise CommandError("say what to start: a runbook's SLUG, or --binding ID")
        else:
            bundle, arg = bundle_and_input(args)
            task_queue = task_queue_of(args)
        return run_to_the_end(self._start(args, settings, bundle, arg, task_queue))

    async def _start(
        self, args: argparse.Namespace, settings: ConnectionSettings, bundle: Any, arg: Any, task_queue: str
    ) -> int:
        from ntro.workflow.exceptions import WorkflowAlreadyStartedError, WorkflowFailedError

        async with command_client(settings, task_queue) as client:
            run_args = () if arg is None else (arg,)
            try:
                handle = await client.start_workflow(bundle.workflow_cls, *run_args, id=args.workflow_id)
            except WorkflowAlreadyStartedError:
                raise CommandError(
                    f"a workflow with id {args.workflow_id!r} is already running; pick another --id"
                ) from None
            started = (
                f"started {bundle.slug} as workflow {handle.id} (run {handle.first_execution_run_id}) "
                f"on task queue {task_queue!r}"
            )
            if not args.wait:
                print(started)
                return 0
            print(started, file=sys.stderr, flush=True)
            try:
                result = await handle.result()
            except WorkflowFailedError as exc:
                raise CommandError(exc.message, exit_code=1) from None
        print_json(result, "the result")
        return 0


WORKER_COMMAND = WorkerCommand()
"""The ``ntro worker`` command (entry point ``ntro.commands``: ``worker``)."""

START_COMMAND = StartCommand()
"""The ``ntro workflow start`` command (entry point ``ntro.commands``: ``workflow.start``)."""

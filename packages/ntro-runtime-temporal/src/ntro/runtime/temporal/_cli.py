"""``ntro worker`` and ``ntro workflow start``: runbooks on a real Temporal cluster.

``ntro worker PATH...`` hosts runbook bundles (a bundle directory, or a
directory of bundles) on a task queue until it receives SIGINT or SIGTERM.
``ntro workflow start SLUG`` starts a hosted runbook by slug through
:class:`~ntro.runtime.temporal.TemporalClient` and, with ``--wait``, prints
its result as JSON, riding out a server restart meanwhile. Both connect with
the options of :mod:`ntro.runtime.temporal._connect`; the operations commands
(``describe``, ``answer``...) are in :mod:`ntro.runtime.temporal._ops`, the
schedule commands in :mod:`ntro.runtime.temporal._schedules`.

Nothing here imports temporalio at module level: ``ntro --help`` loads every
command, and should stay quick.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ntro.cli import (
    CommandError,
    add_documents_option,
    documents_from_args,
    finish_output,
    read_input_text,
    report_interruption,
    to_json_text,
)
from ntro.runtime.temporal._connect import (
    DEFAULT_TASK_QUEUE,
    TASK_QUEUE_ENV,
    ConnectionSettings,
    add_connection_options,
    connect,
    default_task_queue,
    settings_from_args,
)
from ntro.runtime.temporal._process import exit_skipping_finalization, running_as_ntro_command
from ntro.workflow.exceptions import NtroError, WorkflowError

if TYPE_CHECKING:
    from ntro.runtime.temporal._client import TemporalClient

__all__ = [
    "START_COMMAND",
    "WORKER_COMMAND",
    "StartCommand",
    "WorkerCommand",
    "add_bundles_option",
    "bundle_and_input",
    "command_client",
    "load_bundles",
    "positive_int",
    "quiet_runtime",
    "registry_bundle",
    "seconds",
]

BUNDLES_ENV = "NTRO_BUNDLES"


def _task_queue(args: argparse.Namespace) -> str:
    return str(args.task_queue or default_task_queue())


def _add_task_queue(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--task-queue",
        "-q",
        metavar="Q",
        help=f"task queue [env {TASK_QUEUE_ENV}, default {DEFAULT_TASK_QUEUE!r}]",
    )


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (a count or a limit)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not at least 1")
    return value


def seconds(*, allow_zero: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds, more than 0 (or at least 0 with ``allow_zero``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text} is not a finite number of seconds")
        if value < 0 or (value == 0 and not allow_zero):
            raise argparse.ArgumentTypeError(f"{text} is not {'0 or more' if allow_zero else 'more than 0'} seconds")
        return value

    return parse


def load_bundles(paths: Sequence[str]) -> list[Any]:
    """Load every runbook bundle in ``paths`` (bundle directories, or directories of bundles).

    Raises:
        CommandError: A path holds no bundle, a bundle does not load, or two bundles share a slug.
    """
    from ntro.workflow.bundle import BundleError, load_bundle

    bundles: list[Any] = []
    seen: dict[str, Path] = {}
    for raw in paths:
        if not raw.strip():  # Path("") is ".": an empty argument must not mean the current directory
            raise CommandError("an empty bundle path was given; pass a runbook bundle or a directory of bundles")
        path = Path(raw)
        try:
            if path.is_dir() and not (path / "runbook.md").exists():
                found = sorted(d for d in path.iterdir() if (d / "runbook.md").is_file())
                if not found:
                    raise CommandError(f"{raw}: no runbook bundle here (no runbook.md in it or in its subdirectories)")
            else:
                found = [path]  # load_bundle says what is wrong with it
        except OSError as exc:
            on = f" on {exc.filename}" if exc.filename is not None and str(exc.filename) != raw else ""
            raise CommandError(f"{raw}: cannot be read ({exc.strerror or exc}{on}); check its permissions") from None
        for directory in found:
            try:
                bundle = load_bundle(directory)
            except BundleError as exc:
                raise CommandError(str(exc)) from None
            other = seen.get(bundle.slug)
            if other is not None and other != bundle.path:
                raise CommandError(f"two bundles have slug {bundle.slug!r}: {other} and {bundle.path}")
            if other is None:
                seen[bundle.slug] = bundle.path
                bundles.append(bundle)
    return bundles


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
        _add_task_queue(parser)
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
            return _run_to_the_end(self._follow(args, settings, registry, store.url))
        return _run_to_the_end(self._serve(args, settings, bundles or [], store.url))

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
        task_queue = _task_queue(args)
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
        task_queue = _task_queue(args)
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


def _run_to_the_end(work: Coroutine[Any, Any, int]) -> int:
    """Run ``work`` and return its exit code, ntro's own errors as one line.

    An ntro error, or an error the server answered with, becomes a
    :class:`~ntro.cli.CommandError` (exit 1). As the ``ntro`` process itself,
    exit right after (see ``_process``): the error line is printed here, as
    ``ntro``'s main would.
    """
    if not running_as_ntro_command():
        return asyncio.run(_one_line_errors(work))
    try:
        code = asyncio.run(_one_line_errors(work))
    except CommandError as exc:
        print(f"ntro: error: {exc.message}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:  # SIGINT, or SIGTERM
        code = report_interruption()
    return exit_skipping_finalization(finish_output(code))


async def _one_line_errors(work: Coroutine[Any, Any, int]) -> int:
    from temporalio.service import RPCError

    try:
        return await work
    except CommandError:
        raise
    except (NtroError, WorkflowError) as exc:
        raise CommandError(str(exc) or type(exc).__name__, exit_code=1) from None
    except RPCError as exc:
        raise CommandError(f"Temporal refused the request: {exc.message} ({exc.status.name})", exit_code=1) from None


_quiet: list[Any] = []


def quiet_runtime() -> Any:
    """Return a temporalio runtime whose native core logs errors only, made once per process.

    The commands that talk to a cluster say what went wrong in one line;
    the core's retry warnings (``gRPC call ... retried 5 times``) would
    bury it.
    """
    if not _quiet:
        from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

        _quiet.append(
            Runtime(
                telemetry=TelemetryConfig(
                    logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
                )
            )
        )
    return _quiet[0]


@asynccontextmanager
async def command_client(settings: ConnectionSettings, task_queue: str | None = None) -> AsyncIterator[TemporalClient]:
    """Connect for one command and yield a :class:`~ntro.runtime.temporal.TemporalClient`.

    Raises:
        CommandError: The cluster cannot be reached.
    """
    from ntro.runtime.temporal._client import TemporalClient
    from ntro.runtime.temporal._plugin import NtroPlugin

    client = await connect(settings, plugins=[NtroPlugin()], runtime=quiet_runtime())
    yield TemporalClient(client, task_queue=task_queue)


def add_bundles_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--bundles PATH`` (repeatable) and ``--registry URL``, where :func:`bundle_and_input` finds the slug."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--bundles",
        action="append",
        metavar="PATH",
        help="a runbook bundle or a directory of bundles, to resolve the slug and check the input "
        f"(repeatable) [env {BUNDLES_ENV}, {os.pathsep}-separated]",
    )
    where.add_argument(
        "--registry",
        metavar="URL",
        help="resolve the slug in this runbook registry instead (its newest version) [env NTRO_REGISTRY]",
    )


def registry_bundle(url: str | None, slug: str, version: str | None = None) -> Any:
    """Return the bundle of ``slug`` (at ``version``, default the newest) from the registry at ``url``, imported.

    Its files are written to a temporary directory, removed when the process ends.

    Raises:
        CommandError: The registry cannot be read, or has no such slug or version, or the bundle does not load.
    """
    import atexit
    import shutil
    import tempfile

    from ntro.registry import RegistryError, RegistryUnreachableError, open_registry
    from ntro.workflow.bundle import BundleError

    try:
        registry = open_registry(url)
        published = registry.get(slug, version)
        cache = tempfile.mkdtemp(prefix="ntro-registry-")
        atexit.register(shutil.rmtree, cache, True)
        return registry.load(published, cache)
    except RegistryUnreachableError as exc:
        raise CommandError(str(exc), exit_code=1) from None
    except (RegistryError, BundleError) as exc:
        raise CommandError(str(exc)) from None


def bundle_and_input(args: argparse.Namespace) -> tuple[Any, Any]:
    """Return the bundle of ``args.slug`` (found under ``--bundles``) and ``args.input`` parsed for it.

    The input (JSON, ``@file`` or ``@-``) is checked against the runbook's
    input model; ``None`` when the runbook takes none and none is given.

    Raises:
        CommandError: No bundles are given, the slug is not among them, or the input does not fit.
    """
    from ntro.registry import REGISTRY_ENV
    from ntro.workflow.bundle import InputError, parse_input

    paths = _bundle_paths(args)
    registry = getattr(args, "registry", None)
    if registry is not None or (not paths and os.environ.get(REGISTRY_ENV, "").strip()):
        bundle = registry_bundle(registry, args.slug)
    elif not paths:
        raise CommandError(
            f"cannot resolve slug {args.slug!r}: say where the runbook bundles are with --bundles PATH "
            f"(or {BUNDLES_ENV}=PATH), or name a registry with --registry URL"
        )
    else:
        bundles = {b.slug: b for b in load_bundles(paths)}
        bundle = bundles.get(args.slug)
        if bundle is None:
            known = ", ".join(sorted(bundles)) or "none"
            raise CommandError(f"unknown slug {args.slug!r}; the bundles under {' '.join(paths)} have: {known}")
    try:
        arg = parse_input(bundle.workflow_cls, read_input_text(args.input))
    except InputError as exc:
        raise CommandError(f"bad input for {args.slug}: {exc}") from None
    return bundle, arg


def _bundle_paths(args: argparse.Namespace) -> list[str]:
    if args.bundles:
        return list(args.bundles)
    from_env = os.environ.get(BUNDLES_ENV, "").strip()
    return [p for p in from_env.split(os.pathsep) if p] if from_env else []


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
    task_queue = _task_queue(args)
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
        _add_task_queue(parser)
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
            task_queue = _task_queue(args)
        return _run_to_the_end(self._start(args, settings, bundle, arg, task_queue))

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
        print(to_json_text(result))
        return 0


WORKER_COMMAND = WorkerCommand()
"""The ``ntro worker`` command (entry point ``ntro.commands``: ``worker``)."""

START_COMMAND = StartCommand()
"""The ``ntro workflow start`` command (entry point ``ntro.commands``: ``workflow.start``)."""

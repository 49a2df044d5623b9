"""``ntro workflow create``, ``versions`` and ``bindings``: publish runbooks to a registry, and bind them.

==========================================================================  ==========================================
``ntro workflow create --path DIR [--version V] [--registry URL]``          validate, lint, import, then publish the
                                                                            bundle as a new version (all or nothing)
``... --entity E [--binding ID] [--input JSON|@file]``                      and bind it to entity ``E``
``[--schedule CRON | --every D] [--pin]``                                   on a Temporal Schedule; ``--pin`` keeps
                                                                            the binding on this version
``ntro workflow versions [SLUG] [--registry URL]``                          the published versions
``ntro workflow bindings [--remove ID] [--registry URL]``                   the bindings; ``--remove`` deletes one
                                                                            and its schedule
==========================================================================  ==========================================

The registry is ``--registry URL``, else ``NTRO_REGISTRY``, else
``~/.local/share/ntro/registry``: a directory, or any fsspec URL. Publishing
needs no cluster; a binding with a schedule does (``TEMPORAL_HOST``), and is
checked to reach it before anything is published. ``ntro worker --registry
URL`` serves what is published (see :mod:`ntro.runtime.temporal._deploy`).

Every check runs before the first write: a bundle that does not validate,
lint or import, a version that exists, a registry that cannot be reached, an
input that does not fit the runbook's model, a binding id in use, a bad
timetable, a cluster that cannot be reached. Each is one line and a non-zero
exit, and nothing is published.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from ntro.cli import CommandError, add_json_option, print_json, read_input_text
from ntro.runtime.temporal._commands import add_task_queue_option, command_client, run_to_the_end, task_queue_of
from ntro.runtime.temporal._connect import ConnectionSettings, add_connection_options, settings_from_args

__all__ = [
    "BINDINGS_COMMAND",
    "CREATE_COMMAND",
    "VERSIONS_COMMAND",
    "BindingsCommand",
    "CreateCommand",
    "VersionsCommand",
    "add_registry_option",
]

_TESTING_HINT = 'pip install "ntro-core[testing]"'
_FINDINGS_SHOWN = 1


def add_registry_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--registry URL``."""
    parser.add_argument(
        "--registry",
        metavar="URL",
        help="the runbook registry: a directory or an fsspec URL (s3://...) "
        "[env NTRO_REGISTRY, default ~/.local/share/ntro/registry]",
    )


@contextmanager
def _registry_errors() -> Iterator[None]:
    """Registry errors as one line: exit 1 for a registry that cannot be reached, 2 for the rest."""
    from ntro.registry import RegistryError, RegistryUnreachableError
    from ntro.workflow.bundle import BundleError, InputError

    try:
        yield
    except RegistryUnreachableError as exc:
        raise CommandError(str(exc), exit_code=1) from None
    except (RegistryError, BundleError, InputError) as exc:
        raise CommandError(str(exc)) from None


def _open(args: argparse.Namespace) -> Any:
    from ntro.registry import open_registry

    with _registry_errors():
        return open_registry(args.registry)


# -- checks before publishing ----------------------------------------------------------------------


def _checked_bundle(path: str) -> Any:
    """Validate, lint and import the bundle at ``path``; return it loaded.

    Raises:
        CommandError: The harness is not installed, or the bundle fails a check (the first problem, in one line).
    """
    if not path.strip():
        raise CommandError("--path is empty; give the runbook bundle directory to publish")
    try:
        from ntro.testing import lint_paths, validate_runbook
    except ImportError:
        raise CommandError(
            f"'ntro workflow create' validates and lints the bundle before publishing it, with the test harness: "
            f"{_TESTING_HINT}",
            exit_code=1,
        ) from None
    from ntro.workflow.bundle import BundleError, load_bundle

    try:
        report = validate_runbook(path)
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not report.ok:
        first = report.errors[0]
        more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
        raise CommandError(
            f"{path} does not validate: [{first.code}] {first.message}{more}; nothing published "
            f"(see: ntro workflow validate {path})"
        )
    findings = lint_paths([path])
    if findings:
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise CommandError(
            f"{path} fails the determinism lint: {findings[0].format()}{more}; nothing published "
            f"(see: ntro workflow lint {path})"
        )
    try:
        return load_bundle(path)
    except BundleError as exc:
        raise CommandError(f"{exc}; nothing published") from None


def _timetable(args: argparse.Namespace) -> str | timedelta | None:
    from ntro.runtime.temporal._scheduling import cron_fields, parse_every

    if args.cron is not None:
        try:
            return cron_fields(args.cron)
        except CommandError as exc:
            raise CommandError(exc.message.replace("--cron", "--schedule", 1)) from None
    if args.every is not None:
        return parse_every(args.every)
    return None


# -- create ----------------------------------------------------------------------------------------------


class CreateCommand:
    """``ntro workflow create --path DIR``: validate, lint and publish a runbook; bind it to an entity."""

    help = "publish a runbook bundle to the registry as a new version (and bind it to an entity, on a schedule)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the create command's arguments."""
        parser.add_argument("--path", required=True, metavar="DIR", help="the runbook bundle directory")
        parser.add_argument(
            "--version", metavar="V", help="the version to publish it as (default: version: in its runbook.md)"
        )
        add_registry_option(parser)
        bind = parser.add_argument_group("binding (optional)")
        bind.add_argument("--entity", metavar="E", help="bind the runbook to this entity (its slug)")
        bind.add_argument("--binding", metavar="ID", help="the binding's id (default: <slug>-<entity>)")
        bind.add_argument(
            "--input",
            "-i",
            metavar="JSON|@FILE",
            help="each run's input, as JSON or @file; the entity's slug goes into its entity_slug field",
        )
        when = bind.add_mutually_exclusive_group()
        when.add_argument(
            "--schedule",
            "--cron",
            dest="cron",
            metavar="CRON",
            help="start a run on this cron timetable (UTC), e.g. '0 6 * * 1-5': a Temporal Schedule",
        )
        when.add_argument("--every", metavar="DURATION", help="start a run every DURATION (30m, 1h, 1d...)")
        bind.add_argument(
            "--pin",
            action="store_true",
            help="keep the binding's runs on this version (default: each run takes the newest version)",
        )
        add_task_queue_option(parser)
        add_connection_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Check everything, publish, bind; print what was done."""
        from ntro.registry import binding_input, check_binding_id
        from ntro.workflow.bundle import InputError

        bind_options = [
            name
            for name, value in (
                ("--binding", args.binding),
                ("--input", args.input),
                ("--schedule", args.cron),
                ("--every", args.every),
                ("--pin", args.pin or None),
            )
            if value is not None
        ]
        if args.entity is None and bind_options:
            verb = "binds" if len(bind_options) == 1 else "bind"
            raise CommandError(f"{', '.join(bind_options)} {verb} the runbook to an entity: add --entity E")
        if args.entity is not None and not args.entity.strip():
            raise CommandError("--entity is empty; give the entity's slug")
        spec = _timetable(args)
        settings = (
            settings_from_args(args, no_host="a binding with a schedule needs a Temporal cluster") if spec else None
        )
        bundle = _checked_bundle(args.path)
        registry = _open(args)
        with _registry_errors():
            existing = registry.find_published(args.path, args.version) if args.entity is not None else None
            if existing is None:
                registry.check_publishable(args.path, args.version)
            binding_id = None
            arg = None
            if args.entity is not None:
                binding_id = check_binding_id(args.binding or f"{bundle.slug}-{args.entity}")
                if binding_id in {b.id for b in registry.bindings()}:
                    raise CommandError(
                        f"a binding with id {binding_id!r} exists in {registry.url}; remove it first "
                        f"(ntro workflow bindings --remove {binding_id}), or pick another --binding"
                    )
                try:
                    arg = binding_input(bundle.workflow_cls, args.entity, read_input_text(args.input))
                except InputError as exc:
                    raise CommandError(f"bad input for binding {binding_id}: {exc}") from None
        if settings is not None and spec is not None:
            return run_to_the_end(
                self._publish_and_schedule(args, settings, registry, existing, bundle, binding_id, arg, spec)
            )
        published, revision = _publish(args, registry, existing)
        if binding_id is not None:
            with _registry_errors():
                binding = registry.add_binding(self._binding(args, binding_id, published, revision, arg))
            print(_bound_words(binding))
        return 0

    async def _publish_and_schedule(
        self,
        args: argparse.Namespace,
        settings: ConnectionSettings,
        registry: Any,
        existing: Any,
        bundle: Any,
        binding_id: str | None,
        arg: Any,
        spec: str | timedelta,
    ) -> int:
        from ntro.runtime.temporal._deploy import pinned_queue
        from ntro.runtime.temporal._scheduling import create_schedule, delete_schedule, next_words

        assert binding_id is not None
        task_queue = task_queue_of(args)
        async with command_client(settings, task_queue) as client:  # reached before anything is published
            published, revision = _publish(args, registry, existing)
            queue = pinned_queue(task_queue, revision.id) if args.pin else task_queue
            data, _ = await create_schedule(
                client,
                binding_id,
                bundle=bundle,
                arg=arg,
                task_queue=queue,
                spec=spec,
                note=f"binding {binding_id} of {registry.url}",
                memo={"binding": binding_id, "entity": args.entity},
                cron_option="--schedule",
                id_option="--binding",
            )
            try:
                with _registry_errors():
                    binding = registry.add_binding(
                        self._binding(args, binding_id, published, revision, arg, spec=spec, task_queue=queue)
                    )
            except BaseException:
                await delete_schedule(client, binding_id)  # no binding, no schedule
                raise
        print(f"{_bound_words(binding)}; {next_words(data)}")
        return 0

    def _binding(
        self,
        args: argparse.Namespace,
        binding_id: str,
        published: Any,
        revision: Any,
        arg: Any,
        *,
        spec: str | timedelta | None = None,
        task_queue: str | None = None,
    ) -> Any:
        from pydantic_core import to_jsonable_python

        from ntro.registry import Binding

        return Binding(
            id=binding_id,
            slug=published.slug,
            entity=args.entity,
            input=to_jsonable_python(arg),
            version=published.version,
            revision=revision.id,
            pinned=bool(args.pin),
            cron=spec if isinstance(spec, str) else None,
            every=int(spec.total_seconds()) if isinstance(spec, timedelta) else None,
            task_queue=task_queue,
        )


def _publish(args: argparse.Namespace, registry: Any, existing: Any) -> tuple[Any, Any]:
    """Publish ``args.path``, or take ``existing`` (that bundle, published already); return it and its revision."""
    with _registry_errors():
        if existing is not None:
            print(
                f"{existing.slug} {existing.version} is published already, with the same content "
                f"(revision r{existing.revision}); binding it"
            )
            return existing, registry.revision(f"r{existing.revision}")
        published = registry.publish(args.path, version=args.version)
        revision = registry.revision(f"r{published.revision}")
    print(
        f"published {published.slug} {published.version} to {registry.url} as revision {revision.id} "
        f"({published.short_hash})"
    )
    return published, revision


def _schedule_words(binding: Any) -> str:
    from ntro.runtime.temporal._scheduling import every_words

    if binding.cron is not None:
        return f"cron {binding.cron}"
    if binding.every is not None:
        return f"every {every_words(timedelta(seconds=binding.every))}"
    return "no schedule"


def _version_words(binding: Any) -> str:
    if binding.pinned:
        return f"{binding.version} (pinned: revision {binding.revision})"
    return "newest"


def _bound_words(binding: Any) -> str:
    if binding.pinned:
        runs = f"its runs stay on {binding.version} (revision {binding.revision})"
    else:
        runs = "each run takes the newest version"
    words = f"bound {binding.slug} to entity {binding.entity} as binding {binding.id}: {runs}"
    if binding.scheduled:
        words += f", {_schedule_words(binding)} on task queue {binding.task_queue!r}"
    return words


def _print_columns(rows: Iterable[tuple[str, ...]]) -> None:
    """Print rows of cells in columns two spaces apart (the last one unpadded)."""
    table = list(rows)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))] if table else []
    for row in table:
        print("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths, strict=True)).rstrip())


# -- versions ----------------------------------------------------------------------------------------------


class VersionsCommand:
    """``ntro workflow versions [SLUG]``: the published versions of a runbook (of every runbook)."""

    help = "list the versions of a runbook (or of every runbook) published to the registry"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the versions command's arguments."""
        parser.add_argument("slug", nargs="?", help="the runbook's slug (default: every runbook)")
        add_registry_option(parser)
        add_json_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Print one line per version, newest last."""
        registry = _open(args)
        with _registry_errors():
            if args.slug is not None:
                registry.get(args.slug)  # an unknown slug is an error
            versions = [v for v in registry.published() if args.slug in (None, v.slug)]
            newest = {v.slug: v for v in versions}
        if args.json:
            print_json([{**v.to_json(), "newest": newest[v.slug] == v} for v in versions])
            return 0
        if not versions:
            print(f"nothing is published to {registry.url}")
            return 0
        _print_columns(
            (
                v.slug,
                v.version,
                f"revision {v.revision}",
                v.short_hash,
                v.published_at.replace("T", " ").replace("+00:00", " UTC"),
                "newest" if newest[v.slug] == v else "",
            )
            for v in versions
        )
        return 0


# -- bindings ----------------------------------------------------------------------------------------------


class BindingsCommand:
    """``ntro workflow bindings [--remove ID]``: the bindings in the registry; remove one and its schedule."""

    help = "list the runbook bindings in the registry, or remove one (and its schedule) with --remove ID"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the bindings command's arguments."""
        parser.add_argument("--remove", metavar="ID", help="remove this binding, and delete its schedule")
        add_registry_option(parser)
        add_json_option(parser)
        add_connection_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """List the bindings, or remove one."""
        registry = _open(args)
        if args.remove is not None:
            with _registry_errors():
                binding = registry.binding(args.remove)
            if binding.scheduled:
                settings = settings_from_args(args, no_host=f"binding {binding.id} has a schedule on Temporal")
                return run_to_the_end(self._remove_scheduled(registry, binding, settings))
            with _registry_errors():
                registry.remove_binding(binding.id)
            print(f"removed binding {binding.id}")
            return 0
        with _registry_errors():
            bindings = registry.bindings()
        if args.json:
            print_json([b.to_json() for b in bindings])
            return 0
        if not bindings:
            print(f"no bindings in {registry.url}")
            return 0
        _print_columns((b.id, b.slug, b.entity, _version_words(b), _schedule_words(b)) for b in bindings)
        return 0

    async def _remove_scheduled(self, registry: Any, binding: Any, settings: ConnectionSettings) -> int:
        from ntro.runtime.temporal._scheduling import delete_schedule

        async with command_client(settings) as client:
            found = await delete_schedule(client, binding.id)
        with _registry_errors():
            registry.remove_binding(binding.id)
        gone = "deleted its schedule" if found else "its schedule was already gone"
        print(f"removed binding {binding.id} and {gone} (runs it started go on)")
        return 0


CREATE_COMMAND = CreateCommand()
"""``ntro workflow create`` (entry point ``ntro.commands``: ``workflow.create``)."""

VERSIONS_COMMAND = VersionsCommand()
"""``ntro workflow versions`` (entry point ``ntro.commands``: ``workflow.versions``)."""

BINDINGS_COMMAND = BindingsCommand()
"""``ntro workflow bindings`` (entry point ``ntro.commands``: ``workflow.bindings``)."""

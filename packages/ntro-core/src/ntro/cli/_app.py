"""Argument parsing, command discovery and error reporting for ``ntro``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import NoReturn, Protocol, runtime_checkable

from ntro.cli._signals import report_interruption, terminate_as_interrupt
from ntro.workflow.exceptions import NtroError

COMMAND_GROUP = "ntro.commands"

_GROUP_HELP = {
    "workflow": "run, test, lint and start runbooks",
    "schedule": "start runbooks on a timetable (Temporal Schedules)",
}

# Command groups another distribution brings, and what to say when it is not installed.
_NEEDS_INSTALLING = {
    "schedule": "schedules run on Temporal Schedules and need a cluster: {temporal}, then host your "
    "runbooks on the cluster with 'ntro worker PATH...'",
}


@runtime_checkable
class Command(Protocol):
    """A subcommand published under the ``ntro.commands`` entry-point group."""

    help: str
    """One line shown in ``ntro --help``."""

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add this command's arguments to ``parser``."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the work and return the exit code."""


class CommandError(NtroError):
    """A user error: printed as one line (``ntro: error: ...``), exit code ``exit_code``."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse ``args``; a command that cannot run (``_broken``) takes any, to say why it cannot."""
        broken = self.get_default("_broken")
        if broken is None:
            return super().parse_known_args(args, namespace)
        namespace = namespace if namespace is not None else argparse.Namespace()
        namespace._broken = broken
        return namespace, []


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ntro-core")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        from ntro.workflow import __version__

        return __version__


def _discover() -> list[tuple[list[str], Command | None, str]]:
    """Return (path, command or None, load error) for each published command."""
    found: list[tuple[list[str], Command | None, str]] = []
    for ep in sorted(entry_points(group=COMMAND_GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break the whole CLI
            found.append((ep.name.split("."), None, f"{type(exc).__name__}: {exc}"))
            continue
        found.append((ep.name.split("."), obj, ""))
    return found


def build_parser() -> argparse.ArgumentParser:
    """Build the full ``ntro`` parser from the installed commands."""
    parser = _Parser(
        prog="ntro",
        description="ntro: durable business workflows (runbooks) that run locally or on Temporal.",
    )
    parser.add_argument("--version", action="version", version=f"ntro {_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level to stderr")
    groups: dict[tuple[str, ...], argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    parsers: dict[tuple[str, ...], argparse.ArgumentParser] = {(): parser}

    def subparsers_of(path: tuple[str, ...]) -> argparse._SubParsersAction[argparse.ArgumentParser]:
        if path not in groups:
            owner = parsers[path] if path in parsers else group_parser(path)
            groups[path] = owner.add_subparsers(dest="_cmd_" + "_".join(path or ("root",)), metavar="COMMAND")
            groups[path].required = True
        return groups[path]

    def group_parser(path: tuple[str, ...]) -> argparse.ArgumentParser:
        if path not in parsers:
            sub = subparsers_of(path[:-1])
            name = path[-1]
            help_text = _GROUP_HELP.get(name, f"{name} commands")
            parsers[path] = sub.add_parser(name, help=help_text, description=help_text)
        return parsers[path]

    for path, command, error in _discover():
        sub = subparsers_of(tuple(path[:-1]))
        if command is None:
            broken = sub.add_parser(path[-1], help=f"(unavailable: {error})")
            broken.set_defaults(_broken=f"'ntro {' '.join(path)}' cannot load: {error}")
            continue
        cmd_parser = sub.add_parser(path[-1], help=command.help, description=command.help)
        command.configure(cmd_parser)
        cmd_parser.set_defaults(_command=command)
    top = subparsers_of(())
    for name, needs in _NEEDS_INSTALLING.items():
        if name not in top.choices:  # unlisted in --help; named, it says what to install
            top.add_parser(name).set_defaults(_broken=_not_installed(name, needs))
    return parser


def _not_installed(name: str, needs: str) -> str:
    from ntro.runtime.protocol import INSTALL_HINT

    return f"'ntro {name}' is not installed: " + needs.format(**INSTALL_HINT)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ntro`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    broken = getattr(args, "_broken", None)
    if broken:
        print(f"ntro: error: {broken}", file=sys.stderr)
        return 1
    command: Command = args._command
    try:
        with terminate_as_interrupt():
            return command.run(args)
    except CommandError as exc:
        print(f"ntro: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except NtroError as exc:
        print(f"ntro: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # SIGINT, or SIGTERM
        return report_interruption()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


# A backend's native extension that can crash the interpreter while it finalises, after the
# work is done (temporalio's Rust bridge: temporalio/sdk-python#300).
_UNSAFE_TO_FINALISE = ("temporalio.bridge.temporal_sdk_bridge",)


def entry() -> NoReturn:
    """Console-script entry point.

    When a native extension that cannot finalise safely was loaded, the
    process ends without finalising, once output is flushed.
    """
    code = main()
    if any(name in sys.modules for name in _UNSAFE_TO_FINALISE):
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                code = code or 1
        os._exit(code)
    sys.exit(code)

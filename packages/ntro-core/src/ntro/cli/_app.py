"""Argument parsing, command discovery and error reporting for ``ntro``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any, NoReturn, Protocol, TextIO, cast, runtime_checkable

from ntro.cli._signals import report_interruption, terminate_as_interrupt
from ntro.workflow.exceptions import NtroError

COMMAND_GROUP = "ntro.commands"

_GROUP_HELP = {
    "workflow": "run, test, lint and start runbooks",
    "schedule": "start runbooks on a timetable (Temporal Schedules)",
}

# Commands (and command groups) another distribution brings, by dotted path, and what to say
# when it is not installed. {temporal}, {local} and {testing} are the pip commands.
_NEEDS_INSTALLING = {
    "schedule": "schedules run on Temporal Schedules and need a cluster: {temporal}, then host your "
    "runbooks on the cluster with 'ntro worker PATH...'",
    "worker": "a worker hosts runbooks on a Temporal cluster: {temporal}",
    **{
        f"workflow.{name}": f"it {does} on a Temporal cluster: {{temporal}}"
        for name, does in (
            ("start", "starts runbooks"),
            ("describe", "describes runs"),
            ("signal", "signals runs"),
            ("update", "sends updates to runs"),
            ("answer", "answers runs"),
            ("result", "fetches results of runs"),
            ("cancel", "cancels runs"),
            ("list", "lists runs"),
            ("create", "publishes runbooks to a registry that Temporal workers follow"),
            ("versions", "lists the versions in a registry that Temporal workers follow"),
            ("bindings", "lists the bindings in a registry that Temporal workers follow"),
        )
    },
    **{f"workflow.{name}": "it comes with the test harness: {testing}" for name in ("lint", "test", "validate")},
    "console": "the web console where people start runs and answer their gates: {console}",
}
_TESTING_HINT = 'pip install "ntro-core[testing]"'
_CONSOLE_HINT = 'pip install "ntro-core[console]"'


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
    for dotted, needs in _NEEDS_INSTALLING.items():
        *above, name = dotted.split(".")
        group = tuple(above)
        if group in parsers and (*group, name) not in parsers:
            sub = subparsers_of(group)
            if name not in sub.choices:  # unlisted in --help; named, it says what to install
                sub.add_parser(name).set_defaults(_broken=_not_installed(dotted, needs))
    return parser


def _not_installed(dotted: str, needs: str) -> str:
    from ntro.runtime.protocol import INSTALL_HINT

    hints = {**INSTALL_HINT, "testing": _TESTING_HINT, "console": _CONSOLE_HINT}
    return f"'ntro {dotted.replace('.', ' ')}' is not installed: " + needs.format(**hints)


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


class OutputLostError(CommandError):
    """Standard output cannot take what a command prints (closed, full, or a broken pipe); exit 1."""


def _lost_words(exc: BaseException | None) -> str:
    if exc is None:
        return "cannot write to stdout: it is closed; the output is lost"
    if isinstance(exc, BrokenPipeError):
        return "cannot write to stdout: the reader closed it (broken pipe); the output is cut short"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return f"cannot write to stdout: {reason}; the output is lost"


class _GuardedStdout:
    """Standard output that turns a failed write into :class:`OutputLostError`, once.

    Python drops what is printed to a closed stdout without a word, and a
    full disk or a broken pipe surfaces as a bare ``OSError`` wherever the
    buffer happens to be flushed. Behind this guard either becomes one
    error, raised at the first failed write or flush; stdout then points at
    the null device, so nothing fails again while the process ends.
    """

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self.lost: str | None = None

    def _lose(self, exc: BaseException | None) -> NoReturn:
        self.lost = _lost_words(exc)
        try:
            fd = self._stream.fileno() if self._stream is not None else 1
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
        except (OSError, ValueError):
            pass
        raise OutputLostError(self.lost, exit_code=1)

    def write(self, text: str) -> int:
        if self.lost is not None:
            return len(text)
        if self._stream is None:
            self._lose(None)
        try:
            return self._stream.write(text)
        except (OSError, ValueError) as exc:
            self._lose(exc)

    def flush(self) -> None:
        if self.lost is not None or self._stream is None:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as exc:
            self._lose(exc)

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


def finish_output(code: int) -> int:
    """Flush standard output and return the exit code the process should end with.

    A command's work is done: when its output could not be written (stdout
    closed, a full disk, a broken pipe), say so in one line on stderr (unless
    that was said already) and return a non-zero code, never report success.
    """
    guard = sys.stdout if isinstance(sys.stdout, _GuardedStdout) else None
    already = guard is not None and guard.lost is not None
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OutputLostError:
        pass
    except (OSError, ValueError) as exc:  # an unguarded stdout (ntro.cli.main called in-process)
        print(f"ntro: error: {_lost_words(exc)}", file=sys.stderr)
        return code or 1
    if guard is not None and guard.lost is not None:
        if not already:
            print(f"ntro: error: {guard.lost}", file=sys.stderr)
        return code or 1
    return code


def _unsafe_to_finalise() -> bool:
    """Whether a backend used in this process loaded a native module that can crash the interpreter's finalisation.

    Each backend names its own in its :class:`~ntro.runtime.protocol.BackendInfo`.
    """
    from ntro.runtime.protocol import loaded_backend_infos

    return any(module in sys.modules for info in loaded_backend_infos().values() for module in info.unsafe_to_finalise)


def entry() -> NoReturn:
    """Console-script entry point.

    Output that cannot be written (stdout closed or full, a broken pipe) is
    one error line and exit 1. When a backend loaded a native extension that
    cannot finalise safely (its ``BackendInfo.unsafe_to_finalise``), the
    process ends without finalising, once output is flushed.
    """
    sys.stdout = cast(TextIO, _GuardedStdout(sys.stdout))
    try:
        code = main()
    except OutputLostError as exc:  # --help or --version, printed while parsing
        print(f"ntro: error: {exc.message}", file=sys.stderr)
        code = exc.exit_code
    code = finish_output(code)
    if _unsafe_to_finalise():
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # stdout's loss was reported by finish_output
                code = code or 1
        os._exit(code)
    sys.exit(code)

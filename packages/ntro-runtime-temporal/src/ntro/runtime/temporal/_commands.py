"""What every command of the Temporal backend shares: options, the connection, one-line errors, JSON.

A command that talks to a cluster takes the connection options of ``ntro
worker`` (:func:`~ntro.runtime.temporal._connect.add_connection_options`) and
``--json`` (:func:`add_cluster_options`), connects with
:func:`command_client`, runs its work with :func:`run_to_the_end` (ntro's own
errors, and what the server refused, as one line and exit 1) and prints JSON
with :func:`ntro.cli.print_json`. Nothing here imports temporalio at module
level: ``ntro --help`` loads every command, and should stay quick.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ntro.cli import CommandError, add_json_option, finish_output, report_interruption
from ntro.runtime.temporal._connect import (
    DEFAULT_TASK_QUEUE,
    TASK_QUEUE_ENV,
    ConnectionSettings,
    add_connection_options,
    connect,
    default_task_queue,
)
from ntro.runtime.temporal._process import exit_skipping_finalization, running_as_ntro_command
from ntro.workflow.exceptions import NtroError, WorkflowError

if TYPE_CHECKING:
    from ntro.runtime.temporal._client import TemporalClient

__all__ = [
    "add_cluster_options",
    "add_task_queue_option",
    "command_client",
    "parse_json_option",
    "positive_int",
    "quiet_runtime",
    "run_to_the_end",
    "seconds",
    "task_queue_of",
    "utc_text",
]


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--json`` and the connection options, which every command on a cluster takes."""
    add_json_option(parser)
    add_connection_options(parser)


def task_queue_of(args: argparse.Namespace) -> str:
    """The task queue ``--task-queue`` names, else ``NTRO_TASK_QUEUE``, else the default."""
    return str(args.task_queue or default_task_queue())


def add_task_queue_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--task-queue Q`` (``-q``)."""
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


def run_to_the_end(work: Coroutine[Any, Any, int]) -> int:
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


def utc_text(value: datetime | None) -> str:
    """A time as the commands print it (``2026-11-25 06:00:00 UTC``), ``?`` when unknown."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "?"


def parse_json_option(text: str, option: str) -> Any:
    """Return the JSON ``text`` an ``option`` gave (one line, exit 2, when it is not JSON)."""
    from ntro.workflow.bundle import InputError, parse_json

    try:
        return parse_json(text, option)
    except InputError as exc:
        raise CommandError(str(exc)) from None

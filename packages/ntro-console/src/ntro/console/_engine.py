"""The one place the console knows engines apart: the options each takes and how its client is opened.

An engine without connection settings (LocalRuntime) hosts the runs in the
console's own process: the bundles' workflows and real activities run there.
Temporal is connected to with the options of ``ntro worker`` (``--host``,
``--namespace``, TLS, API key, ``--task-queue``), and the worker hosts the
bundles; the console only starts, watches and answers runs.
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import attrs

from ntro.cli import CommandError
from ntro.runtime.protocol import ClientOptions, installed_clients

__all__ = ["add_engine_options", "client_options", "default_runtime"]

_CONNECTED = "temporal"
"""The engine the console connects to rather than hosts."""


def _temporal() -> ModuleType | None:
    """``ntro.runtime.temporal`` when installed (importing it costs no temporalio import)."""
    if importlib.util.find_spec("ntro.runtime.temporal") is None:
        return None
    import ntro.runtime.temporal as temporal

    return temporal


def default_runtime() -> str:
    """``local`` when installed, else the first installed engine (``local`` when none is: it says what to install)."""
    installed = installed_clients()
    return "local" if "local" in installed or not installed else installed[0]


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--runtime`` and, when Temporal is installed, ``ntro worker``'s connection options."""
    parser.add_argument(
        "--runtime",
        default=default_runtime(),
        metavar="NAME",
        help="the engine: local (runs hosted in this process, the default) or temporal (a cluster whose "
        f"'ntro worker' hosts the bundles); installed: {', '.join(installed_clients()) or 'none'}",
    )
    temporal = _temporal()
    if temporal is not None:
        parser.add_argument(
            "--task-queue",
            metavar="Q",
            help="with --runtime temporal: the task queue runs start on, the one 'ntro worker' serves "
            "[env NTRO_TASK_QUEUE, default 'ntro']",
        )
        temporal.add_connection_options(parser)


def client_options(args: argparse.Namespace, bundles: Sequence[Any], children: Sequence[Any]) -> ClientOptions:
    """Return the options to open the engine's client with.

    Raises:
        CommandError: A hosted engine got no bundle to host, or Temporal's
            connection settings are missing or inconsistent.
    """
    if args.runtime == _CONNECTED:
        temporal = _temporal()
        if temporal is None:  # require_clients has said so already; kept for type narrowing
            raise CommandError("--runtime temporal needs ntro-runtime-temporal", exit_code=1)
        settings = temporal.settings_from_args(args, no_host="--runtime temporal connects to a cluster")
        task_queue = args.task_queue or temporal.default_task_queue()
        return ClientOptions(task_queue=task_queue, connection=attrs.asdict(settings, recurse=False))
    if not bundles:
        raise CommandError(
            f"--runtime {args.runtime} hosts the runs in this process: give the runbook bundles to host "
            "(ntro console BUNDLE... [--child BUNDLE...])"
        )
    workflows = [b.workflow_cls for b in (*bundles, *children)]
    activities: list[Any] = []
    for bundle in (*bundles, *children):
        activities += [fn for fn in bundle.activities if fn not in activities]
    return ClientOptions(workflows=workflows, activities=activities, payload_parity=True)

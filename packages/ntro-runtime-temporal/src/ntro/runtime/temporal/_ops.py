"""The operations commands: look at, answer, collect and stop runs on a Temporal cluster.

=====================================================  =================================================
``ntro workflow describe ID``                          status, steps (✓ ▶ ·), what it waits for, children
                                                       (running ones described in turn)
``ntro workflow signal ID NAME [--input JSON|@file]``  send a signal
``ntro workflow update ID NAME [--input JSON|@file]``  send an update and print its answer
``ntro workflow answer ID approve|reject``             answer the open review(s)
``[--note TEXT] [--correction JSON]...``
``ntro workflow answer ID upload SOURCE FILE``         put FILE into the document store, then answer
``[--documents URL]``                                  the open upload of SOURCE with its ref
``ntro workflow result ID [--wait]``                   the result, as JSON
``ntro workflow cancel ID``                            ask a run to cancel
``ntro workflow list [--status S] [--limit N]``        runs, newest first
=====================================================  =================================================

Each takes the connection options of ``ntro worker`` and ``--json``. Answers
go through :mod:`ntro.client`, the one module that reads gates and builds
answers for every engine. Bad input is one line and exit 2; an unknown id,
a run in the wrong state or a server that cannot be reached is one line and
exit 1. How ``describe`` words a run is :mod:`ntro.runtime.temporal._describing`.
Nothing here imports temporalio at module level.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ntro.cli import (
    CommandError,
    add_documents_option,
    documents_from_args,
    print_json,
    read_input_text,
    to_json_text,
)
from ntro.runtime.temporal._commands import (
    add_cluster_options,
    add_task_queue_option,
    command_client,
    parse_json_option,
    positive_int,
    run_to_the_end,
    task_queue_of,
    utc_text,
)
from ntro.runtime.temporal._connect import ConnectionSettings, settings_from_args
from ntro.runtime.temporal._describing import render, run_tree

if TYPE_CHECKING:
    from ntro.client import Gate
    from ntro.documents import DocumentStore
    from ntro.runtime.protocol import WorkflowDescription, WorkflowStatus
    from ntro.runtime.temporal._client import TemporalClient

__all__ = [
    "ANSWER_COMMAND",
    "CANCEL_COMMAND",
    "DESCRIBE_COMMAND",
    "LIST_COMMAND",
    "RESULT_COMMAND",
    "SIGNAL_COMMAND",
    "UPDATE_COMMAND",
    "AnswerCommand",
    "CancelCommand",
    "DescribeCommand",
    "ListCommand",
    "ResultCommand",
    "SignalCommand",
    "UpdateCommand",
]

_DONE = {"approve": "approved", "reject": "rejected"}

STATUS_CHOICES = ("running", "completed", "failed", "canceled", "cancelled", "terminated", "timed_out")
"""What ``ntro workflow list --status`` takes (``cancelled`` is ``canceled``)."""


def _workflow_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow_id", metavar="ID", help="the workflow id")


def _check_id(args: argparse.Namespace) -> None:
    if not args.workflow_id.strip():
        raise CommandError("the workflow ID is empty")


def _sending(parser: argparse.ArgumentParser, what: str, name_help: str) -> None:
    """The arguments of a command that sends ``what`` (a signal, an update): ID, NAME and its one ``--input``."""
    _workflow_id(parser)
    parser.add_argument(what, metavar="NAME", help=name_help)
    parser.add_argument(
        "--input",
        "-i",
        metavar="JSON|@FILE",
        help=f"the {what}'s argument as JSON, @file.json or @- for stdin (default: none; 'null' sends None)",
    )
    add_cluster_options(parser)


def _sent_values(args: argparse.Namespace, what: str) -> tuple[Any, ...]:
    """What a signal or an update carries: nothing, or its ``--input`` (after checking the ID and the NAME)."""
    _check_id(args)
    if not getattr(args, what).strip():
        raise CommandError(f"the {what} NAME is empty")
    text = read_input_text(args.input)
    return () if text is None else (parse_json_option(text, "--input"),)


async def _existing(client: TemporalClient, workflow_id: str) -> WorkflowDescription:
    """Describe ``workflow_id`` without its queries; raises WorkflowNotFoundError for an unknown id."""
    return await client.get_workflow_handle(workflow_id).describe(with_state=False)


class _OneRunCommand:
    """A command on one run: ``ID`` and the cluster options; its work runs connected, its errors one line each."""

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the command's arguments: ``ID``, its own, and the cluster options."""
        _workflow_id(parser)
        self._options(parser)
        add_cluster_options(parser)

    def _options(self, parser: argparse.ArgumentParser) -> None:
        """Add the arguments this command takes besides ``ID`` (none)."""

    def run(self, args: argparse.Namespace) -> int:
        """Check the ID, then do the work on the cluster."""
        _check_id(args)
        settings = settings_from_args(args)
        return run_to_the_end(self._work(args, settings))

    async def _work(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        raise NotImplementedError


# -- describe ----------------------------------------------------------------------------------


class DescribeCommand(_OneRunCommand):
    """``ntro workflow describe ID``: status, steps, what the run waits for, children."""

    help = "show a run on Temporal: status, steps, what it waits for, and its children"

    async def _work(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            node = await run_tree(client, args.workflow_id)
        if args.json:
            print_json(node.to_json())
        else:
            print("\n".join(render(node, args.workflow_id)))
        return 0


# -- signal --------------------------------------------------------------------------------------


class SignalCommand:
    """``ntro workflow signal ID NAME [--input JSON|@file]``: send a signal to a run."""

    help = "send a signal to a run on Temporal (with --input as its one argument)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the signal command's arguments."""
        _sending(parser, "signal", "the signal's name, e.g. user_action")

    def run(self, args: argparse.Namespace) -> int:
        """Send the signal; print one line."""
        values = _sent_values(args, "signal")
        settings = settings_from_args(args)
        return run_to_the_end(self._signal(args, settings, values))

    async def _signal(self, args: argparse.Namespace, settings: ConnectionSettings, values: tuple[Any, ...]) -> int:
        async with command_client(settings) as client:
            await client.get_workflow_handle(args.workflow_id).signal(args.signal, *values)
        if args.json:
            print_json({"workflow_id": args.workflow_id, "signal": args.signal, "sent": True})
        else:
            print(f"sent signal {args.signal} to workflow {args.workflow_id}")
        return 0


# -- update --------------------------------------------------------------------------------------


NO_CLUSTER_FOR_UPDATES = (
    "ntro workflow update needs a Temporal cluster (a local run is updated in the process that started it, "
    "with its client's handle.update)"
)
"""What ``ntro workflow update`` says when no cluster is configured."""


class UpdateCommand:
    """``ntro workflow update ID NAME [--input JSON|@file]``: send an update and print its answer."""

    help = "send an update to a run on Temporal and print its answer (a refused update: exit 1)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the update command's arguments."""
        _sending(parser, "update", "the update's name, as in @runbook.update")

    def run(self, args: argparse.Namespace) -> int:
        """Send the update; print its answer as JSON (with ``--json``, with the id and name too)."""
        values = _sent_values(args, "update")
        settings = settings_from_args(args, no_host=NO_CLUSTER_FOR_UPDATES)
        return run_to_the_end(self._update(args, settings, values))

    async def _update(self, args: argparse.Namespace, settings: ConnectionSettings, values: tuple[Any, ...]) -> int:
        async with command_client(settings) as client:
            answer = await client.get_workflow_handle(args.workflow_id).update(args.update, *values)
        if args.json:
            print_json({"workflow_id": args.workflow_id, "update": args.update, "answer": answer})
        else:
            print_json(answer, "the answer")
        return 0


# -- answer --------------------------------------------------------------------------------------


class AnswerCommand:
    """``ntro workflow answer ID approve|reject`` or ``... ID upload SOURCE FILE``: answer a run's gate."""

    help = "answer what a run on Temporal waits for: approve|reject its review, or upload SOURCE FILE"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the answer command's arguments."""
        _workflow_id(parser)
        parser.add_argument(
            "decision",
            choices=("approve", "reject", "upload"),
            help="approve or reject the open review(s) under ID (give a child's id to answer only its own), "
            "or upload a file",
        )
        parser.add_argument(
            "upload",
            nargs="*",
            metavar="SOURCE FILE",
            help="for upload: the source asked for (e.g. trial-balance) and the file; FILE goes into the "
            "document store (--documents) first, and the answer carries its ref",
        )
        parser.add_argument("--note", metavar="TEXT", help="a note for the review (approve|reject)")
        parser.add_argument(
            "--correction",
            action="append",
            default=[],
            metavar="JSON|@FILE",
            help="a correction for the review, a JSON object (repeatable)",
        )
        add_documents_option(parser)
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Check the answer, send it, and print one line per gate answered."""
        _check_id(args)
        path: Path | None = None
        store: DocumentStore | None = None
        corrections: list[Mapping[str, Any]] = []
        if args.decision == "upload":
            if len(args.upload) != 2:
                raise CommandError(
                    "upload takes SOURCE FILE, e.g.: ntro workflow answer ID upload trial-balance tb.csv"
                )
            if args.note is not None or args.correction:
                raise CommandError("--note and --correction go with approve|reject, not upload")
            path = Path(args.upload[1]).expanduser().resolve()
            if not path.is_file():
                raise CommandError(f"{args.upload[1]}: no such file")
            store = documents_from_args(args)
            _check_size(store, path)
        else:
            if args.upload:
                raise CommandError(
                    f"{args.decision} takes no SOURCE FILE (got {' '.join(args.upload)}); "
                    "to upload, use: ntro workflow answer ID upload SOURCE FILE"
                )
            for raw in args.correction:
                value = parse_json_option(read_input_text(raw, "--correction") or "", "--correction")
                if not isinstance(value, dict):
                    raise CommandError(f"--correction must be a JSON object, not {raw}")
                corrections.append(value)
        settings = settings_from_args(args)
        return run_to_the_end(self._answer(args, settings, path, store, corrections))

    async def _answer(
        self,
        args: argparse.Namespace,
        settings: ConnectionSettings,
        path: Path | None,
        store: DocumentStore | None,
        corrections: list[Mapping[str, Any]],
    ) -> int:
        from ntro.client import (
            GateNotFoundError,
            answer_gate,
            document_answer,
            open_gates,
            pick_reviews,
            pick_upload,
            review_answer,
        )

        answered: list[dict[str, Any]] = []
        lines: list[str] = []
        async with command_client(settings) as client:
            root = await _existing(client, args.workflow_id)
            if root.status.finished:
                raise CommandError(
                    f"workflow {args.workflow_id} {root.status.in_words}; there is nothing to answer", exit_code=1
                )
            gates = await open_gates(client, args.workflow_id)
            try:
                picked = pick_reviews(gates, args.workflow_id) if path is None else []
                upload = pick_upload(gates, args.workflow_id, args.upload[0]) if path is not None else None
            except GateNotFoundError as exc:
                raise CommandError(str(exc), exit_code=1) from None
            for gate in picked:
                payload = review_answer(args.decision, note=args.note, corrections=corrections)
                answered.append(_answered(gate, await answer_gate(client, gate, payload)))
                lines.append(f"{_DONE[args.decision]} {gate.describe()} (workflow {gate.workflow_id})")
            if upload is not None and path is not None and store is not None:
                # The store first: the signal then never points at nothing.
                payload = await asyncio.to_thread(document_answer, upload, path, store=store)
                answered.append(_answered(upload, await answer_gate(client, upload, payload)))
                lines.append(
                    f"sent {path} as {upload.signal_name} to workflow {upload.signal_workflow_id} "
                    f"({upload.describe()}); stored as {payload['document_ref']} in {store.url}"
                )
        if args.json:
            print_json(answered)
        else:
            print("\n".join(lines))
        return 0


def _check_size(store: DocumentStore, path: Path) -> None:
    """Refuse a file over the store's limit before connecting (one line, exit 2)."""
    from ntro.documents import DocumentTooLargeError

    try:
        store.check_size(path.stat().st_size, path.name)
    except DocumentTooLargeError as exc:
        raise CommandError(str(exc)) from None


def _answered(gate: Gate, payload: Any) -> dict[str, Any]:
    return {
        "workflow_id": gate.workflow_id,
        "kind": gate.kind,
        "signal_workflow_id": gate.signal_workflow_id,
        "signal_name": gate.signal_name,
        "step_id": gate.step_id,
        "payload": payload,
    }


# -- result ----------------------------------------------------------------------------------


class ResultCommand(_OneRunCommand):
    """``ntro workflow result ID [--wait]``: print a run's result as JSON.

    It exits 1 when the run failed, or is still running without ``--wait``.
    """

    help = "print the result of a run on Temporal as JSON (--wait: wait for it, riding out a server restart)"

    def _options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--wait", action="store_true", help="wait for a running workflow to end")

    async def _work(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        from ntro.workflow.exceptions import WorkflowFailedError

        async with command_client(settings) as client:
            handle = client.get_workflow_handle(args.workflow_id)
            if not args.wait:
                description = await _existing(client, args.workflow_id)
                if not description.status.finished:
                    raise CommandError(
                        f"workflow {args.workflow_id} is still running; add --wait to wait for its result",
                        exit_code=1,
                    )
            try:
                result = await handle.result()
            except WorkflowFailedError as exc:
                raise CommandError(exc.message, exit_code=1) from None
        if args.json:
            data = json.loads(to_json_text(result))
            print_json({"workflow_id": args.workflow_id, "status": "COMPLETED", "result": data})
        else:
            print_json(result, "the result")
        return 0


# -- cancel ----------------------------------------------------------------------------------


class CancelCommand(_OneRunCommand):
    """``ntro workflow cancel ID``: ask a run to cancel (exit 1 when it has already ended)."""

    help = "ask a run on Temporal to cancel (its children and activities with it)"

    async def _work(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            description = await _existing(client, args.workflow_id)
            if description.status.finished:
                raise CommandError(
                    f"workflow {args.workflow_id} {description.status.in_words}; there is nothing to cancel",
                    exit_code=1,
                )
            await client.get_workflow_handle(args.workflow_id).cancel()
        if args.json:
            print_json({"workflow_id": args.workflow_id, "cancel_requested": True})
        else:
            print(f"asked workflow {args.workflow_id} to cancel")
        return 0


# -- list --------------------------------------------------------------------------------------


def _status_named(name: str) -> WorkflowStatus:
    from ntro.runtime.protocol import WorkflowStatus

    return WorkflowStatus("CANCELED" if name == "cancelled" else name.upper())


class ListCommand:
    """``ntro workflow list [--status S] [--limit N]``: runs on the cluster, newest first."""

    help = "list runs on Temporal, newest first"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the list command's arguments."""
        parser.add_argument("--status", choices=STATUS_CHOICES, help="only runs with this status")
        parser.add_argument("--limit", type=positive_int, default=50, metavar="N", help="at most N runs (default 50)")
        parser.add_argument(
            "--revision",
            metavar="ID",
            help="only runs pinned to this registry revision (r3-1a2b3c4d) by the workers that follow a "
            "registry on --task-queue",
        )
        add_task_queue_option(parser)
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Print one line per run."""
        settings = settings_from_args(args)
        if args.revision is not None and not re.fullmatch(r"r\d+-[0-9a-f]{8}", args.revision):
            raise CommandError(f"--revision {args.revision!r} is not a revision id; they look like r3-1a2b3c4d")
        return run_to_the_end(self._list(args, settings))

    async def _list(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        from ntro.runtime.temporal._deploy import deployment_name, pinned_to

        status = _status_named(args.status) if args.status else None
        where = pinned_to(deployment_name(task_queue_of(args)), args.revision) if args.revision is not None else None
        async with command_client(settings) as client:
            runs = await client.list_workflows(status=status, limit=args.limit, where=where)
        if args.json:
            print_json([run.to_json() for run in runs])
            return 0
        if not runs:
            print("no workflows" + (f" with status {args.status}" if args.status else ""))
            return 0
        width_id = max(len(r.workflow_id) for r in runs)
        width_type = max(len(r.workflow_type) for r in runs)
        for run in runs:
            status_words = run.status.value.lower()
            print(
                f"{run.workflow_id:<{width_id}}  {run.workflow_type:<{width_type}}  {status_words:<14}"
                f"started {utc_text(run.start_time)}"
            )
        return 0


DESCRIBE_COMMAND = DescribeCommand()
"""``ntro workflow describe`` (entry point ``ntro.commands``: ``workflow.describe``)."""

SIGNAL_COMMAND = SignalCommand()
"""``ntro workflow signal`` (entry point ``ntro.commands``: ``workflow.signal``)."""

UPDATE_COMMAND = UpdateCommand()
"""``ntro workflow update`` (entry point ``ntro.commands``: ``workflow.update``)."""

ANSWER_COMMAND = AnswerCommand()
"""``ntro workflow answer`` (entry point ``ntro.commands``: ``workflow.answer``)."""

RESULT_COMMAND = ResultCommand()
"""``ntro workflow result`` (entry point ``ntro.commands``: ``workflow.result``)."""

CANCEL_COMMAND = CancelCommand()
"""``ntro workflow cancel`` (entry point ``ntro.commands``: ``workflow.cancel``)."""

LIST_COMMAND = ListCommand()
"""``ntro workflow list`` (entry point ``ntro.commands``: ``workflow.list``)."""

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
exit 1. Nothing here imports temporalio at module level.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ntro.cli import CommandError, add_documents_option, documents_from_args, read_input_text, to_json_text
from ntro.runtime.temporal._cli import _add_task_queue, _run_to_the_end, _task_queue, command_client, positive_int
from ntro.runtime.temporal._connect import ConnectionSettings, add_connection_options, settings_from_args

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

STEP_MARKS = {"completed": "✓", "active": "▶", "pending": "·"}
"""How ``describe`` marks a step: done, under way, to come."""

MAX_DEPTH = 8
"""How deep ``describe`` follows running children."""

_DONE = {"approve": "approved", "reject": "rejected"}

STATUS_CHOICES = ("running", "completed", "failed", "canceled", "cancelled", "terminated", "timed_out")
"""What ``ntro workflow list --status`` takes (``cancelled`` is ``canceled``)."""


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_connection_options(parser)


def _workflow_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow_id", metavar="ID", help="the workflow id")


def _check_id(args: argparse.Namespace) -> None:
    if not args.workflow_id.strip():
        raise CommandError("the workflow ID is empty")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "?"


def _print_json(value: Any) -> None:
    print(to_json_text(value, "the output"))


async def _existing(client: TemporalClient, workflow_id: str) -> WorkflowDescription:
    """Describe ``workflow_id`` without its queries; raises WorkflowNotFoundError for an unknown id."""
    return await client.get_workflow_handle(workflow_id).describe(with_state=False)


# -- describe ----------------------------------------------------------------------------------


@attrs.frozen
class _Node:
    description: WorkflowDescription
    children: tuple[_Node, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = self.description.to_json()
        data["running_children"] = [child.to_json() for child in self.children]
        return data


async def _tree(client: TemporalClient, workflow_id: str) -> _Node:
    """Describe the run and its running children (the client's one walk of a run), as a tree."""
    from ntro.client import RunWatcher

    descriptions = await RunWatcher(client, workflow_id).look()
    if workflow_id not in descriptions:  # say why, in the client's words (unknown id, unreachable server)
        await client.get_workflow_handle(workflow_id).describe()

    def node(wid: str, depth: int) -> _Node:
        description = descriptions[wid]
        children = tuple(
            node(child.workflow_id, depth + 1)
            for child in description.children
            if child.status == "running" and child.workflow_id in descriptions and depth < MAX_DEPTH
        )
        return _Node(description, children)

    return node(workflow_id, 0)


def waits_for(description: WorkflowDescription, root_id: str) -> str | None:
    """Say in plain words what a running workflow waits for, and how to answer it.

    Returns:
        ``waits for a review: ... (answer with: ntro workflow answer ROOT approve|reject)``,
        ``waits for an upload of SOURCE: ... (answer with: ... upload SOURCE FILE)``...;
        ``None`` for a finished run.
    """
    if description.status.finished:
        return None
    action = description.action
    if action is None:
        return "nothing to answer now" if description.steps else None
    kind = action.kind
    reason = action.reason or ""
    if kind == "interactive_review":
        return (
            f"waits for a review: {reason or 'approve or reject'} "
            f"(answer with: ntro workflow answer {root_id} approve|reject)"
        )
    if kind == "submit_file":
        source = action.slots[0].name or "a file"
        return (
            f"waits for an upload of {source}{f': {reason}' if reason else ''} "
            f"(answer with: ntro workflow answer {root_id} upload {source} FILE)"
        )
    if kind == "submit_files":
        listed = ", ".join(f"{s.name or 'a file'} ({s.status})" for s in action.slots)
        return (
            f"waits for uploads{f' ({reason})' if reason else ''}: {listed or 'none listed'} "
            f"(answer each with: ntro workflow answer {root_id} upload SOURCE FILE)"
        )
    if kind == "drill_down":
        return "waits for its child workflows"
    return f"waits for a {kind} action{f': {reason}' if reason else ''}"


def render(node: _Node, root_id: str, indent: int = 0) -> list[str]:
    """Return the text lines ``ntro workflow describe`` prints for ``node`` and its running children."""
    d = node.description
    pad = "  " * indent
    lines: list[str] = []
    if indent == 0:
        where = f" on task queue {d.task_queue!r}" if d.task_queue else ""
        ended = f", ended {_when(d.close_time)}" if d.close_time is not None else ""
        lines.append(
            f"workflow {d.workflow_id} ({d.workflow_type}) {d.status.in_words}{where}, "
            f"started {_when(d.start_time)}{ended}"
        )
    for step in d.steps:
        lines.append(f"{pad}  {STEP_MARKS.get(step.status, '?')} {step.title}")
    if not d.status.finished and not d.steps and d.pending_action is None and not d.children:
        lines.append(f"{pad}  no runbook state (not an NtroWorkflow, or no worker answered its queries)")
    wait = waits_for(d, root_id)
    if wait:
        lines.append(f"{pad}  {wait}")
    if d.children:
        lines.append(f"{pad}  children:")
        described = {c.description.workflow_id: c for c in node.children}
        for child in d.children:
            sub = described.get(child.workflow_id)
            status = sub.description.status.value.lower().replace("_", " ") if sub is not None else child.status
            lines.append(f"{pad}    {child.workflow_id} ({child.slug}, step {child.step_id}): {status}")
            if sub is not None:
                lines += render(sub, root_id, indent + 2)
    return lines


class DescribeCommand:
    """``ntro workflow describe ID``: status, steps, what the run waits for, children."""

    help = "show a run on Temporal: status, steps, what it waits for, and its children"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the describe command's arguments."""
        _workflow_id(parser)
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Describe the run and print it."""
        _check_id(args)
        settings = settings_from_args(args)
        return _run_to_the_end(self._describe(args, settings))

    async def _describe(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            node = await _tree(client, args.workflow_id)
        if args.json:
            _print_json(node.to_json())
        else:
            print("\n".join(render(node, args.workflow_id)))
        return 0


# -- signal --------------------------------------------------------------------------------------


def _parse_json(text: str, option: str) -> Any:
    from ntro.workflow.bundle import InputError, parse_json

    try:
        return parse_json(text, option)
    except InputError as exc:
        raise CommandError(str(exc)) from None


class SignalCommand:
    """``ntro workflow signal ID NAME [--input JSON|@file]``: send a signal to a run."""

    help = "send a signal to a run on Temporal (with --input as its one argument)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the signal command's arguments."""
        _workflow_id(parser)
        parser.add_argument("signal", metavar="NAME", help="the signal's name, e.g. user_action")
        parser.add_argument(
            "--input",
            "-i",
            metavar="JSON|@FILE",
            help="the signal's argument as JSON, @file.json or @- for stdin (default: none; 'null' sends None)",
        )
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Send the signal; print one line."""
        _check_id(args)
        if not args.signal.strip():
            raise CommandError("the signal NAME is empty")
        text = read_input_text(args.input)
        values: tuple[Any, ...] = () if text is None else (_parse_json(text, "--input"),)
        settings = settings_from_args(args)
        return _run_to_the_end(self._signal(args, settings, values))

    async def _signal(self, args: argparse.Namespace, settings: ConnectionSettings, values: tuple[Any, ...]) -> int:
        async with command_client(settings) as client:
            await client.get_workflow_handle(args.workflow_id).signal(args.signal, *values)
        if args.json:
            _print_json({"workflow_id": args.workflow_id, "signal": args.signal, "sent": True})
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
        _workflow_id(parser)
        parser.add_argument("update", metavar="NAME", help="the update's name, as in @runbook.update")
        parser.add_argument(
            "--input",
            "-i",
            metavar="JSON|@FILE",
            help="the update's argument as JSON, @file.json or @- for stdin (default: none; 'null' sends None)",
        )
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Send the update; print its answer as JSON (with ``--json``, with the id and name too)."""
        _check_id(args)
        if not args.update.strip():
            raise CommandError("the update NAME is empty")
        text = read_input_text(args.input)
        values: tuple[Any, ...] = () if text is None else (_parse_json(text, "--input"),)
        settings = settings_from_args(args, no_host=NO_CLUSTER_FOR_UPDATES)
        return _run_to_the_end(self._update(args, settings, values))

    async def _update(self, args: argparse.Namespace, settings: ConnectionSettings, values: tuple[Any, ...]) -> int:
        async with command_client(settings) as client:
            answer = await client.get_workflow_handle(args.workflow_id).update(args.update, *values)
        if args.json:
            _print_json({"workflow_id": args.workflow_id, "update": args.update, "answer": answer})
        else:
            print(to_json_text(answer, "the answer"))
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
        _configure(parser)

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
                value = _parse_json(read_input_text(raw, "--correction") or "", "--correction")
                if not isinstance(value, dict):
                    raise CommandError(f"--correction must be a JSON object, not {raw}")
                corrections.append(value)
        settings = settings_from_args(args)
        return _run_to_the_end(self._answer(args, settings, path, store, corrections))

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
            _print_json(answered)
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


class ResultCommand:
    """``ntro workflow result ID [--wait]``: print a run's result as JSON."""

    help = "print the result of a run on Temporal as JSON (--wait: wait for it, riding out a server restart)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the result command's arguments."""
        _workflow_id(parser)
        parser.add_argument("--wait", action="store_true", help="wait for a running workflow to end")
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Print the result; exit 1 when the run failed, or is still running without ``--wait``."""
        _check_id(args)
        settings = settings_from_args(args)
        return _run_to_the_end(self._result(args, settings))

    async def _result(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
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
            _print_json({"workflow_id": args.workflow_id, "status": "COMPLETED", "result": data})
        else:
            print(to_json_text(result))
        return 0


# -- cancel ----------------------------------------------------------------------------------


class CancelCommand:
    """``ntro workflow cancel ID``: ask a run to cancel."""

    help = "ask a run on Temporal to cancel (its children and activities with it)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the cancel command's arguments."""
        _workflow_id(parser)
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Request the cancellation; exit 1 when the run has already ended."""
        _check_id(args)
        settings = settings_from_args(args)
        return _run_to_the_end(self._cancel(args, settings))

    async def _cancel(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            description = await _existing(client, args.workflow_id)
            if description.status.finished:
                raise CommandError(
                    f"workflow {args.workflow_id} {description.status.in_words}; there is nothing to cancel",
                    exit_code=1,
                )
            await client.get_workflow_handle(args.workflow_id).cancel()
        if args.json:
            _print_json({"workflow_id": args.workflow_id, "cancel_requested": True})
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
        _add_task_queue(parser)
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Print one line per run."""
        settings = settings_from_args(args)
        if args.revision is not None and not re.fullmatch(r"r\d+-[0-9a-f]{8}", args.revision):
            raise CommandError(f"--revision {args.revision!r} is not a revision id; they look like r3-1a2b3c4d")
        return _run_to_the_end(self._list(args, settings))

    async def _list(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        from ntro.runtime.temporal._deploy import deployment_name, pinned_to

        status = _status_named(args.status) if args.status else None
        where = pinned_to(deployment_name(_task_queue(args)), args.revision) if args.revision is not None else None
        async with command_client(settings) as client:
            runs = await client.list_workflows(status=status, limit=args.limit, where=where)
        if args.json:
            _print_json([run.to_json() for run in runs])
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
                f"started {_when(run.start_time)}"
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

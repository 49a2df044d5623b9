"""The schedule commands: start a runbook on a timetable, with Temporal Schedules.

=====================================================================  ==========================================
``ntro schedule create SLUG --id ID (--cron EXPR | --every DURATION)``  a schedule that starts SLUG (with
``[--input JSON|@file] [--task-queue Q] [--paused] [--note TEXT]``     ``--input``) on that timetable
``ntro schedule list``                                                 the schedules: state, timetable, next run
``ntro schedule describe ID``                                          timetable, state, recent and next runs
``ntro schedule pause ID [--note TEXT]``                               stop starting runs (until unpaused)
``ntro schedule unpause ID [--note TEXT]``                             start them again
``ntro schedule trigger ID``                                           start a run now; print its workflow id
``ntro schedule delete ID``                                            delete the schedule (its runs go on)
=====================================================================  ==========================================

A schedule is the seed's "binding of a runbook to an entity, on a
schedule": the runbook by slug, its input, a timetable. Temporal keeps it
and starts each run as a workflow whose id is the schedule's id followed by
the scheduled time (``nightly-2026-11-25T06:00:00Z``), on the task queue an
``ntro worker`` serves. Each command takes the connection options of ``ntro
worker`` and ``--json``. Bad input is one line and exit 2; an unknown
schedule, or a server that cannot be reached, is one line and exit 1.
LocalRuntime has no schedules: without a cluster the commands say so.
Nothing here imports temporalio at module level.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ntro.cli import CommandError, print_json, to_json_text
from ntro.runtime.temporal._bundles import add_bundles_option, bundle_and_input
from ntro.runtime.temporal._commands import (
    add_cluster_options,
    add_task_queue_option,
    command_client,
    run_to_the_end,
    task_queue_of,
    utc_text,
)
from ntro.runtime.temporal._connect import ConnectionSettings, settings_from_args
from ntro.runtime.temporal._scheduling import (
    EVERY_EXAMPLES,
    create_schedule,
    cron_fields,
    describe_schedule,
    list_schedules,
    next_words,
    parse_every,
    schedule_errors,
    schedule_handle,
    trigger_schedule,
)

if TYPE_CHECKING:
    from ntro.runtime.temporal._client import TemporalClient

__all__ = [
    "CREATE_COMMAND",
    "DELETE_COMMAND",
    "DESCRIBE_COMMAND",
    "LIST_COMMAND",
    "NEEDS_A_CLUSTER",
    "PAUSE_COMMAND",
    "TRIGGER_COMMAND",
    "UNPAUSE_COMMAND",
    "CreateCommand",
    "DeleteCommand",
    "DescribeCommand",
    "ListCommand",
    "PauseCommand",
    "TriggerCommand",
    "UnpauseCommand",
]

NEEDS_A_CLUSTER = "schedules run on Temporal Schedules and need a cluster (LocalRuntime has none)"
"""What the commands say when no cluster is given."""


# -- shared --------------------------------------------------------------------------------------


def _schedule_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("schedule_id", metavar="ID", help="the schedule id")


def _note(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--note", metavar="TEXT", help=f"a note on the schedule: why it is {what}")


def _settings(args: argparse.Namespace) -> ConnectionSettings:
    """The connection settings, after checking the schedule id (when the command takes one)."""
    schedule_id = getattr(args, "schedule_id", None)
    if schedule_id is not None and not schedule_id.strip():
        raise CommandError("the schedule ID is empty")
    return settings_from_args(args, no_host=NEEDS_A_CLUSTER)


def _what(data: Mapping[str, Any]) -> str:
    """``hello (HelloWorkflow)`` or ``HelloWorkflow``."""
    kind = data["workflow_type"] or "an action ntro does not know"
    return f"{data['slug']} ({kind})" if data.get("slug") else str(kind)


def _render(data: Mapping[str, Any]) -> list[str]:
    """Return the text lines ``ntro schedule describe`` prints."""
    state = "paused" if data["paused"] else "active"
    if data["note"]:
        state += f" (note: {data['note']})"
    lines = [
        f"schedule {data['schedule_id']}: {_what(data)} {data['spec']} on task queue {data['task_queue']!r}, {state}",
        f"  runs are workflows {data['workflow_id_prefix']}-<scheduled time>; {data['action_count']} started, "
        f"{len(data['running'])} running"
        + (f", {data['skipped_overlap']} skipped while one was running" if data["skipped_overlap"] else ""),
    ]
    if data["recent_actions"]:
        lines.append("  recent runs (oldest first):")
        for run in data["recent_actions"]:
            started = utc_text(datetime.fromisoformat(run["started_at"]))
            lines.append(f"    {started}  {run['workflow_id']}  {run['status'].lower()}")
    times = [utc_text(datetime.fromisoformat(t)) for t in data["next_action_times"][:3]]
    if times:
        lines.append(f"  next runs{' (once unpaused)' if data['paused'] else ''}: {', '.join(times)}")
    return lines


# -- create --------------------------------------------------------------------------------------


class CreateCommand:
    """``ntro schedule create SLUG --id ID (--cron EXPR | --every DURATION)``: start a runbook on a timetable."""

    help = "create a schedule on Temporal that starts a runbook by slug on a timetable (--cron or --every)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the create command's arguments."""
        parser.add_argument("slug", help="the runbook's slug, e.g. nav-monthly")
        parser.add_argument(
            "--id",
            dest="schedule_id",
            required=True,
            metavar="ID",
            help="the schedule id; each run's workflow id is ID-<scheduled time>",
        )
        parser.add_argument("--input", "-i", metavar="JSON|@FILE", help="each run's input, as JSON or @file.json")
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument(
            "--cron",
            metavar="EXPR",
            help="a cron expression in UTC: minute hour day-of-month month day-of-week, e.g. '0 6 * * 1-5'",
        )
        when.add_argument("--every", metavar="DURATION", help=f"an interval, {EVERY_EXAMPLES.removeprefix('use ')}")
        parser.add_argument("--paused", action="store_true", help="create it paused (unpause it to start runs)")
        _note(parser, "paused, or what it is for")
        add_bundles_option(parser)
        add_task_queue_option(parser)
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Check the timetable, the slug and the input, create the schedule and print one line."""
        if not args.schedule_id.strip():
            raise CommandError("--id is empty; give the schedule an id")
        settings = _settings(args)
        spec = cron_fields(args.cron) if args.cron is not None else parse_every(args.every)
        bundle, arg = bundle_and_input(args)
        return run_to_the_end(self._create(args, settings, bundle, arg, spec))

    async def _create(
        self, args: argparse.Namespace, settings: ConnectionSettings, bundle: Any, arg: Any, spec: str | timedelta
    ) -> int:
        task_queue = task_queue_of(args)
        async with command_client(settings, task_queue) as client:
            data, words = await create_schedule(
                client,
                args.schedule_id,
                bundle=bundle,
                arg=arg,
                task_queue=task_queue,
                spec=spec,
                paused=args.paused,
                note=args.note,
            )
        if args.json:
            print_json(data)
        else:
            print(
                f"created schedule {args.schedule_id}: {_what(data)} {words} on task queue {task_queue!r}, "
                f"{'paused, ' if args.paused else ''}{next_words(data)}"
            )
        return 0


# -- list ------------------------------------------------------------------------------------------


class ListCommand:
    """``ntro schedule list``: the schedules on the cluster."""

    help = "list the schedules on Temporal: state, timetable, next run, workflow"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the list command's arguments."""
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Print one line per schedule."""
        settings = _settings(args)
        return run_to_the_end(self._list(args, settings))

    async def _list(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            rows = await list_schedules(client)
        if args.json:
            print_json(rows)
            return 0
        if not rows:
            print("no schedules")
            return 0
        width_id = max(len(r["schedule_id"]) for r in rows)
        width_spec = max(len(r["spec"]) for r in rows)
        for row in rows:
            state = {True: "paused", False: "active", None: "?"}[row["paused"]]
            times = row["next_action_times"]
            upcoming = utc_text(datetime.fromisoformat(times[0])) if times else "-"
            print(
                f"{row['schedule_id']:<{width_id}}  {state:<6}  {row['spec']:<{width_spec}}  "
                f"next {upcoming:<23}  {_what(row)}"
            )
        return 0


# -- describe, pause, unpause, trigger, delete ---------------------------------------------------


class DescribeCommand:
    """``ntro schedule describe ID``: timetable, state, recent runs and the next ones."""

    help = "show a schedule on Temporal: timetable, paused or not, recent runs and the next ones"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the describe command's arguments."""
        _schedule_id(parser)
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Describe the schedule and print it."""
        settings = _settings(args)
        return run_to_the_end(self._describe(args, settings))

    async def _describe(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            data = await describe_schedule(client, args.schedule_id)
        if args.json:
            print_json(data)
        else:
            print("\n".join(_render(data)))
        return 0


class _StateCommand:
    """Pause or unpause a schedule."""

    pause: bool
    verb: str
    help: str

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the command's arguments."""
        _schedule_id(parser)
        _note(parser, self.verb)
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Change the schedule's state; print one line."""
        settings = _settings(args)
        return run_to_the_end(self._change(args, settings))

    async def _change(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            handle = schedule_handle(client, args.schedule_id)
            async with schedule_errors(client, args.schedule_id):
                note = args.note or f"{self.verb} with ntro schedule {'pause' if self.pause else 'unpause'}"
                if self.pause:
                    await handle.pause(note=note)
                else:
                    await handle.unpause(note=note)
            data = await describe_schedule(client, args.schedule_id)
        if args.json:
            print_json({"schedule_id": args.schedule_id, "paused": data["paused"], "note": data["note"]})
        elif self.pause:
            print(f"paused schedule {args.schedule_id}: it starts no runs until unpaused")
        else:
            print(f"unpaused schedule {args.schedule_id}: {next_words(data)}")
        return 0


class PauseCommand(_StateCommand):
    """``ntro schedule pause ID [--note TEXT]``: start no runs until unpaused."""

    pause = True
    verb = "paused"
    help = "pause a schedule on Temporal: it starts no runs until unpaused (trigger still runs one)"


class UnpauseCommand(_StateCommand):
    """``ntro schedule unpause ID [--note TEXT]``: start runs on the timetable again."""

    pause = False
    verb = "unpaused"
    help = "unpause a schedule on Temporal: it starts runs on its timetable again"


class TriggerCommand:
    """``ntro schedule trigger ID``: start a run now, and print its workflow id."""

    help = "start a schedule's run on Temporal now (even when paused) and print its workflow id (--wait: its result)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the trigger command's arguments."""
        _schedule_id(parser)
        parser.add_argument("--wait", action="store_true", help="wait for the run's result and print it as JSON")
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Trigger the schedule; print the workflow id of the run it started."""
        settings = _settings(args)
        return run_to_the_end(self._trigger(args, settings))

    async def _trigger(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            started = await trigger_schedule(client, args.schedule_id)
            if args.wait and isinstance(started, tuple):
                return await self._wait(args, client, *started)
        return self._said(args, started)

    async def _wait(self, args: argparse.Namespace, client: TemporalClient, workflow_id: str, run_id: str) -> int:
        from ntro.workflow.exceptions import WorkflowFailedError

        if not args.json:
            print(
                f"triggered schedule {args.schedule_id}: started workflow {workflow_id} (run {run_id})", file=sys.stderr
            )
        try:
            result = await client.get_workflow_handle(workflow_id).result()
        except WorkflowFailedError as exc:
            raise CommandError(exc.message, exit_code=1) from None
        if args.json:
            data = json.loads(to_json_text(result))
            print_json({"schedule_id": args.schedule_id, "workflow_id": workflow_id, "run_id": run_id, "result": data})
        else:
            print(to_json_text(result))
        return 0

    def _said(self, args: argparse.Namespace, started: tuple[str, str] | list[str] | None) -> int:
        if started is None:
            raise CommandError(
                f"triggered schedule {args.schedule_id}, but its run has not started yet; "
                f"see: ntro schedule describe {args.schedule_id}",
                exit_code=1,
            )
        if isinstance(started, list):
            running = ", ".join(started) or "one"
            raise CommandError(
                f"schedule {args.schedule_id} skipped the run: its run {running} is still going, "
                "and the schedule starts one at a time",
                exit_code=1,
            )
        workflow_id, run_id = started
        if args.json:
            print_json({"schedule_id": args.schedule_id, "workflow_id": workflow_id, "run_id": run_id})
        else:
            print(f"triggered schedule {args.schedule_id}: started workflow {workflow_id} (run {run_id})")
        return 0


class DeleteCommand:
    """``ntro schedule delete ID``: delete a schedule; the runs it started go on."""

    help = "delete a schedule on Temporal (runs it started go on)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the delete command's arguments."""
        _schedule_id(parser)
        add_cluster_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Delete the schedule; print one line."""
        settings = _settings(args)
        return run_to_the_end(self._delete(args, settings))

    async def _delete(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client, schedule_errors(client, args.schedule_id):
            await schedule_handle(client, args.schedule_id).delete()
        if args.json:
            print_json({"schedule_id": args.schedule_id, "deleted": True})
        else:
            print(f"deleted schedule {args.schedule_id} (runs it started go on)")
        return 0


CREATE_COMMAND = CreateCommand()
"""``ntro schedule create`` (entry point ``ntro.commands``: ``schedule.create``)."""

LIST_COMMAND = ListCommand()
"""``ntro schedule list`` (entry point ``ntro.commands``: ``schedule.list``)."""

DESCRIBE_COMMAND = DescribeCommand()
"""``ntro schedule describe`` (entry point ``ntro.commands``: ``schedule.describe``)."""

PAUSE_COMMAND = PauseCommand()
"""``ntro schedule pause`` (entry point ``ntro.commands``: ``schedule.pause``)."""

UNPAUSE_COMMAND = UnpauseCommand()
"""``ntro schedule unpause`` (entry point ``ntro.commands``: ``schedule.unpause``)."""

TRIGGER_COMMAND = TriggerCommand()
"""``ntro schedule trigger`` (entry point ``ntro.commands``: ``schedule.trigger``)."""

DELETE_COMMAND = DeleteCommand()
"""``ntro schedule delete`` (entry point ``ntro.commands``: ``schedule.delete``)."""

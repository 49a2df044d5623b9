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
import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ntro.cli import CommandError, to_json_text
from ntro.runtime.temporal._cli import (
    _add_task_queue,
    _run_to_the_end,
    _task_queue,
    add_bundles_option,
    bundle_and_input,
    command_client,
)
from ntro.runtime.temporal._connect import ConnectionSettings, add_connection_options, settings_from_args
from ntro.runtime.temporal._ops import _print_json, _when

if TYPE_CHECKING:
    from temporalio.client import ScheduleDescription, ScheduleHandle, ScheduleSpec

    from ntro.runtime.temporal._client import TemporalClient

__all__ = [
    "CREATE_COMMAND",
    "DELETE_COMMAND",
    "DESCRIBE_COMMAND",
    "LIST_COMMAND",
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
    "create_schedule",
    "cron_fields",
    "delete_schedule",
    "every_words",
    "next_words",
    "parse_every",
]

NEEDS_A_CLUSTER = "schedules run on Temporal Schedules and need a cluster (LocalRuntime has none)"
"""What the commands say when no cluster is given."""

MEMO_KEY = "ntro"
"""The memo entry where ``create`` keeps the slug and the timetable as given."""

TRIGGER_LOOKS = 100
"""How many times ``trigger`` describes the schedule to find the run it started."""

TRIGGER_PAUSE = 0.1
"""Seconds between those looks."""

_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_DURATION = re.compile(r"(\d+)([dhms])")
_MAX_SECONDS = 315_576_000_000  # the longest duration Temporal's API carries (10,000 years)
_CRON_DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_CRON_FIELD = re.compile(r"[0-9A-Za-z*/,?-]+")
_EVERY_EXAMPLES = "use e.g. 30s, 5m, 1h, 1d, 1h30m or 90 (seconds)"


# -- timetables --------------------------------------------------------------------------------


def parse_every(text: str) -> timedelta:
    """Return the interval ``--every`` gives: ``30s``, ``5m``, ``1h``, ``1d``, ``1h30m``, or seconds (``90``).

    Raises:
        CommandError: ``text`` is not such a duration, is zero or negative, or is longer than Temporal takes.
    """
    raw = text.strip().lower()
    negative = raw.startswith("-")
    body = raw[1:] if negative else raw
    if len(body) > 40 or not (body.isdigit() or _is_units(body)):  # 40: past any duration Temporal takes
        raise CommandError(f"--every {text!r} is not a duration; {_EVERY_EXAMPLES}")
    if body.isdigit():
        seconds = int(body)
    else:
        seconds = sum(int(number) * _UNITS[unit] for number, unit in _DURATION.findall(body))
    if negative or seconds == 0:
        raise CommandError(f"--every {text}: the interval must be longer than zero")
    if seconds > _MAX_SECONDS:
        raise CommandError(f"--every {text}: the interval is longer than Temporal takes (10,000 years)")
    return timedelta(seconds=seconds)


def _is_units(raw: str) -> bool:
    parts = _DURATION.findall(raw)
    return bool(parts) and "".join(n + u for n, u in parts) == raw


def every_words(interval: timedelta) -> str:
    """Return an interval as ``--every`` takes it (``1h30m``, ``90s`` as ``1m30s``, ``1d``)."""
    seconds = int(interval.total_seconds())
    words = ""
    for unit, size in _UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            words += f"{count}{unit}"
    return words or "0s"


def cron_fields(text: str) -> str:
    """Return ``--cron``'s expression, tidied, after a first check (Temporal checks the rest).

    The expression has five fields — minute, hour, day of month, month, day
    of week — as in ``0 6 * * 1-5``, or is one of ``@hourly``, ``@daily``,
    ``@weekly``, ``@monthly``, ``@yearly``. Times are UTC.

    Raises:
        CommandError: It is not that.
    """
    fields = text.split()
    if len(fields) == 1 and fields[0].lower() in _CRON_DESCRIPTORS:
        return fields[0].lower()
    if len(fields) != 5 or not all(_CRON_FIELD.fullmatch(f) for f in fields):
        got = f"{len(fields)} field{'s' if len(fields) != 1 else ''}" if len(fields) != 5 else "odd characters"
        raise CommandError(
            f"--cron {text!r} is not a cron expression ({got}): give five fields, minute hour day-of-month "
            "month day-of-week, e.g. '0 6 * * 1-5', or @hourly, @daily, @weekly, @monthly"
        )
    return " ".join(fields)


def _spec_words(spec: ScheduleSpec) -> str:
    """Describe a timetable made elsewhere (without ntro's memo)."""
    parts = [f"cron {c}" for c in spec.cron_expressions]
    parts += [f"every {every_words(i.every)}" for i in spec.intervals]
    if spec.calendars:
        parts.append(f"{len(spec.calendars)} calendar rule{'s' if len(spec.calendars) != 1 else ''}")
    return ", ".join(parts) or "no timetable"


# -- shared --------------------------------------------------------------------------------------


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_connection_options(parser)


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


@asynccontextmanager
async def _about(client: TemporalClient, schedule_id: str) -> AsyncIterator[None]:
    """Turn the server's "not found" for ``schedule_id`` into one line."""
    from temporalio.service import RPCError, RPCStatusCode

    try:
        yield
    except RPCError as exc:
        missing_namespace = exc.message.lower().startswith("namespace ")
        if exc.status == RPCStatusCode.NOT_FOUND and not missing_namespace:
            message = f"no schedule with id {schedule_id!r} on Temporal at {client.where}"
            raise CommandError(message, exit_code=1) from None
        raise


def _handle(client: TemporalClient, schedule_id: str) -> ScheduleHandle:
    return client.client.get_schedule_handle(schedule_id)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _ntro_memo(memo: Mapping[str, Any]) -> Mapping[str, Any]:
    found = memo.get(MEMO_KEY)
    return found if isinstance(found, Mapping) else {}


async def _summary(client: TemporalClient, description: ScheduleDescription) -> dict[str, Any]:
    """The schedule as ``describe --json`` prints it (each recent run with its status)."""
    from temporalio.client import ScheduleActionExecutionStartWorkflow, ScheduleActionStartWorkflow

    from ntro.workflow.exceptions import WorkflowNotFoundError

    schedule, info = description.schedule, description.info
    action = schedule.action if isinstance(schedule.action, ScheduleActionStartWorkflow) else None
    memo = _ntro_memo(await description.memo())
    recent: list[dict[str, Any]] = []
    for result in info.recent_actions:
        run = result.action
        if not isinstance(run, ScheduleActionExecutionStartWorkflow):
            continue
        try:
            status = (await client.get_workflow_handle(run.workflow_id).describe(with_state=False)).status.value
        except WorkflowNotFoundError:  # gone: past the namespace's retention
            status = "GONE"
        recent.append(
            {
                "workflow_id": run.workflow_id,
                "run_id": run.first_execution_run_id,
                "scheduled_at": _iso(result.scheduled_at),
                "started_at": _iso(result.started_at),
                "status": status,
            }
        )
    return {
        "schedule_id": description.id,
        "slug": memo.get("slug"),
        "workflow_type": action.workflow if action else None,
        "task_queue": action.task_queue if action else None,
        "workflow_id_prefix": action.id if action else None,
        "spec": str(memo.get("spec") or _spec_words(schedule.spec)),
        "paused": schedule.state.paused,
        "note": schedule.state.note,
        "action_count": info.num_actions,
        "skipped_overlap": info.num_actions_skipped_overlap,
        "running": [r.workflow_id for r in info.running_actions if isinstance(r, ScheduleActionExecutionStartWorkflow)],
        "recent_actions": recent,
        "next_action_times": [_iso(t) for t in info.next_action_times],
        "created_at": _iso(info.created_at),
    }


def _what(data: Mapping[str, Any]) -> str:
    """``hello (HelloWorkflow)`` or ``HelloWorkflow``."""
    kind = data["workflow_type"] or "an action ntro does not know"
    return f"{data['slug']} ({kind})" if data.get("slug") else str(kind)


def next_words(data: Mapping[str, Any]) -> str:
    """``next run <when>`` (``once unpaused`` when paused) of a schedule as ``describe --json`` prints it."""
    times = data["next_action_times"]
    if not times:
        return "no next run"
    first = _when(datetime.fromisoformat(times[0]))
    return f"next run {first} once unpaused" if data["paused"] else f"next run {first}"


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
            lines.append(
                f"    {_when(datetime.fromisoformat(run['started_at']))}  {run['workflow_id']}  {run['status'].lower()}"
            )
    times = [_when(datetime.fromisoformat(t)) for t in data["next_action_times"][:3]]
    if times:
        lines.append(f"  next runs{' (once unpaused)' if data['paused'] else ''}: {', '.join(times)}")
    return lines


async def _described(client: TemporalClient, schedule_id: str) -> dict[str, Any]:
    async with _about(client, schedule_id):
        description = await _handle(client, schedule_id).describe()
    return await _summary(client, description)


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
        when.add_argument("--every", metavar="DURATION", help=f"an interval, {_EVERY_EXAMPLES.removeprefix('use ')}")
        parser.add_argument("--paused", action="store_true", help="create it paused (unpause it to start runs)")
        _note(parser, "paused, or what it is for")
        add_bundles_option(parser)
        _add_task_queue(parser)
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Check the timetable, the slug and the input, create the schedule and print one line."""
        if not args.schedule_id.strip():
            raise CommandError("--id is empty; give the schedule an id")
        settings = _settings(args)
        spec = cron_fields(args.cron) if args.cron is not None else parse_every(args.every)
        bundle, arg = bundle_and_input(args)
        return _run_to_the_end(self._create(args, settings, bundle, arg, spec))

    async def _create(
        self, args: argparse.Namespace, settings: ConnectionSettings, bundle: Any, arg: Any, spec: str | timedelta
    ) -> int:
        task_queue = _task_queue(args)
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
            _print_json(data)
        else:
            print(
                f"created schedule {args.schedule_id}: {_what(data)} {words} on task queue {task_queue!r}, "
                f"{'paused, ' if args.paused else ''}{next_words(data)}"
            )
        return 0


async def create_schedule(
    client: TemporalClient,
    schedule_id: str,
    *,
    bundle: Any,
    arg: Any,
    task_queue: str,
    spec: str | timedelta,
    paused: bool = False,
    note: str | None = None,
    memo: Mapping[str, Any] | None = None,
    cron_option: str = "--cron",
    id_option: str = "--id",
) -> tuple[dict[str, Any], str]:
    """Create a schedule that starts ``bundle``'s runbook with ``arg`` on ``task_queue``.

    Args:
        client: The client to create it with.
        schedule_id: Its id (each run's workflow id is ``<id>-<scheduled time>``).
        bundle: The runbook's bundle.
        arg: Each run's input (``None``: none).
        task_queue: Where the runs go.
        spec: A cron expression (from :func:`cron_fields`) or an interval.
        paused: Create it paused.
        note: A note on its state.
        memo: More entries for the ``ntro`` memo (``slug`` and ``spec`` are always there).
        cron_option: The option the cron expression came from, for messages.
        id_option: The option the id came from, for messages.

    Returns:
        The schedule as ``describe --json`` prints it, and its timetable in words.

    Raises:
        CommandError: A schedule with that id exists, or the server refuses the cron expression.
    """
    from temporalio.client import (
        Schedule,
        ScheduleActionStartWorkflow,
        ScheduleAlreadyRunningError,
        ScheduleIntervalSpec,
        ScheduleSpec,
        ScheduleState,
    )
    from temporalio.service import RPCError, RPCStatusCode

    from ntro.runtime.protocol import resolve_workflow

    workflow_type = resolve_workflow(bundle.workflow_cls).name
    if isinstance(spec, str):
        timetable, words = ScheduleSpec(cron_expressions=[spec]), f"cron {spec}"
    else:
        timetable, words = ScheduleSpec(intervals=[ScheduleIntervalSpec(every=spec)]), f"every {every_words(spec)}"
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            workflow_type, args=[] if arg is None else [arg], id=schedule_id, task_queue=task_queue
        ),
        spec=timetable,
        state=ScheduleState(paused=paused, note=note),
    )
    try:
        await client.client.create_schedule(
            schedule_id, schedule, memo={MEMO_KEY: {"slug": bundle.slug, "spec": words, **(memo or {})}}
        )
    except ScheduleAlreadyRunningError:
        raise CommandError(
            f"a schedule with id {schedule_id!r} already exists on Temporal at {client.where}; "
            f"pick another {id_option}, or delete that one first",
            exit_code=1,
        ) from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.INVALID_ARGUMENT and isinstance(spec, str):
            reason = exc.message.removeprefix("Invalid schedule spec: ")
            raise CommandError(f"{cron_option} {spec!r} is not valid: {reason}") from None
        raise
    return await _described(client, schedule_id), words


async def delete_schedule(client: TemporalClient, schedule_id: str) -> bool:
    """Delete a schedule (the runs it started go on); return ``False`` when there was none."""
    from temporalio.service import RPCError, RPCStatusCode

    try:
        await _handle(client, schedule_id).delete()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND and not exc.message.lower().startswith("namespace "):
            return False
        raise
    return True


# -- list ------------------------------------------------------------------------------------------


class ListCommand:
    """``ntro schedule list``: the schedules on the cluster."""

    help = "list the schedules on Temporal: state, timetable, next run, workflow"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the list command's arguments."""
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Print one line per schedule."""
        settings = _settings(args)
        return _run_to_the_end(self._list(args, settings))

    async def _list(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        rows: list[dict[str, Any]] = []
        async with command_client(settings) as client:
            async for entry in await client.client.list_schedules():
                memo = _ntro_memo(await entry.memo())
                schedule, info = entry.schedule, entry.info
                rows.append(
                    {
                        "schedule_id": entry.id,
                        "slug": memo.get("slug"),
                        "workflow_type": getattr(schedule.action, "workflow", None) if schedule else None,
                        "spec": str(memo.get("spec") or (_spec_words(schedule.spec) if schedule else "?")),
                        "paused": schedule.state.paused if schedule else None,
                        "note": schedule.state.note if schedule else None,
                        "next_action_times": [_iso(t) for t in info.next_action_times] if info else [],
                    }
                )
        rows.sort(key=lambda row: str(row["schedule_id"]))
        if args.json:
            _print_json(rows)
            return 0
        if not rows:
            print("no schedules")
            return 0
        width_id = max(len(r["schedule_id"]) for r in rows)
        width_spec = max(len(r["spec"]) for r in rows)
        for row in rows:
            state = {True: "paused", False: "active", None: "?"}[row["paused"]]
            times = row["next_action_times"]
            upcoming = _when(datetime.fromisoformat(times[0])) if times else "-"
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
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Describe the schedule and print it."""
        settings = _settings(args)
        return _run_to_the_end(self._describe(args, settings))

    async def _describe(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            data = await _described(client, args.schedule_id)
        if args.json:
            _print_json(data)
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
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Change the schedule's state; print one line."""
        settings = _settings(args)
        return _run_to_the_end(self._change(args, settings))

    async def _change(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            handle = _handle(client, args.schedule_id)
            async with _about(client, args.schedule_id):
                note = args.note or f"{self.verb} with ntro schedule {'pause' if self.pause else 'unpause'}"
                if self.pause:
                    await handle.pause(note=note)
                else:
                    await handle.unpause(note=note)
            data = await _described(client, args.schedule_id)
        if args.json:
            _print_json({"schedule_id": args.schedule_id, "paused": data["paused"], "note": data["note"]})
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
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Trigger the schedule; print the workflow id of the run it started."""
        settings = _settings(args)
        return _run_to_the_end(self._trigger(args, settings))

    async def _trigger(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client:
            handle = _handle(client, args.schedule_id)
            async with _about(client, args.schedule_id):
                before = (await handle.describe()).info
                await handle.trigger()
                started = await _started_after(handle, before.num_actions, before.num_actions_skipped_overlap)
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
            _print_json({"schedule_id": args.schedule_id, "workflow_id": workflow_id, "run_id": run_id, "result": data})
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
            _print_json({"schedule_id": args.schedule_id, "workflow_id": workflow_id, "run_id": run_id})
        else:
            print(f"triggered schedule {args.schedule_id}: started workflow {workflow_id} (run {run_id})")
        return 0


async def _started_after(handle: ScheduleHandle, count: int, skipped: int) -> tuple[str, str] | list[str] | None:
    """Wait for the run a trigger asked for.

    Returns:
        ``(workflow id, run id)`` of the newest run once the schedule has
        started one more than ``count``; the running workflow ids when it
        skipped the run instead (its overlap policy); ``None`` when neither
        happened within ``TRIGGER_LOOKS`` looks.
    """
    from temporalio.client import ScheduleActionExecutionStartWorkflow

    for _ in range(TRIGGER_LOOKS):
        info = (await handle.describe()).info
        if info.num_actions > count and info.recent_actions:
            newest = info.recent_actions[-1].action
            if isinstance(newest, ScheduleActionExecutionStartWorkflow):
                return newest.workflow_id, newest.first_execution_run_id
        if info.num_actions_skipped_overlap > skipped:
            return [r.workflow_id for r in info.running_actions if isinstance(r, ScheduleActionExecutionStartWorkflow)]
        await asyncio.sleep(TRIGGER_PAUSE)
    return None


class DeleteCommand:
    """``ntro schedule delete ID``: delete a schedule; the runs it started go on."""

    help = "delete a schedule on Temporal (runs it started go on)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the delete command's arguments."""
        _schedule_id(parser)
        _configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Delete the schedule; print one line."""
        settings = _settings(args)
        return _run_to_the_end(self._delete(args, settings))

    async def _delete(self, args: argparse.Namespace, settings: ConnectionSettings) -> int:
        async with command_client(settings) as client, _about(client, args.schedule_id):
            await _handle(client, args.schedule_id).delete()
        if args.json:
            _print_json({"schedule_id": args.schedule_id, "deleted": True})
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

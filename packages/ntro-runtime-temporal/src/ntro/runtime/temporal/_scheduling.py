"""Temporal Schedules as ntro uses them: timetables, and creating, describing, triggering and deleting a schedule.

A schedule starts a runbook, by its workflow type, with an input, on a
timetable: a cron expression (:func:`cron_fields`) or an interval
(:func:`parse_every`). ntro keeps the slug and the timetable as given in the
schedule's memo (``ntro``), so that :func:`describe_schedule` and
:func:`list_schedules` say them back in the same words. The schedule
commands (:mod:`ntro.runtime.temporal._schedules`) and the registry's
bindings (:mod:`ntro.runtime.temporal._publish`) both work through here.
Nothing here imports temporalio at module level.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ntro.cli import CommandError
from ntro.runtime.temporal._commands import utc_text

if TYPE_CHECKING:
    from temporalio.client import ScheduleDescription, ScheduleHandle, ScheduleSpec

    from ntro.runtime.temporal._client import TemporalClient

__all__ = [
    "EVERY_EXAMPLES",
    "MEMO_KEY",
    "TRIGGER_LOOKS",
    "TRIGGER_PAUSE",
    "create_schedule",
    "cron_fields",
    "delete_schedule",
    "describe_schedule",
    "every_words",
    "list_schedules",
    "next_words",
    "parse_every",
    "schedule_errors",
    "schedule_handle",
    "trigger_schedule",
]

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
EVERY_EXAMPLES = "use e.g. 30s, 5m, 1h, 1d, 1h30m or 90 (seconds)"
"""How ``--every`` is written, for its help and its errors."""


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
        raise CommandError(f"--every {text!r} is not a duration; {EVERY_EXAMPLES}")
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


# -- one schedule --------------------------------------------------------------------------------


@asynccontextmanager
async def schedule_errors(client: TemporalClient, schedule_id: str) -> AsyncIterator[None]:
    """Turn the server's "not found" for ``schedule_id`` into one line (a :class:`~ntro.cli.CommandError`, exit 1)."""
    from temporalio.service import RPCError, RPCStatusCode

    try:
        yield
    except RPCError as exc:
        missing_namespace = exc.message.lower().startswith("namespace ")
        if exc.status == RPCStatusCode.NOT_FOUND and not missing_namespace:
            message = f"no schedule with id {schedule_id!r} on Temporal at {client.where}"
            raise CommandError(message, exit_code=1) from None
        raise


def schedule_handle(client: TemporalClient, schedule_id: str) -> ScheduleHandle:
    """Return temporalio's handle to the schedule ``schedule_id`` (checked when first used)."""
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


def next_words(data: Mapping[str, Any]) -> str:
    """``next run <when>`` (``once unpaused`` when paused) of a schedule as ``describe --json`` prints it."""
    times = data["next_action_times"]
    if not times:
        return "no next run"
    first = utc_text(datetime.fromisoformat(times[0]))
    return f"next run {first} once unpaused" if data["paused"] else f"next run {first}"


async def describe_schedule(client: TemporalClient, schedule_id: str) -> dict[str, Any]:
    """Return the schedule as ``ntro schedule describe --json`` prints it (each recent run with its status).

    Raises:
        CommandError: There is no such schedule (exit 1).
    """
    async with schedule_errors(client, schedule_id):
        description = await schedule_handle(client, schedule_id).describe()
    return await _summary(client, description)


async def list_schedules(client: TemporalClient) -> list[dict[str, Any]]:
    """Return the schedules on the cluster as ``ntro schedule list --json`` prints them, by id."""
    rows: list[dict[str, Any]] = []
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
    return rows


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
    return await describe_schedule(client, schedule_id), words


async def delete_schedule(client: TemporalClient, schedule_id: str) -> bool:
    """Delete a schedule (the runs it started go on); return ``False`` when there was none."""
    from temporalio.service import RPCError, RPCStatusCode

    try:
        await schedule_handle(client, schedule_id).delete()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND and not exc.message.lower().startswith("namespace "):
            return False
        raise
    return True


async def trigger_schedule(client: TemporalClient, schedule_id: str) -> tuple[str, str] | list[str] | None:
    """Start the schedule's run now (even when paused), and wait for it to start.

    Returns:
        As :func:`_started_after`: ``(workflow id, run id)`` of the run, the
        running workflow ids when the schedule skipped it, or ``None``.

    Raises:
        CommandError: There is no such schedule (exit 1).
    """
    handle = schedule_handle(client, schedule_id)
    async with schedule_errors(client, schedule_id):
        before = (await handle.describe()).info
        await handle.trigger()
        return await _started_after(handle, before.num_actions, before.num_actions_skipped_overlap)


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

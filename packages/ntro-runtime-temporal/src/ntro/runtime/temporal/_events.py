"""Run events on Temporal: what workflow code run by a worker in this process does, told once, as it happens.

Workflow code reports steps, gates and children through :class:`TemporalRuntime`
(:func:`report`); a workflow task that fails because workflow code raised is
seen where temporalio decides it (its "Failed activation" log record, which
carries the exception itself). Both go to the feeds watching the run's task
queue: the :class:`~ntro.runtime.temporal.TemporalClient` that hosts the worker.

Workflow code must not be changed by any of this: a report is skipped while
temporalio replays history, and numbered by its place in the run so that
workflow code run again after a failed task (replayed up to the failure, then
live again) reports nothing twice.
"""

from __future__ import annotations

import logging
import threading
import traceback
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import temporalio.workflow

from ntro.runtime.protocol import RunEvent

__all__ = ["CRASH_LOGGER", "Feed", "report", "unwatch", "watch"]

CRASH_LOGGER = "temporalio.worker._workflow_instance"
"""The logger temporalio tells a failed workflow activation on (once per attempt, with the exception)."""

_TASK_FAILURE = "WorkflowTaskFailure"  # temporalio's __temporal_error_identifier for it

Feed = Callable[[RunEvent, tuple[str, Any]], None]
"""Told each event with a key unique in its run (run id, place): the same key means the same event again."""

_lock = threading.Lock()
_feeds: dict[str, list[Feed]] = {}  # task queue -> feeds
_places: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()  # per workflow run's loop


def watch(task_queue: str, feed: Feed) -> None:
    """Tell ``feed`` what the runs on ``task_queue`` do; failed workflow tasks on it are no longer logged."""
    with _lock:
        _feeds.setdefault(task_queue, []).append(feed)
        _install_crash_filter()


def unwatch(task_queue: str, feed: Feed) -> None:
    """Stop telling ``feed``."""
    with _lock:
        feeds = _feeds.get(task_queue, [])
        if feed in feeds:
            feeds.remove(feed)
        if not feeds:
            _feeds.pop(task_queue, None)


def report(kind: str, detail: Mapping[str, Any]) -> None:
    """Report a run event from workflow code (a no-op while replaying, and when nothing watches)."""
    if not _feeds:
        return
    import asyncio

    loop = asyncio.get_running_loop()  # temporalio runs each workflow run on its own loop object
    place = _places.get(loop, 0) + 1
    _places[loop] = place
    if temporalio.workflow.unsafe.is_replaying():
        return
    info = temporalio.workflow.info()
    _tell(info.task_queue, RunEvent(kind, info.workflow_id, dict(detail)), (info.run_id, place))


def _tell(task_queue: str, event: RunEvent, key: tuple[str, Any]) -> bool:
    feeds = list(_feeds.get(task_queue, ()))
    for feed in feeds:
        feed(event, key)
    return bool(feeds)


class _CrashFilter(logging.Filter):
    """Turns temporalio's "Failed activation" records into ``workflow.crashed`` events for watched task queues.

    A record told to a feed is not logged (temporalio logs one, traceback and
    all, on every retry of the task); others pass unchanged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "__temporal_error_identifier", None) != _TASK_FAILURE or not record.exc_info:
            return True
        details = getattr(record, "temporal_workflow", None)
        if not isinstance(details, Mapping):
            return True
        exc = record.exc_info[1]
        if exc is None:
            return True
        detail = {
            "error_type": type(exc).__name__,
            "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
        }
        event = RunEvent("workflow.crashed", str(details.get("workflow_id")), detail)
        return not _tell(str(details.get("task_queue")), event, (str(details.get("run_id")), "crashed"))


_crash_filter = _CrashFilter()


def _install_crash_filter() -> None:
    logger = logging.getLogger(CRASH_LOGGER)
    if _crash_filter not in logger.filters:
        logger.addFilter(_crash_filter)

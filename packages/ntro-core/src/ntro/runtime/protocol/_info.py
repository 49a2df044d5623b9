"""Runtime-neutral descriptions of the running workflow and activity."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs


@attrs.frozen
class WorkflowInfo:
    """What a running workflow knows about itself.

    The first four fields, in this order, are those of ntro 0.1.2; the rest are
    keyword-only additions that both runtimes fill in.

    Attributes:
        workflow_id: The workflow id. Child ids look like ``parent:step:slug``.
        task_queue: The task queue the workflow runs on (``"local"`` locally).
        run_id: The run id (empty under LocalRuntime unless one was given).
        attempt: The attempt number, starting at 1.
        workflow_type: The registered workflow type name.
        parent_workflow_id: The parent's workflow id, for a child workflow.
        start_time: When the run started, in UTC, if known.
    """

    workflow_id: str
    task_queue: str = "local"
    run_id: str = ""
    attempt: int = 1
    workflow_type: str = attrs.field(default="", kw_only=True)
    parent_workflow_id: str | None = attrs.field(default=None, kw_only=True)
    start_time: datetime | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class ActivityInfo:
    """What a running activity knows about itself.

    Attributes:
        workflow_id: The id of the workflow that scheduled the activity.
        activity_id: The activity id, unique within that workflow.
        attempt: The attempt number, starting at 1.
        activity_type: The activity's registered name.
        task_queue: The task queue the activity runs on.
        heartbeat_details: What the previous attempt last passed to
            ``activity.heartbeat(...)``, so a retried attempt can resume where
            it got to; empty on the first attempt or when it never heartbeated.
        heartbeat_timeout: The call's ``heartbeat_timeout``: an attempt that
            goes longer without heartbeating is failed and retried.
    """

    workflow_id: str
    activity_id: str
    attempt: int = 1
    activity_type: str = attrs.field(default="", kw_only=True)
    task_queue: str = attrs.field(default="local", kw_only=True)
    heartbeat_details: tuple[Any, ...] = attrs.field(default=(), kw_only=True)
    heartbeat_timeout: timedelta | None = attrs.field(default=None, kw_only=True)

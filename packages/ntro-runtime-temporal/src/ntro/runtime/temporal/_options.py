"""Translating ntro's options records into temporalio's keyword arguments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import temporalio.common

from ntro.workflow._options import ActivityOptions, ChildWorkflowOptions, RetryPolicy

__all__ = ["activity_kwargs", "child_kwargs", "to_temporal_retry_policy"]


def to_temporal_retry_policy(policy: RetryPolicy | None) -> temporalio.common.RetryPolicy | None:
    """Return the temporalio retry policy equal to ntro's ``policy`` (``None`` stays ``None``)."""
    if policy is None:
        return None
    return temporalio.common.RetryPolicy(
        initial_interval=policy.initial_interval,
        backoff_coefficient=policy.backoff_coefficient,
        maximum_interval=policy.maximum_interval,
        maximum_attempts=policy.maximum_attempts,
        non_retryable_error_types=list(policy.non_retryable_error_types) or None,
    )


def activity_kwargs(options: ActivityOptions, default_start_to_close: timedelta) -> dict[str, Any]:
    """Return ``workflow.execute_activity`` keyword arguments for ``options``.

    temporalio needs a start-to-close or schedule-to-close timeout; when the
    call sets neither, ``default_start_to_close`` is used.
    """
    kwargs: dict[str, Any] = {}
    if options.task_queue is not None:
        kwargs["task_queue"] = options.task_queue
    if options.schedule_to_close_timeout is not None:
        kwargs["schedule_to_close_timeout"] = options.schedule_to_close_timeout
    if options.schedule_to_start_timeout is not None:
        kwargs["schedule_to_start_timeout"] = options.schedule_to_start_timeout
    if options.start_to_close_timeout is not None:
        kwargs["start_to_close_timeout"] = options.start_to_close_timeout
    elif options.schedule_to_close_timeout is None:
        kwargs["start_to_close_timeout"] = default_start_to_close
    if options.heartbeat_timeout is not None:
        kwargs["heartbeat_timeout"] = options.heartbeat_timeout
    if options.retry_policy is not None:
        kwargs["retry_policy"] = to_temporal_retry_policy(options.retry_policy)
    if options.activity_id is not None:
        kwargs["activity_id"] = options.activity_id
    if options.summary is not None:
        kwargs["summary"] = options.summary
    return kwargs


def child_kwargs(options: ChildWorkflowOptions) -> dict[str, Any]:
    """Return ``workflow.start_child_workflow`` keyword arguments for ``options``."""
    kwargs: dict[str, Any] = {}
    if options.id is not None:
        kwargs["id"] = options.id
    if options.task_queue is not None:
        kwargs["task_queue"] = options.task_queue
    if options.execution_timeout is not None:
        kwargs["execution_timeout"] = options.execution_timeout
    if options.run_timeout is not None:
        kwargs["run_timeout"] = options.run_timeout
    if options.task_timeout is not None:
        kwargs["task_timeout"] = options.task_timeout
    if options.retry_policy is not None:
        kwargs["retry_policy"] = to_temporal_retry_policy(options.retry_policy)
    if options.memo is not None:
        kwargs["memo"] = dict(options.memo)
    if options.summary is not None:
        kwargs["static_summary"] = options.summary
    return kwargs

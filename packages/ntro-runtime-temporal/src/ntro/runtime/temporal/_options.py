"""Translating ntro's options records into temporalio's keyword arguments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import temporalio.common

from ntro.runtime.protocol import ActivityOptions, ChildWorkflowOptions, RetryPolicy

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


# Options passed to temporalio unchanged, under the same name, when set.
_ACTIVITY_FIELDS = (
    "task_queue",
    "schedule_to_close_timeout",
    "schedule_to_start_timeout",
    "start_to_close_timeout",
    "heartbeat_timeout",
    "activity_id",
    "summary",
)
_CHILD_FIELDS = ("id", "task_queue", "execution_timeout", "run_timeout", "task_timeout")


def _set_fields(options: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name in fields if (value := getattr(options, name)) is not None}


def activity_kwargs(options: ActivityOptions, default_start_to_close: timedelta) -> dict[str, Any]:
    """Return ``workflow.execute_activity`` keyword arguments for ``options``.

    temporalio needs a start-to-close or schedule-to-close timeout; when the
    call sets neither, ``default_start_to_close`` is used.
    """
    kwargs = _set_fields(options, _ACTIVITY_FIELDS)
    if options.start_to_close_timeout is None and options.schedule_to_close_timeout is None:
        kwargs["start_to_close_timeout"] = default_start_to_close
    if options.retry_policy is not None:
        kwargs["retry_policy"] = to_temporal_retry_policy(options.retry_policy)
    return kwargs


def child_kwargs(options: ChildWorkflowOptions) -> dict[str, Any]:
    """Return ``workflow.start_child_workflow`` keyword arguments for ``options``."""
    kwargs = _set_fields(options, _CHILD_FIELDS)
    if options.retry_policy is not None:
        kwargs["retry_policy"] = to_temporal_retry_policy(options.retry_policy)
    if options.memo is not None:
        kwargs["memo"] = dict(options.memo)
    if options.summary is not None:
        kwargs["static_summary"] = options.summary
    return kwargs

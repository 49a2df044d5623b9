"""Runtime-neutral options: durations, retry policies, activity and child options."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

import attrs

Duration = timedelta | float | int
"""A duration: a :class:`~datetime.timedelta` or a number of seconds."""


def to_timedelta(value: Duration | None, *, what: str = "duration") -> timedelta | None:
    """Return ``value`` as a :class:`~datetime.timedelta` (``None`` stays ``None``).

    Args:
        value: A timedelta, or seconds as an int or float.
        what: The option's name, used in the error message.

    Raises:
        TypeError: ``value`` is neither a timedelta nor a number.
        ValueError: ``value`` is negative.
    """
    if value is None:
        return None
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = timedelta(seconds=value)
    else:
        raise TypeError(f"{what} must be a timedelta or a number of seconds, not {type(value).__name__}")
    if result < timedelta(0):
        raise ValueError(f"{what} must not be negative, got {result}")
    return result


def _opt_duration(name: str) -> Any:
    def convert(value: Duration | None) -> timedelta | None:
        return to_timedelta(value, what=name)

    return attrs.field(default=None, converter=convert)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _initial_interval(value: Duration) -> timedelta:
    result = to_timedelta(value, what="initial_interval")
    assert result is not None
    return result


@attrs.frozen
class RetryPolicy:
    """How a failed activity (or child workflow) is retried.

    Same fields and meaning as Temporal's retry policy, so a policy written
    here behaves alike on both runtimes.

    Attributes:
        initial_interval: Delay before the first retry.
        backoff_coefficient: Each delay is the previous one times this.
        maximum_interval: Upper bound of a delay (default: 100 x initial_interval).
        maximum_attempts: Total attempts including the first; 0 means unlimited.
        non_retryable_error_types: Error type names that are never retried.
    """

    initial_interval: timedelta = attrs.field(default=timedelta(seconds=1), converter=_initial_interval)
    backoff_coefficient: float = 2.0
    maximum_interval: timedelta | None = _opt_duration("maximum_interval")
    maximum_attempts: int = 0
    non_retryable_error_types: Sequence[str] = attrs.field(default=(), converter=_names)

    def __attrs_post_init__(self) -> None:
        if self.backoff_coefficient < 1:
            raise ValueError("backoff_coefficient must be at least 1")
        if self.maximum_attempts < 0:
            raise ValueError("maximum_attempts must not be negative (0 means unlimited)")

    def delay_before(self, attempt: int) -> timedelta:
        """Return the delay before ``attempt`` (2 for the first retry)."""
        delay = self.initial_interval * (self.backoff_coefficient ** max(attempt - 2, 0))
        cap = self.maximum_interval if self.maximum_interval is not None else self.initial_interval * 100
        return min(delay, cap)


@attrs.frozen
class ActivityOptions:
    """Options of one activity call, normalised by the ``runbook`` facade.

    Durations are always timedeltas here, whatever the caller passed.
    """

    task_queue: str | None = None
    schedule_to_close_timeout: timedelta | None = _opt_duration("schedule_to_close_timeout")
    schedule_to_start_timeout: timedelta | None = _opt_duration("schedule_to_start_timeout")
    start_to_close_timeout: timedelta | None = _opt_duration("start_to_close_timeout")
    heartbeat_timeout: timedelta | None = _opt_duration("heartbeat_timeout")
    retry_policy: RetryPolicy | None = None
    activity_id: str | None = None
    summary: str | None = None


DEFAULT_ACTIVITY_OPTIONS = ActivityOptions()
"""The options of an activity call that sets none."""


@attrs.frozen
class ChildWorkflowOptions:
    """Options of one child-workflow start, normalised by the facade."""

    id: str | None = None
    task_queue: str | None = None
    execution_timeout: timedelta | None = _opt_duration("execution_timeout")
    run_timeout: timedelta | None = _opt_duration("run_timeout")
    task_timeout: timedelta | None = _opt_duration("task_timeout")
    retry_policy: RetryPolicy | None = None
    memo: dict[str, object] | None = None
    summary: str | None = None


DEFAULT_CHILD_OPTIONS = ChildWorkflowOptions()
"""The options of a child start that sets none."""

"""Activities under LocalRuntime: called in the workflow's task, under their deadlines, retried as their policy says."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import sys
import types
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ntro.runtime.local._base import RuntimeBase
from ntro.runtime.local._clock import Clock
from ntro.runtime.local._context import Attempt, current_attempt, get_attempt, get_run, reset_attempt, set_attempt
from ntro.runtime.local._run import LocalRun
from ntro.runtime.local._stepping import step_now
from ntro.runtime.local._waiting import sleep_on
from ntro.runtime.protocol import (
    DEFAULT_ACTIVITY_OPTIONS,
    ActivityInfo,
    ActivityOptions,
    ErrorType,
    RetryPolicy,
    activity_definition,
    activity_failure,
    find_activity,
)
from ntro.workflow.exceptions import WorkflowError

_EVENTS = "ntro.events"
_Coroutine = types.CoroutineType


class Activities(RuntimeBase):
    """Calling activities, and what an activity asks of its runtime (its info, heartbeats, logger)."""

    _hosted: dict[str, Callable[..., Any]]  # the activities this runtime hosts, by name (none: any is called)
    _attempt_clock: Clock  # what an attempt's deadlines count: real time, on either clock

    async def execute_activity(
        self, activity: Callable[..., Any] | str, args: Sequence[Any], options: ActivityOptions, /
    ) -> Any:
        """Run an activity in the workflow's task, honouring timeouts and retries.

        The one activity executor. A call with the default options, nobody
        watching and values handed over as given is the function called in an
        activity context and nothing more: the fast path, which returns early.
        Every other call runs the attempts its options ask for, each under its
        deadlines, retried as its policy says, told to the observers, its
        values crossing as the runtime passes values. With no retry policy
        and no heartbeat timeout there is one attempt, and its record is made
        only if the activity asks for it (``activity.info``, ``heartbeat``).
        """
        run = get_run()
        if isinstance(activity, str):
            name = activity
            fn = self._defined(name)
        else:
            fn = activity
            name = activity_name(fn)
        if self._hosted:
            fn = self._hosted_as(name)
        if run is not None:
            run.activity_seq += 1
            seq = run.activity_seq
        else:
            seq = 0
        if options is DEFAULT_ACTIVITY_OPTIONS and not self._observers and not self._payloads.parity:
            token = set_attempt((run, seq, name))
            self._inflight += 1
            try:
                result = fn(*args)
                if type(result) is _Coroutine or inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                error = activity_failure(exc, name)
                if error is exc:
                    raise
                raise error from exc
            finally:
                self._inflight -= 1
                reset_attempt(token)
                if run is not None and run.waiters:
                    run.schedule_recheck()
                virtual = self._virtual
                if virtual is not None:
                    virtual.touch()
            if _EVENTS in sys.modules:
                _emit_observable(result, run, name, 1)
            return result

        carried = self._payloads.activity(fn, isinstance(activity, str))  # None: values as given
        sent = None if carried is None else carried.send(args, name)  # None: the arguments as they are
        policy = options.retry_policy
        heartbeat = options.heartbeat_timeout
        once = policy is None and heartbeat is None  # one attempt, its record made only if asked for
        timed = heartbeat is not None or options.start_to_close_timeout is not None
        started: datetime | None = None  # when the first attempt was scheduled, where a deadline or retry needs it
        if options.schedule_to_close_timeout is not None:
            timed = True
            started = self.clock.now()
        elif policy is not None:
            started = self.clock.now()
        attempt = 1
        previous: tuple[Any, ...] = ()
        while True:
            if self._observers:
                self._emit("activity.started", _workflow_id(run), activity=name, attempt=attempt)
            record = None if once else Attempt(run, seq, attempt, name, previous, heartbeat)
            token = set_attempt((run, seq, name) if record is None else record)
            self._inflight += 1
            try:
                received = args if sent is None or carried is None else carried.receive(sent, name)
                if timed:
                    returned = await self._within_deadlines(fn, received, options, started, record)
                else:
                    returned = fn(*received)
                    if type(returned) is _Coroutine or inspect.isawaitable(returned):
                        returned = await returned
                reply = None if carried is None else carried.reply(returned, name)
            except Exception as exc:
                failure = exc
            else:
                if self._observers:
                    self._emit("activity.completed", _workflow_id(run), activity=name, attempt=attempt)
                if _EVENTS in sys.modules:
                    _emit_observable(returned, run, name, attempt)
                return returned if reply is None or carried is None else carried.read(reply, name)
            finally:
                self._inflight -= 1
                reset_attempt(token)
                if record is not None and record.details is not None:
                    previous = record.details
                if run is not None and run.waiters:
                    run.schedule_recheck()
                virtual = self._virtual
                if virtual is not None:
                    virtual.touch()
            delay = self._retry_delay(policy, failure, attempt, started, options)
            if delay is None:
                if self._observers:
                    self._emit("activity.failed", _workflow_id(run), activity=name, attempt=attempt, error=str(failure))
                final = activity_failure(failure, name)
                if final is failure:
                    raise failure
                raise final from failure
            if self._observers:
                self._emit("activity.retrying", _workflow_id(run), activity=name, attempt=attempt, error=str(failure))
            await sleep_on(self.clock, delay)
            attempt += 1

    async def _within_deadlines(
        self,
        fn: Callable[..., Any],
        args: Sequence[Any],
        options: ActivityOptions,
        started: datetime | None,
        record: Attempt | None,
    ) -> Any:
        """Run one attempt under its deadlines (``started``: when the first attempt was scheduled, if known)."""
        limits: list[tuple[timedelta, str]] = []
        if options.start_to_close_timeout is not None:
            limits.append((options.start_to_close_timeout, "start_to_close"))
        if options.schedule_to_close_timeout is not None:
            remaining = options.schedule_to_close_timeout - (self.clock.now() - (started or self.clock.now()))
            limits.append((max(remaining, timedelta(0)), "schedule_to_close"))
        result = fn(*args)
        if not inspect.isawaitable(result):
            return result
        heartbeat = options.heartbeat_timeout
        if not limits and heartbeat is None:
            return await result
        # Virtual time stands still while an activity runs (it is real work), so an attempt's own
        # deadlines count real time on either clock. The attempt runs in the workflow's task, as
        # without deadlines; a deadline that passes cancels that task, and the cancellation is
        # turned into the timeout here (as asyncio.timeout does), so no task or future is made.
        clock = self._attempt_clock
        began = clock.now()
        if type(result) is _Coroutine:
            # The first step runs now. An attempt that ends in it needs no timer: none could have
            # fired before it ended. One that has to wait gets its timers for the time left.
            ended, result = step_now(result)
            if ended:
                return result
        elapsed = clock.now() - began
        task = asyncio.current_task()
        assert task is not None
        expired: list[tuple[str, timedelta]] = []

        def expire(kind: str, limit: timedelta) -> None:
            if not expired:
                expired.append((kind, limit))
                task.cancel()

        cancels: list[Callable[[], None]] = []
        if limits:
            limit, kind = min(limits, key=lambda item: item[0])
            cancels.append(clock.call_later(max(limit - elapsed, timedelta(0)), functools.partial(expire, kind, limit)))
        if heartbeat is not None:
            assert record is not None
            # A heartbeat only notes the time; the watchdog, when it fires, looks how long the attempt
            # has been silent and either expires it or waits for the rest of the timeout.
            last = [began]

            def watch() -> None:
                silent = clock.now() - last[0]
                if silent >= heartbeat:
                    expire("heartbeat", heartbeat)
                else:
                    watchdog[0] = clock.call_later(heartbeat - silent, watch)

            def beat() -> None:
                last[0] = clock.now()

            watchdog = [clock.call_later(max(heartbeat - elapsed, timedelta(0)), watch)]
            record.beat = beat
            cancels.append(lambda: watchdog[0]())
        try:
            outcome = await result
        except asyncio.CancelledError:
            if not expired or task.uncancel() > 0:
                raise  # cancelled from outside (as well)
        finally:
            if record is not None:
                record.beat = None
            for cancel in cancels:
                cancel()
        if not expired:
            return outcome
        if task.cancelling():  # the activity swallowed our cancellation and returned: still too late
            task.uncancel()
        kind, limit = expired[0]
        raise WorkflowError(
            f"activity timed out ({kind} timeout of {limit})",
            type=ErrorType.ACTIVITY_TIMEOUT,
            non_retryable=kind not in ("start_to_close", "heartbeat"),
        )

    def _retry_delay(
        self,
        policy: RetryPolicy | None,
        failure: BaseException,
        attempt: int,
        started: datetime | None,
        options: ActivityOptions,
    ) -> timedelta | None:
        """Return how long to wait before the next attempt, or ``None``: the failure is final."""
        if policy is None or started is None:
            return None
        if isinstance(failure, WorkflowError) and failure.non_retryable:
            return None
        error_type = failure.type if isinstance(failure, WorkflowError) else type(failure).__name__
        if error_type in policy.non_retryable_error_types:
            return None
        if policy.maximum_attempts and attempt >= policy.maximum_attempts:
            return None
        delay = policy.delay_before(attempt + 1)
        deadline = options.schedule_to_close_timeout
        if deadline is not None and self.clock.now() - started + delay >= deadline:
            return None
        return delay

    def _defined(self, name: str) -> Callable[..., Any]:
        """Return the function of the activity defined as ``name``."""
        found = find_activity(name)
        if found is None:
            raise WorkflowError(
                f"no activity named {name!r} is defined (decorate it with @activity.defn(name=...))",
                type=ErrorType.UNKNOWN_ACTIVITY,
                non_retryable=True,
            )
        return found.fn

    def _hosted_as(self, name: str) -> Callable[..., Any]:
        """Return the hosted function that serves activity ``name``, as a worker that hosts it would run."""
        hosted = self._hosted.get(name)
        if hosted is None:
            known = ", ".join(sorted(self._hosted))
            raise WorkflowError(
                f"activity {name!r} is not hosted here (hosted: {known}); add it to the bundle's activities",
                type=ErrorType.UNKNOWN_ACTIVITY,
                non_retryable=True,
            )
        return hosted

    # -- what an activity asks of its runtime ---------------------------------------------------
    def activity_info(self) -> ActivityInfo:
        """Describe the running activity."""
        current = current_attempt()
        if current is None:
            raise RuntimeError("activity.info() must be called from an activity run by LocalRuntime")
        run = current.run
        return ActivityInfo(
            run.workflow_id if run is not None else "<no-workflow>",
            str(current.seq),
            current.number,
            activity_type=current.name,
            task_queue=run.task_queue if run is not None else self.task_queue,
            heartbeat_details=current.previous,
            heartbeat_timeout=current.timeout,
        )

    def heartbeat(self, details: Sequence[Any], /) -> None:
        """Keep the running attempt alive and note ``details`` for the next attempt, should there be one.

        With payload parity the details go through Temporal's JSON conversion
        (read back as plain data, as temporalio hands them over).
        """
        current = current_attempt()
        if current is None:
            raise RuntimeError("activity.heartbeat() must be called from an activity run by LocalRuntime")
        current.details = self._payloads.heartbeat_details(current.name, details)
        if current.beat is not None:
            current.beat()

    def activity_logger(self) -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
        """Return the activity logger."""
        return logging.getLogger("ntro.activity")

    def in_activity(self) -> bool:
        """Whether the caller is an activity run by this runtime."""
        return get_attempt() is not None


def activity_name(fn: Callable[..., Any]) -> str:
    """Return the name an activity function is called by: its defined name, else the function's own."""
    defn = activity_definition(fn)
    return defn.name if defn is not None else str(getattr(fn, "__name__", repr(fn)))


def _workflow_id(run: LocalRun | None) -> str:
    return run.workflow_id if run is not None else "<no-workflow>"


def _emit_observable(result: Any, run: LocalRun | None, name: str, attempt: int) -> None:
    """Emit an activity's :class:`~ntro.events.ObservableResult` (nothing can be one unless ntro.events is loaded)."""
    events = sys.modules.get(_EVENTS)
    if events is not None:
        events.emit_result(result, workflow_id=_workflow_id(run), activity=name, attempt=attempt)

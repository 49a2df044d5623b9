"""ntro.events: activity results that announce themselves (ntro 0.1.2's names).

An activity whose result is an :class:`ObservableResult` emits an event when
it returns, on every engine: LocalRuntime emits it in-process, the Temporal
backend from an activity interceptor that ``NtroPlugin`` adds. The event goes
to every registered emitter::

    from ntro.events import ObservableResult

    class DocumentParsed(ObservableResult):
        class ObserverMeta:
            event_type = "document.parsed"

        document_ref: str
        pages: int

Emitters are registered with :func:`register_emitter`, or published by a
distribution under the entry-point group ``ntro.events.emitters`` (loaded on
the first event). An emitter that raises is logged and skipped: an event
never fails the activity that produced it.

Code written for ntro 0.1.2 works unchanged: an activity can emit an event of
its own with ``await get_emitter().emit("invoice.flagged", payload)``, and an
emitter may have 0.1.2's shape, ``async def emit(self, event_type, payload=None)``
(:class:`AsyncObserverEmitter`); it receives every event too.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Coroutine, Generator, Mapping
from datetime import UTC, datetime
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, cast, runtime_checkable

import attrs
import pydantic

__all__ = [
    "EMITTER_ENTRY_POINT_GROUP",
    "AsyncObserverEmitter",
    "Emission",
    "EventFanOut",
    "ObservableResult",
    "ObservedEvent",
    "ObserverEmitter",
    "emit_result",
    "get_emitter",
    "register_emitter",
    "unregister_emitter",
]

EMITTER_ENTRY_POINT_GROUP = "ntro.events.emitters"
"""The entry-point group whose objects (emitters, or factories of one) receive every event."""

_log = logging.getLogger("ntro.events")


class ObservableResult(pydantic.BaseModel):
    """A pydantic activity result that is emitted as an event when the activity returns.

    Subclasses name their event in an inner ``ObserverMeta`` class
    (``event_type = "document.parsed"``); without one the event type is the
    class name.
    """

    class ObserverMeta:
        """The event this result is emitted as."""

        event_type: ClassVar[str] = ""

    @classmethod
    def observed_event_type(cls) -> str:
        """The event type: ``ObserverMeta.event_type``, else the class name."""
        meta = getattr(cls, "ObserverMeta", None)
        return str(getattr(meta, "event_type", "") or cls.__name__)


@attrs.frozen
class ObservedEvent:
    """One emitted event.

    Attributes:
        event_type: ``ObserverMeta.event_type`` of the result, or the type
            given to ``get_emitter().emit(...)``.
        payload: The result (or the payload given), as JSON data.
        workflow_id: The workflow whose activity produced it (empty outside any run).
        activity: The activity's registered name (empty outside an activity).
        attempt: The activity attempt that produced it.
        emitted_at: When it was emitted (UTC wall time).
    """

    event_type: str
    payload: Mapping[str, Any]
    workflow_id: str
    activity: str
    attempt: int = 1
    emitted_at: datetime = attrs.field(factory=lambda: datetime.now(UTC))


@runtime_checkable
class ObserverEmitter(Protocol):
    """Something that receives every :class:`ObservedEvent` (a queue, a log, a webhook)."""

    def emit(self, event: ObservedEvent) -> None:
        """Take ``event``; it must not block for long (it runs in the activity's worker)."""


@runtime_checkable
class AsyncObserverEmitter(Protocol):
    """An emitter of ntro 0.1.2's shape: a coroutine taking the event type and payload.

    It receives every event, like an :class:`ObserverEmitter`; its coroutine
    runs as a task on the running event loop (or to completion, when there is
    none), and ``await get_emitter().emit(...)`` waits for it.
    """

    async def emit(self, event_type: str, payload: pydantic.BaseModel | dict[str, Any] | None = None) -> None:
        """Take one event: its type and its payload (the result model, or the payload given)."""


AnyEmitter = ObserverEmitter | AsyncObserverEmitter

_emitters: list[AnyEmitter] = []
_entry_points_loaded = False
_running: set[asyncio.Future[None]] = set()  # async emitters' tasks, held until done


def register_emitter(emitter: AnyEmitter) -> None:
    """Send every event from now on to ``emitter`` too (registering it twice sends once)."""
    if emitter not in _emitters:
        _emitters.append(emitter)


def unregister_emitter(emitter: AnyEmitter) -> None:
    """Stop sending events to ``emitter``."""
    if emitter in _emitters:
        _emitters.remove(emitter)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=EMITTER_ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            emitter = obj() if isinstance(obj, type) else obj
        except Exception as exc:  # a broken plugin must not break activities
            _log.warning("ntro.events: emitter %r cannot be loaded: %s", ep.name, exc)
            continue
        register_emitter(emitter)


def get_emitter() -> EventFanOut:
    """Return the emitter that fans an event out to every registered one (entry points included)."""
    _load_entry_points()
    return _FAN_OUT


def _failed(emitter: Any, event_type: str, exc: BaseException) -> None:
    _log.warning("ntro.events: emitter %r failed on %s: %s", emitter, event_type, exc)


def _start(emitter: Any, event_type: str, coro: Coroutine[Any, Any, None]) -> asyncio.Future[None] | None:
    """Run an async emitter's coroutine: as a task on the running loop, else to completion now."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        try:
            asyncio.run(coro)
        except Exception as exc:
            _failed(emitter, event_type, exc)
        return None
    task = loop.create_task(coro)
    _running.add(task)

    def done(task: asyncio.Future[None]) -> None:
        _running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _failed(emitter, event_type, task.exception())  # type: ignore[arg-type]

    task.add_done_callback(done)
    return task


def _context() -> tuple[str, str, int]:
    """The workflow id, activity name and attempt of the code emitting (empty outside a run)."""
    from ntro.runtime.protocol import driving_runtime

    runtime = driving_runtime()
    if runtime is not None and runtime.in_activity():
        info = runtime.activity_info()
        return info.workflow_id, info.activity_type, info.attempt
    if runtime is not None and runtime.in_workflow():
        return runtime.workflow_info().workflow_id, "", 1
    return "", "", 1


class Emission:
    """What :meth:`EventFanOut.emit` returns: the event, and an awaitable for async emitters.

    ``await`` it to wait until every :class:`AsyncObserverEmitter` has taken
    the event; not awaiting it is fine too (their tasks run anyway).

    Attributes:
        event: The event sent.
    """

    def __init__(self, event: ObservedEvent, pending: list[asyncio.Future[None]]) -> None:
        """Wrap ``event`` and the tasks of the async emitters taking it."""
        self.event = event
        self._pending = pending

    def __await__(self) -> Generator[Any, None, ObservedEvent]:
        """Wait for the async emitters (their failures are logged, not raised); give the event."""
        if self._pending:
            yield from asyncio.wait(self._pending).__await__()
        return self.event


class EventFanOut:
    """The emitter :func:`get_emitter` returns: it sends each event to every registered emitter."""

    def emit(
        self, event: ObservedEvent | str, payload: pydantic.BaseModel | Mapping[str, Any] | None = None
    ) -> Emission:
        """Send an event to every registered emitter.

        Args:
            event: An :class:`ObservedEvent`, or (as in ntro 0.1.2) the type of
                an event of your own, sent with ``payload`` and the running
                workflow's id and activity's name.
            payload: With an event type: a pydantic model or a mapping of
                JSON data (``None``: empty).

        Returns:
            An :class:`Emission`; ``await`` it to wait for async emitters.

        Raises:
            TypeError: ``payload`` is neither a model, a mapping nor ``None``.
        """
        original: Any = payload
        if isinstance(event, str):
            workflow_id, activity, attempt = _context()
            event = ObservedEvent(event, _json_payload(payload), workflow_id, activity, attempt)
        elif original is None:
            original = dict(event.payload)
        pending: list[asyncio.Future[None]] = []
        for emitter in list(_emitters):
            try:
                if isinstance(emitter, ObserverEmitter) and not inspect.iscoroutinefunction(emitter.emit):
                    emitter.emit(event)
                else:
                    coro = cast(AsyncObserverEmitter, emitter).emit(event.event_type, original)
                    task = _start(emitter, event.event_type, coro)
                    if task is not None:
                        pending.append(task)
            except Exception as exc:  # an event never fails the activity that produced it
                _failed(emitter, event.event_type, exc)
        return Emission(event, pending)


_FAN_OUT = EventFanOut()


_JSON_OBJECT: pydantic.TypeAdapter[dict[str, Any]] = pydantic.TypeAdapter(dict[str, Any])


def _json_payload(payload: pydantic.BaseModel | Mapping[str, Any] | None) -> Mapping[str, Any]:
    if payload is None:
        return {}
    if isinstance(payload, pydantic.BaseModel):
        return payload.model_dump(mode="json")
    if isinstance(payload, Mapping):
        return cast(dict[str, Any], _JSON_OBJECT.dump_python(dict(payload), mode="json"))
    raise TypeError(f"an event's payload is a pydantic model, a mapping or None, not {type(payload).__name__}")


def emit_result(result: Any, *, workflow_id: str, activity: str, attempt: int = 1) -> ObservedEvent | None:
    """Emit ``result`` if it is an :class:`ObservableResult`; return the event (``None`` otherwise).

    Backends call this once an activity attempt has returned ``result``.
    Async emitters (:class:`AsyncObserverEmitter`) get the result model itself.
    """
    if not isinstance(result, ObservableResult):
        return None
    event = ObservedEvent(
        event_type=type(result).observed_event_type(),
        payload=result.model_dump(mode="json"),
        workflow_id=workflow_id,
        activity=activity,
        attempt=attempt,
    )
    get_emitter().emit(event, result)
    return event

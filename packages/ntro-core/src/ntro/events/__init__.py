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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, runtime_checkable

import attrs
import pydantic

__all__ = [
    "EMITTER_ENTRY_POINT_GROUP",
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
        event_type: ``ObserverMeta.event_type`` of the result.
        payload: The result, as JSON data.
        workflow_id: The workflow whose activity produced it.
        activity: The activity's registered name.
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


_emitters: list[ObserverEmitter] = []
_entry_points_loaded = False


def register_emitter(emitter: ObserverEmitter) -> None:
    """Send every event from now on to ``emitter`` too (registering it twice sends once)."""
    if emitter not in _emitters:
        _emitters.append(emitter)


def unregister_emitter(emitter: ObserverEmitter) -> None:
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


def get_emitter() -> ObserverEmitter:
    """Return the emitter that fans an event out to every registered one (entry points included)."""
    _load_entry_points()
    return _FanOut()


class _FanOut:
    def emit(self, event: ObservedEvent) -> None:
        for emitter in list(_emitters):
            try:
                emitter.emit(event)
            except Exception as exc:  # an event never fails the activity that produced it
                _log.warning("ntro.events: emitter %r failed on %s: %s", emitter, event.event_type, exc)


def emit_result(result: Any, *, workflow_id: str, activity: str, attempt: int = 1) -> ObservedEvent | None:
    """Emit ``result`` if it is an :class:`ObservableResult`; return the event (``None`` otherwise).

    Backends call this once an activity attempt has returned ``result``.
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
    get_emitter().emit(event)
    return event

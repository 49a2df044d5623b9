"""How a LocalRuntime passes a value from the party that sends it to the one that receives it.

A value crosses a boundary when a run gets its input or gives its result, a
signal, query or update handler gets its arguments or gives its answer, an
activity gets its arguments or gives its result, an activity heartbeats.
``LocalRuntime(payload_parity=...)`` chooses how, once, when it is made:

* :data:`AS_GIVEN` (the default) hands each value over as the very object
  given, which is fastest;
* :data:`PARITY` passes it through the JSON conversion Temporal uses
  (:class:`ntro.runtime.protocol.PayloadConverter`) and reads it back with the
  receiver's type hints, so workflow code sees the types it would see on
  Temporal and a value Temporal cannot carry fails here too. A value that
  conversion would give back as it is (``None``, ``bytes``, an ``int``, a
  ``bool`` or an ASCII ``str`` read as its own type or ``Any``) skips it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import MethodType
from typing import Any, ClassVar

from ntro.runtime.protocol import (
    DEFAULT_PAYLOAD_CONVERTER,
    FunctionHints,
    HandlerDefinition,
    Payload,
    PayloadError,
    WorkflowDefinition,
    function_hints,
)

# A name of this module, not an import: CPython 3.11 compiles a method call on an imported name
# as an attribute load and a call (it takes the name for a module's), a bound method made each time.
_CONVERTER = DEFAULT_PAYLOAD_CONVERTER

_MAX_FUNCTIONS = 4096  # activity functions whose hints are kept at most (all are forgotten beyond)


class Payloads:
    """Hand every value over as the very object given (no payload parity).

    Each method is one boundary; :class:`ParityPayloads` carries the value
    over it as Temporal would. The runtime calls them wherever a value
    crosses, except in the one place where even a call would cost: an
    activity call with the default options and nobody watching reads
    :attr:`parity` instead, and with it off calls nothing at all.
    """

    parity: ClassVar[bool] = False
    """Whether values are carried as Temporal carries them."""

    def workflow_args(self, defn: WorkflowDefinition, args: Sequence[Any]) -> Sequence[Any]:
        """Return the arguments of ``defn``'s run method (a start, a child, a continue-as-new) as the run gets them."""
        return args

    def workflow_result(self, defn: WorkflowDefinition, result: Any) -> Any:
        """Return a run's result as whoever awaits it gets it."""
        return result

    def handler_args(
        self, defn: WorkflowDefinition, kind: str, handler: HandlerDefinition, args: Sequence[Any]
    ) -> Sequence[Any]:
        """Return the arguments of a ``kind`` ("signal", "query" or "update") handler as the handler gets them."""
        return args

    def query_answer(self, defn: WorkflowDefinition, handler: HandlerDefinition, answer: Any, *, by_name: bool) -> Any:
        """Return a query's answer as the caller gets it (asked ``by_name``, or by the handler method)."""
        return answer

    def update_answer(self, handler: HandlerDefinition, answer: Any) -> Any:
        """Return an update's answer as the caller gets it."""
        return answer

    def heartbeat_details(self, activity: str, details: Sequence[Any]) -> tuple[Any, ...]:
        """Return the details an attempt of ``activity`` heartbeats, as the next attempt gets them."""
        return tuple(details)

    def activity(self, fn: Callable[..., Any], by_name: bool, /) -> CarriedActivity | None:
        """Return how a call of the activity function ``fn`` (called ``by_name`` or not) carries its values.

        ``None``: they are handed over as given, and the executor calls nothing more.
        """
        return None


class ParityPayloads(Payloads):
    """Carry every value as Temporal does: encoded to JSON and read back with the receiver's type hints."""

    parity = True

    def __init__(self) -> None:
        # How each activity function's calls carry their values, by function (called by name, or not).
        self._by_function: dict[Callable[..., Any], CarriedActivity] = {}
        self._by_name: dict[Callable[..., Any], CarriedActivity] = {}

    def workflow_args(self, defn: WorkflowDefinition, args: Sequence[Any]) -> Sequence[Any]:
        """Return the run method's arguments read with its hints (encoded together, as they travel)."""
        return _carry_args(args, getattr(defn.cls, defn.run_method), "the input of workflow {}", defn.name)

    def workflow_result(self, defn: WorkflowDefinition, result: Any) -> Any:
        """Return a run's result read with the run method's return hint."""
        hint = function_hints(getattr(defn.cls, defn.run_method)).result
        return _carry(result, hint, "the result of workflow {}", defn.name)

    def handler_args(
        self, defn: WorkflowDefinition, kind: str, handler: HandlerDefinition, args: Sequence[Any]
    ) -> Sequence[Any]:
        """Return a handler's arguments read with its hints."""
        fn = getattr(defn.cls, handler.method_name)
        return _carry_args(args, fn, "the arguments of {} {!r}", kind, handler.name)

    def query_answer(self, defn: WorkflowDefinition, handler: HandlerDefinition, answer: Any, *, by_name: bool) -> Any:
        """Return a query's answer read as its return hint when asked by method, as ``Any`` by name (as temporalio)."""
        hint = Any if by_name else function_hints(getattr(defn.cls, handler.method_name)).result
        return _carry(answer, hint, "the answer of query {!r}", handler.name)

    def update_answer(self, handler: HandlerDefinition, answer: Any) -> Any:
        """Return an update's answer read as ``Any``."""
        return _carry(answer, Any, "the answer of update {!r}", handler.name)

    def heartbeat_details(self, activity: str, details: Sequence[Any]) -> tuple[Any, ...]:
        """Return heartbeat details read back as plain data, as temporalio hands them over."""
        return tuple(_carry(d, Any, "the heartbeat details of activity {}", activity) for d in details)

    def activity(self, fn: Callable[..., Any], by_name: bool, /) -> CarriedActivity | None:
        """Return how a call of ``fn`` carries its values: read with ``fn``'s hints (found once per function)."""
        key = fn.__func__ if type(fn) is MethodType else fn  # by function, never keeping an instance
        found = self._by_name if by_name else self._by_function
        try:
            carried = found.get(key)
        except TypeError:  # an unhashable callable
            return CarriedActivity(function_hints(fn), by_name=by_name)
        if carried is None:
            if len(found) >= _MAX_FUNCTIONS:
                found.clear()
            carried = found[key] = CarriedActivity(function_hints(fn), by_name=by_name)
        return carried


class CarriedActivity:
    """How the calls of one activity function carry their values under payload parity.

    The workflow sends the arguments once (:meth:`send`: encoded), and each
    attempt receives them afresh (:meth:`receive`: read with the function's
    hints). An attempt sends back what it returned (:meth:`reply`: encoded, in
    the attempt, so a result with no JSON form fails that attempt and a retry
    policy applies), and the workflow reads the reply (:meth:`read`): by name
    as ``Any``, by function as its return hint, as on Temporal. Values
    carried as they are skip both.
    """

    __slots__ = ("_hint", "_hints")

    def __init__(self, hints: FunctionHints, *, by_name: bool) -> None:
        self._hints = hints
        self._hint: Any = Any if by_name else hints.result

    def send(self, args: Sequence[Any], name: str) -> list[Payload] | None:
        """Return the arguments of a call of activity ``name`` encoded (``None``: each is carried as it is)."""
        if _CONVERTER.carry_args_as_is(args, self._hints):
            return None
        try:
            return [_CONVERTER.to_payload(arg) for arg in args]
        except PayloadError as exc:
            raise PayloadError(f"the arguments of activity {name}: {exc.message}", non_retryable=True) from exc

    def receive(self, sent: list[Payload], name: str) -> tuple[Any, ...]:
        """Return the arguments an attempt receives, read afresh from what :meth:`send` encoded."""
        return _read_args(sent, self._hints, f"the arguments of activity {name}")

    def reply(self, returned: Any, name: str) -> Payload | None:
        """Return what an attempt returned encoded, as it sends it back (``None``: it is carried as it is)."""
        if _CONVERTER.carries_as_is(returned, self._hint):
            return None
        try:
            return _CONVERTER.to_payload(returned)
        except PayloadError as exc:
            raise PayloadError(f"activity {name} failed: its result: {exc.message}") from exc

    def read(self, reply: Payload, name: str) -> Any:
        """Return the result the workflow reads from what :meth:`reply` encoded."""
        return _read(reply, self._hint, f"the result of activity {name}")


AS_GIVEN = Payloads()
"""Values handed over as given (``payload_parity=False``)."""

PARITY = ParityPayloads()
"""Values carried as on Temporal (``payload_parity=True``)."""


def _read(payload: Payload, hint: Any, what: str) -> Any:
    try:
        return _CONVERTER.from_payload(payload, hint)
    except PayloadError as exc:
        raise PayloadError(f"{what}: {exc.message}", non_retryable=True) from exc


def _read_args(payloads: Sequence[Payload], hints: FunctionHints, what: str) -> tuple[Any, ...]:
    return tuple(_read(payload, hints.param(i), what) for i, payload in enumerate(payloads))


def _carry(value: Any, hint: Any, what: str, *parts: Any) -> Any:
    """Return ``value`` as a receiver reading it as ``hint`` gets it.

    ``what`` names the value in an error, once formatted with ``parts``
    (only when the value is converted: one carried as it is costs no message).
    """
    if _CONVERTER.carries_as_is(value, hint):
        return value
    what = what.format(*parts)
    try:
        payload = _CONVERTER.to_payload(value)
    except PayloadError as exc:
        raise PayloadError(f"{what}: {exc.message}", non_retryable=True) from exc
    return _read(payload, hint, what)


def _carry_args(args: Sequence[Any], fn: Callable[..., Any], what: str, *parts: Any) -> tuple[Any, ...]:
    """Return call arguments as ``fn`` gets them: all encoded, then each read with its hint (``what``: see _carry)."""
    hints = function_hints(fn)
    if _CONVERTER.carry_args_as_is(args, hints):
        return tuple(args)
    what = what.format(*parts)
    try:
        payloads = [_CONVERTER.to_payload(arg) for arg in args]
    except PayloadError as exc:
        raise PayloadError(f"{what}: {exc.message}", non_retryable=True) from exc
    return _read_args(payloads, hints, what)

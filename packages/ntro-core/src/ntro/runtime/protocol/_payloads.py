"""Payloads as Temporal carries them: the JSON conversion, usable on any engine.

On Temporal, ntro uses temporalio's pydantic data converter: every workflow
input, activity argument and result, child argument and result, signal,
query and final result crosses the wire as a payload, and what comes out is
rebuilt from the receiver's type hints. This module does the same in-process,
without temporalio, so an in-process engine can make workflow code see what
it would see on Temporal (``LocalRuntime(payload_parity=True)``; the client
factories use it).

The conversion, as temporalio's ``PydanticPayloadConverter`` does it:

* ``None`` becomes an empty ``binary/null`` payload and always reads back as
  ``None``; ``bytes`` travel as they are (``binary/plain``) and read back as
  ``bytes``, whatever the type hint;
* anything else is written with :func:`pydantic_core.to_json` (``json/plain``):
  pydantic models, dataclasses, ``datetime``/``date``/``time``/``timedelta``,
  ``UUID``, ``Decimal``, enums, tuples, sets (as JSON lists) and anything
  built from them; other values (``object()``, functions, plain classes,
  attrs classes) cannot be written and raise :class:`PayloadError`;
* a payload is read with ``pydantic.TypeAdapter(type_hint).validate_json``,
  ``Any`` when there is no hint: with ``-> dict`` an activity returning a
  pydantic model gives the workflow a ``dict``, with ``-> Model`` a ``Model``;
  a set read as ``Any`` is a list.

Type hints come from :func:`function_hints`, as temporalio takes them
(``typing.get_type_hints``, so ``from __future__ import annotations`` works);
hints that cannot be resolved count as ``Any``. Not carried over: protobuf
messages (temporalio's ``json/protobuf`` encoding) and payload codecs.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from ntro.runtime.protocol._errors import WorkflowError
from ntro.runtime.protocol._shared import ErrorType

if TYPE_CHECKING:
    import pydantic

# pydantic is imported on first conversion, not with this module: ``import
# ntro.workflow`` must stay cheap, and only runs with payload parity convert.

__all__ = [
    "DEFAULT_PAYLOAD_CONVERTER",
    "FunctionHints",
    "Payload",
    "PayloadConverter",
    "PayloadError",
    "function_hints",
]

ENCODING_NULL: Final = "binary/null"
ENCODING_BINARY: Final = "binary/plain"
ENCODING_JSON: Final = "json/plain"


class PayloadError(WorkflowError):
    """A value cannot be carried as a payload, or a payload cannot be read as its type hint.

    Its ``type`` is ``"PayloadError"`` (:attr:`ErrorType.PAYLOAD
    <ntro.runtime.protocol.ErrorType.PAYLOAD>`). Raised in an activity (its
    result has no JSON form) it fails that attempt like any activity error,
    so a retry policy applies.
    """

    def __init__(
        self, message: str = "", *details: Any, type: str | None = None, non_retryable: bool = False, **kwargs: Any
    ) -> None:
        error_type = type if type is not None else ErrorType.PAYLOAD
        super().__init__(message, *details, type=error_type, non_retryable=non_retryable, **kwargs)


@attrs.frozen
class Payload:
    """One encoded value.

    Attributes:
        encoding: ``"binary/null"`` (``None``), ``"binary/plain"`` (``bytes``)
            or ``"json/plain"`` (anything else), as on Temporal.
        data: The encoded bytes (JSON text for ``json/plain``).
    """

    encoding: str
    data: bytes = b""


@attrs.frozen
class FunctionHints:
    """The type hints payloads of a function are read with.

    Attributes:
        params: The hints of the positional parameters, in order (``self``
            left out), or ``None`` when every argument is read as ``Any`` (the
            function has ``*args``, keyword-only parameters, or hints that
            cannot be resolved).
        result: The return hint (``Any`` when there is none).
    """

    params: tuple[Any, ...] | None = None
    result: Any = Any

    def param(self, index: int) -> Any:
        """Return the hint of the ``index``-th positional argument (``Any`` when unknown)."""
        if self.params is None or index >= len(self.params):
            return Any
        return self.params[index]


_ANY_HINTS = FunctionHints()
_PLAIN_CALLABLES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType, functools.partial)


def function_hints(fn: Callable[..., Any]) -> FunctionHints:
    """Return the hints a function's arguments and result are read with, as temporalio takes them.

    Works on functions, methods (bound or not: a leading unannotated ``self``
    is skipped) and callable objects (their ``__call__``). Annotations are
    resolved with :func:`typing.get_type_hints`, in the function's own module;
    unannotated parameters are ``Any``. When the hints cannot be resolved (a
    name that is not importable there, say) everything is ``Any``.
    """
    if isinstance(fn, types.MethodType):
        fn = fn.__func__  # cache by function, never by (and so never keeping) an instance
    try:
        return _cached_hints(fn)
    except TypeError:  # unhashable callable
        return _compute_hints(fn)


@functools.lru_cache(maxsize=4096)
def _cached_hints(fn: Callable[..., Any]) -> FunctionHints:
    return _compute_hints(fn)


def _compute_hints(fn: Callable[..., Any]) -> FunctionHints:
    target: Any = fn
    try:
        if not isinstance(fn, _PLAIN_CALLABLES) and not isinstance(fn, type):
            target = type(fn).__call__  # a callable object: its __call__, as temporalio takes it
        signature = inspect.signature(target)
        hints = typing.get_type_hints(target)
    except Exception:
        return _ANY_HINTS
    result = hints.get("return", Any)
    params: list[Any] = []
    for index, parameter in enumerate(signature.parameters.values()):
        if index == 0 and parameter.name == "self" and parameter.annotation is inspect.Parameter.empty:
            continue
        if parameter.kind not in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            return FunctionHints(None, result)
        params.append(hints.get(parameter.name, Any))
    return FunctionHints(tuple(params), result)


class PayloadConverter:
    """Encode values to payloads and read them back, as temporalio's pydantic converter does.

    Args:
        max_cached_type_adapters: How many ``TypeAdapter`` s to keep, least
            recently used dropped first (``None``: no limit).
    """

    def __init__(self, *, max_cached_type_adapters: int | None = 1024) -> None:
        self._max_cached = max_cached_type_adapters
        self._cached_adapter: Callable[[Any], pydantic.TypeAdapter[Any]] | None = None

    def _adapter(self, hint: Any) -> pydantic.TypeAdapter[Any]:
        if self._cached_adapter is None:
            import pydantic

            self._cached_adapter = functools.lru_cache(maxsize=self._max_cached)(pydantic.TypeAdapter)
        return self._cached_adapter(hint)

    def to_payload(self, value: Any) -> Payload:
        """Encode ``value``.

        Raises:
            PayloadError: It has no JSON form (``object()``, a function, a plain class...), or
                nests too deeply to write.
        """
        if value is None:
            return Payload(ENCODING_NULL)
        if isinstance(value, bytes):
            return Payload(ENCODING_BINARY, value)
        import pydantic_core

        try:
            return Payload(ENCODING_JSON, pydantic_core.to_json(value))
        except Exception as exc:
            why = "it nests too deeply" if "depth exceeded" in str(exc) else "it has no JSON form"
            raise PayloadError(
                f"a value of type {_type_name(type(value))} cannot be carried as a payload ({why}): {_one_line(exc)}"
            ) from exc

    def from_payload(self, payload: Payload, type_hint: Any = None) -> Any:
        """Read ``payload`` back as ``type_hint`` (``Any`` when ``None``).

        Raises:
            PayloadError: The payload does not fit the hint, the hint is not a
                type pydantic can build, or the encoding is unknown.
        """
        if payload.encoding == ENCODING_NULL:
            return None
        if payload.encoding == ENCODING_BINARY:
            return payload.data
        if payload.encoding != ENCODING_JSON:
            raise PayloadError(f"unknown payload encoding {payload.encoding!r}")
        hint = Any if type_hint is None else type_hint
        try:
            try:
                adapter = self._adapter(hint)
            except TypeError:
                try:
                    hash(hint)
                except TypeError:
                    import pydantic

                    adapter = pydantic.TypeAdapter(hint)
                else:
                    raise
            return adapter.validate_json(payload.data)
        except Exception as exc:
            raise PayloadError(f"a payload cannot be read as {_type_name(hint)}: {_one_line(exc)}") from exc

    def carries_as_is(self, value: Any, type_hint: Any = None) -> bool:
        """Whether :meth:`round_trip` gives ``value`` back as it is when read as ``type_hint``.

        True for ``None`` and ``bytes`` (carried without JSON), and for an
        ``int``, a ``bool`` or an ASCII ``str`` read as its own type or as
        ``Any`` (JSON gives back an equal value of the same type). Callers skip
        the conversion then: the receiver gets exactly what it would have got.
        """
        kind = type(value)
        if kind is int or kind is bool:  # the commonest first
            return type_hint is kind or type_hint is Any or type_hint is None
        if value is None or kind is bytes:
            return True
        return kind is str and (type_hint is str or type_hint is Any or type_hint is None) and value.isascii()

    def round_trip(self, value: Any, type_hint: Any = None) -> Any:
        """Return ``value`` as a receiver with ``type_hint`` would get it: encoded, then read back.

        Raises:
            PayloadError: It cannot be encoded, or not read as ``type_hint``.
        """
        if self.carries_as_is(value, type_hint):
            return value
        return self.from_payload(self.to_payload(value), type_hint)

    def round_trip_args(self, args: Sequence[Any], hints: FunctionHints) -> tuple[Any, ...]:
        """Return call arguments as the receiving function would get them.

        Every argument is encoded before any is read, as they travel together.

        Raises:
            PayloadError: One cannot be encoded, or not read as its parameter's hint.
        """
        if self.carry_args_as_is(args, hints):
            return tuple(args)
        payloads = [self.to_payload(arg) for arg in args]
        return tuple(self.from_payload(payload, hints.param(i)) for i, payload in enumerate(payloads))

    def carry_args_as_is(self, args: Sequence[Any], hints: FunctionHints) -> bool:
        """Whether every one of ``args`` is carried as it is to its parameter (see :meth:`carries_as_is`)."""
        params = hints.params or ()
        for index, arg in enumerate(args):
            hint = params[index] if index < len(params) else Any  # hints.param(index), without the call
            if not self.carries_as_is(arg, hint):
                return False
        return True


DEFAULT_PAYLOAD_CONVERTER: Final = PayloadConverter()
"""The shared converter in-process engines use for payload parity."""


def _type_name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__qualname__
    return repr(hint).replace("typing.", "")


def _one_line(exc: BaseException) -> str:
    import pydantic_core

    text = str(exc).strip()
    if isinstance(exc, pydantic_core.ValidationError):
        # "1 validation error for int\n  Input should be..." -> the first problem only
        lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("For ")]
        return "; ".join(lines[:3])
    return text.splitlines()[0] if text else type(exc).__name__

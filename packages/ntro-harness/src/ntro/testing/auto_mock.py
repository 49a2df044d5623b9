"""Automatic fakes of typed values, and the activity mocks built on them.

:func:`generate_fake` returns one deterministic value of a type annotation, as
ntro 0.1.2's harness did (``str`` -> ``"auto-mock"``, ``int`` -> ``0``, a
pydantic model with its required fields filled...), and more: ``Literal``,
enums, dataclasses, ``TypedDict`` and string annotations resolved in the
module that wrote them. What it cannot fake raises :class:`MockUnavailable`.

:func:`mock_activities` wraps a runbook's activities for a scenario: each
wrapper is hosted under the real activity's name, answers with the scenario's
mock for it (a value, a callable, or :data:`~ntro.testing.REAL` for the real
thing) or else with a fake of its return type, and reports every attempt as
an :class:`~ntro.testing.ActivityCall`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import functools
import inspect
import sys
import types
import typing
import uuid
from collections import abc
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import ModuleType
from typing import Any, Final

from ntro.runtime.protocol import ACTIVITY_ATTR, ActivityDefinition, activity_definition, function_hints
from ntro.testing._results import ActivityCall
from ntro.testing._scenarios import REAL
from ntro.workflow.exceptions import NtroError, WorkflowError

__all__ = ["FAKE_DATE", "FAKE_DATETIME", "MockUnavailable", "generate_fake", "mock_activities"]

FAKE_DATETIME: Final = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)
"""The fake ``datetime``: 2026-01-01T00:00:00+00:00 (fixed, so runs are reproducible)."""

FAKE_DATE: Final = _dt.date(2026, 1, 1)
"""The fake ``date``: 2026-01-01."""

_SCALARS: Final[Mapping[Any, Any]] = {
    str: "auto-mock",
    int: 0,
    float: 0.0,
    Decimal: Decimal("0"),
    bool: True,
    bytes: b"",
    uuid.UUID: uuid.UUID(int=0),
    _dt.datetime: FAKE_DATETIME,
    _dt.date: FAKE_DATE,
    _dt.time: _dt.time(0, 0),
    _dt.timedelta: _dt.timedelta(0),
    type(None): None,
    object: None,
}

# Origins (typing.get_origin) of the generic containers, by the fake they get.
_LISTS: Final = (list, abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection)
_SETS: Final = (set, abc.Set, abc.MutableSet)
_DICTS: Final = (dict, abc.Mapping, abc.MutableMapping)


class MockUnavailable(NtroError, WorkflowError):
    """No automatic fake exists for a type; the message names the type (and the activity, in a mock).

    Raised in an activity mock it fails the activity without retries: give the
    scenario a mock for it (``Scenario(..., mocks={"name": value})``).
    """

    def __init__(
        self, message: str = "", *details: Any, type: str | None = None, non_retryable: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(message, *details, type=type or "MockUnavailable", non_retryable=non_retryable, **kwargs)


class _Cycle(Exception):
    """A type contains itself where no empty value can stop the recursion."""


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    if isinstance(annotation, typing.ForwardRef):
        return annotation.__forward_arg__
    return str(annotation).replace("typing.", "")


def _namespace(module: ModuleType | str | None, globalns: Mapping[str, Any] | None) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    if isinstance(module, str):
        module = sys.modules.get(module)
    if module is not None:
        namespace.update(vars(module))
    if globalns is not None:
        namespace.update(globalns)
    return namespace


class _Faker:
    def __init__(self, globalns: dict[str, Any], localns: Mapping[str, Any] | None) -> None:
        self.globalns = globalns
        self.localns = dict(localns) if localns is not None else None
        self.building: list[Any] = []

    def resolve(self, text: str) -> Any:
        try:
            return eval(text, self.globalns, self.localns)  # an annotation, as typing evaluates one
        except Exception as exc:
            raise MockUnavailable(
                f"cannot resolve the annotation {text!r} ({type(exc).__name__}: {exc}); "
                "import the name it uses in the module that declares it"
            ) from None

    def fake(self, annotation: Any) -> Any:
        if isinstance(annotation, str):
            return self.fake(self.resolve(annotation))
        if isinstance(annotation, typing.ForwardRef):
            return self.fake(self.resolve(annotation.__forward_arg__))
        if annotation is None or annotation is Any or annotation is inspect.Parameter.empty:
            return None
        if isinstance(annotation, typing.TypeVar):
            bound = annotation.__bound__
            return None if bound is None else self.fake(bound)
        if isinstance(annotation, typing.NewType):
            return self.fake(annotation.__supertype__)
        alias_type = getattr(typing, "TypeAliasType", None)  # Python 3.12+: type X = ...
        if alias_type is not None and isinstance(annotation, alias_type):  # pragma: no cover - Python 3.12+
            return self.fake(annotation.__value__)
        try:
            scalar_hit = annotation in _SCALARS
        except TypeError:  # an unhashable annotation object
            scalar_hit = False
        if scalar_hit:
            return _SCALARS[annotation]
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.fake(args[0])
        if origin is typing.Literal:
            return args[0] if args else None
        if origin is typing.Union or origin is types.UnionType:
            members = [a for a in args if a is not type(None)]
            if not members:
                return None
            try:
                return self.fake(members[0])
            except _Cycle:
                if type(None) in args:
                    return None
                raise
        if origin is not None:
            return self.generic(annotation, origin, args)
        if isinstance(annotation, type):
            return self.klass(annotation)
        raise MockUnavailable(f"no automatic fake for {_type_name(annotation)}")

    def element(self, annotation: Any) -> list[Any]:
        try:
            return [self.fake(annotation)]
        except _Cycle:
            return []

    def generic(self, annotation: Any, origin: Any, args: tuple[Any, ...]) -> Any:
        if origin in _LISTS:
            return self.element(args[0]) if args else []
        if origin in _SETS:
            return self.hashable_set(args)
        if origin is frozenset:
            return frozenset(self.hashable_set(args))
        if origin is tuple:
            if not args or args == ((),):
                return ()
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(self.element(args[0]))
            return tuple(self.fake(a) for a in args)
        if origin in _DICTS:
            return {}
        if isinstance(origin, type) and issubclass(origin, dict):
            return origin()  # an OrderedDict, a defaultdict...
        if origin is type:
            return args[0] if args and isinstance(args[0], type) else object
        if (isinstance(origin, type) and dataclasses.is_dataclass(origin)) or _is_model(origin):
            return self.klass(origin)
        raise MockUnavailable(f"no automatic fake for {_type_name(annotation)}")

    def hashable_set(self, args: tuple[Any, ...]) -> set[Any]:
        if not args:
            return set()
        items = self.element(args[0])
        try:
            return set(items)
        except TypeError:  # an unhashable fake (a model): the set stays empty
            return set()

    def klass(self, cls: type) -> Any:
        if issubclass(cls, enum.Enum):
            members = list(cls)
            if not members:
                raise MockUnavailable(f"no automatic fake for {cls.__qualname__}: the enum has no members")
            return members[0]
        for base, value in _SCALARS.items():
            if isinstance(base, type) and base is not object and base is not type(None) and issubclass(cls, base):
                try:
                    return typing.cast(Any, cls)(value)  # a str/int subclass
                except Exception:
                    break
        if cls in (list, tuple, set, frozenset, dict):
            return cls()
        if cls in self.building:
            raise _Cycle(cls.__qualname__)
        self.building.append(cls)
        try:
            if _is_model(cls):
                return self.model(cls)
            if dataclasses.is_dataclass(cls):
                return self.dataclass(cls)
            if typing.is_typeddict(cls):
                return self.typed_dict(cls)
            if issubclass(cls, tuple) and hasattr(cls, "_fields"):
                return self.named_tuple(cls)
        finally:
            self.building.pop()
        raise MockUnavailable(f"no automatic fake for {cls.__qualname__}")

    def hints(self, cls: type) -> dict[str, Any]:
        try:
            return typing.get_type_hints(cls, localns=self.localns, include_extras=False)
        except Exception as exc:
            raise MockUnavailable(
                f"no automatic fake for {cls.__qualname__}: its annotations cannot be resolved "
                f"({type(exc).__name__}: {exc})"
            ) from None

    def field(self, cls: type, name: str, annotation: Any) -> Any:
        try:
            return self.fake(annotation)
        except MockUnavailable as exc:
            raise MockUnavailable(f"no automatic fake for {cls.__qualname__}.{name}: {exc.message}") from None

    def model(self, cls: Any) -> Any:
        from pydantic import ValidationError

        by_alias: dict[str, Any] = {}
        by_name: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            if not info.is_required():
                continue
            value = self.field(cls, name, info.annotation)
            alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
            by_alias[alias if isinstance(alias, str) else name] = value
            by_name[name] = value
        try:
            return cls.model_validate(by_alias)
        except ValidationError as first:
            if by_name != by_alias:
                try:
                    return cls.model_validate(by_name)
                except ValidationError:
                    pass
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(model)'}: {err['msg']}" for err in first.errors()[:3]
            )
            raise MockUnavailable(
                f"no automatic fake for {cls.__qualname__}: the fake does not validate ({problems})"
            ) from None

    def dataclass(self, cls: Any) -> Any:
        hints = self.hints(cls)
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            if not item.init:
                continue
            if item.default is not dataclasses.MISSING or item.default_factory is not dataclasses.MISSING:
                continue
            values[item.name] = self.field(cls, item.name, hints.get(item.name, item.type))
        try:
            return cls(**values)
        except Exception as exc:
            raise MockUnavailable(
                f"no automatic fake for {cls.__qualname__}: it rejects the fake ({type(exc).__name__}: {exc})"
            ) from None

    def typed_dict(self, cls: Any) -> dict[str, Any]:
        hints = self.hints(cls)
        required = getattr(cls, "__required_keys__", frozenset(hints))
        return {name: self.field(cls, name, hint) for name, hint in hints.items() if name in required}

    def named_tuple(self, cls: Any) -> Any:
        hints = self.hints(cls)
        defaults = getattr(cls, "_field_defaults", {})
        values = {name: self.field(cls, name, hints.get(name, Any)) for name in cls._fields if name not in defaults}
        return cls(**values)


def _is_model(cls: Any) -> bool:
    pydantic = sys.modules.get("pydantic")
    if pydantic is None or not isinstance(cls, type):
        return False
    return issubclass(cls, pydantic.BaseModel)


def generate_fake(
    annotation: Any,
    *,
    module: ModuleType | str | None = None,
    globalns: Mapping[str, Any] | None = None,
    localns: Mapping[str, Any] | None = None,
) -> Any:
    """Return a deterministic fake value of type ``annotation``.

    * ``str`` / ``int`` / ``float``: ``"auto-mock"`` / ``0`` / ``0.0``
    * ``Decimal`` / ``bool`` / ``bytes``: ``Decimal("0")`` / ``True`` / ``b""``
    * ``None``, ``Any``, no annotation: ``None``
    * ``UUID``: the all-zero UUID
    * ``datetime`` / ``date``: 2026-01-01T00:00:00+00:00 / 2026-01-01
    * ``list[X]``, ``set[X]``, ``tuple[X, ...]``: one fake element (a bare ``list`` is empty)
    * ``tuple[X, Y]``: one fake per position
    * ``dict[...]``: ``{}``
    * ``X | None``, ``Union[X, Y]``: the fake of the first non-None member
    * ``Literal["a", "b"]`` / an ``Enum``: ``"a"`` / the first member
    * a pydantic model, dataclass, TypedDict: an instance with only the required fields filled

    String annotations (``from __future__ import annotations``) and forward
    references are resolved in ``module`` (a module or its name), updated with
    ``globalns``, and in ``localns``.

    Args:
        annotation: A type, a typing construct, or the text of one.
        module: The module the annotation was written in.
        globalns: Extra global names to resolve string annotations with.
        localns: Local names to resolve string annotations with.

    Returns:
        The fake value.

    Raises:
        MockUnavailable: No fake exists for the type (a plain class, say) or a
            string annotation cannot be resolved; the message names the type.
    """
    faker = _Faker(_namespace(module, globalns), localns)
    try:
        return faker.fake(annotation)
    except _Cycle as cycle:
        raise MockUnavailable(
            f"no automatic fake for {cycle}: it contains itself with no empty value to stop at"
        ) from None


# -- activity mocks ------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    import pydantic_core

    try:
        return pydantic_core.to_jsonable_python(value, serialize_unknown=True)
    except Exception:  # pragma: no cover - serialize_unknown keeps almost anything
        return repr(value)


def _describe_error(exc: BaseException) -> str:
    kind = exc.type if isinstance(exc, WorkflowError) and exc.type else type(exc).__name__
    return f"{kind}: {exc}"


def _return_annotation(fn: Callable[..., Any]) -> tuple[Any, dict[str, Any]]:
    """Return ``fn``'s return annotation (resolved when possible) and the globals to resolve it in."""
    target = inspect.unwrap(fn)
    namespace = dict(getattr(target, "__globals__", {}))
    result = function_hints(fn).result
    raw = getattr(target, "__annotations__", {}).get("return", inspect.Parameter.empty)
    if result is Any and isinstance(raw, str) and raw.strip() not in ("Any", "typing.Any"):
        return raw, namespace  # the hints did not resolve: generate_fake says why
    if result is Any and raw is inspect.Parameter.empty:
        return None, namespace
    return result, namespace


_UNSET: Final = object()


class _Mock:
    """What one mocked activity does, shared by its sync and async wrappers."""

    def __init__(
        self, fn: Callable[..., Any], name: str, mocks: Mapping[str, Any], record: Callable[[ActivityCall], None]
    ) -> None:
        self.fn = fn
        self.name = name
        self.mocks = mocks
        self.record = record
        self._fake_built = False
        self._fake: Any = None

    def fake(self) -> Any:
        if not self._fake_built:
            annotation, namespace = _return_annotation(self.fn)
            try:
                self._fake = generate_fake(annotation, globalns=namespace)
            except MockUnavailable as exc:
                raise MockUnavailable(
                    f"activity {self.name!r}: cannot fake its result: {exc.message}; "
                    f"mock it in the scenario: Scenario(..., mocks={{{self.name!r}: <value or callable>}})"
                ) from None
            self._fake_built = True
        return self._fake

    def call(self, mock: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Return the answer (maybe awaitable) for one attempt answered by ``mock``."""
        if mock is REAL:
            return self.fn(*args, **kwargs)
        if mock is _UNSET:
            return self.fake()
        if callable(mock):
            return mock(*args, **kwargs)
        return mock

    def note(
        self, mock: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any, error: BaseException | None
    ) -> None:
        from ntro.workflow import activity

        try:
            info = activity.info()
            workflow_id, attempt = info.workflow_id, info.attempt
        except NtroError:  # called outside an activity (a unit test calling the wrapper directly)
            workflow_id, attempt = "", 1
        call_args = (*args, *kwargs.values()) if kwargs else args
        self.record(
            ActivityCall(
                workflow_id=workflow_id,
                activity=self.name,
                attempt=attempt,
                args=tuple(_jsonable(a) for a in call_args),
                result=None if error is not None else _jsonable(result),
                error=None if error is None else _describe_error(error),
                mocked=mock is not REAL,
            )
        )


def _wrap(
    fn: Callable[..., Any],
    mocks: Mapping[str, Any],
    record: Callable[[ActivityCall], None],
) -> Callable[..., Any]:
    defn = activity_definition(fn)
    if defn is None:
        name = getattr(fn, "__qualname__", repr(fn))
        raise TypeError(f"{name} is not an activity: mock_activities takes @activity.defn functions")
    behaviour = _Mock(fn, defn.name, mocks, record)
    name = defn.name
    wrapper: Callable[..., Any]
    if defn.is_async:

        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            mock = mocks.get(name, _UNSET)
            try:
                result = behaviour.call(mock, args, kwargs)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                behaviour.note(mock, args, kwargs, None, exc)
                raise
            behaviour.note(mock, args, kwargs, result, None)
            return result

        wrapper = async_wrapper
    else:

        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            mock = mocks.get(name, _UNSET)
            try:
                result = behaviour.call(mock, args, kwargs)
                if inspect.isawaitable(result):
                    result = _finish(result)
            except Exception as exc:
                behaviour.note(mock, args, kwargs, None, exc)
                raise
            behaviour.note(mock, args, kwargs, result, None)
            return result

        wrapper = sync_wrapper
    # Same name, signature and annotations (engines read arguments with them); not the same attributes.
    functools.update_wrapper(wrapper, fn, updated=())
    for attr in (ACTIVITY_ATTR, "__temporal_activity_definition", "__ntro_activity_defn"):
        wrapper.__dict__.pop(attr, None)
    # An ntro activity under the real one's name, hosted by the engines (a Temporal worker binds
    # it when it hosts it); never registered globally.
    setattr(wrapper, ACTIVITY_ATTR, ActivityDefinition(name=defn.name, fn=wrapper, is_async=defn.is_async))
    return wrapper


def _finish(awaitable: typing.Awaitable[Any]) -> Any:
    """Run an async mock's awaitable to completion from a synchronous activity (run in a worker thread)."""
    import asyncio

    async def wait() -> Any:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wait())
    raise MockUnavailable(
        "an async mock cannot answer a synchronous activity run on the event loop's thread; "
        "make the mock a plain function"
    )


def mock_activities(
    activities: Sequence[Callable[..., Any]],
    mocks: Mapping[str, Any] | None = None,
    *,
    record: Callable[[ActivityCall], None],
) -> list[Callable[..., Any]]:
    """Return a mock for each activity, to host under the real activity's name.

    Each wrapper has the activity's name, signature and annotations, and per
    attempt it looks ``mocks`` up afresh (so one set of wrappers can serve
    several scenarios: update the mapping between runs):

    * with ``mocks[name]`` a value, returns it; a callable, calls it with the
      activity's arguments (awaiting it when it is async) and returns what it
      gives; :data:`~ntro.testing.REAL`, runs the real activity;
    * without an entry, returns a fake of the return annotation (built once,
      at the first call); when there is none it raises
      :class:`MockUnavailable`, which fails the activity without retries;
    * reports the attempt to ``record`` as an :class:`~ntro.testing.ActivityCall`
      (JSON-ready arguments and result, or the error), ``mocked=False`` for
      :data:`~ntro.testing.REAL`.

    The wrappers are marked as ntro activities but not registered anywhere:
    hand them to the engine (``ClientOptions(activities=...)``); a Temporal
    worker binds them to temporalio when it hosts them.

    Args:
        activities: ``@activity.defn`` functions.
        mocks: Per activity name, a value, a callable or
            :data:`~ntro.testing.REAL` (a scenario's ``mocks``); read at each
            call, never copied.
        record: Called with each attempt's :class:`~ntro.testing.ActivityCall`.

    Returns:
        The wrappers, in the order of ``activities`` (one per activity name;
        a later duplicate name is dropped).

    Raises:
        TypeError: An item of ``activities`` is not an ``@activity.defn`` function.
    """
    live: Mapping[str, Any] = mocks if mocks is not None else {}
    wrappers: list[Callable[..., Any]] = []
    seen: set[str] = set()
    for fn in activities:
        defn = activity_definition(fn)
        name = defn.name if defn is not None else ""
        if defn is not None and name in seen:
            continue
        seen.add(name)
        wrappers.append(_wrap(fn, live, record))
    return wrappers

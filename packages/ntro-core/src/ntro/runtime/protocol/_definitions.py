"""Runtime-neutral records that the decorators leave on classes and functions.

Decorators record, runtimes bind: ``@runbook.defn`` and friends only store the
records below; a runtime reads them when it is asked to run or host the code.
Runtimes that must act at decoration time (the Temporal backend, whose sandbox
re-imports workflow modules) subscribe with :func:`add_binder`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs

from ntro.runtime.protocol._naming import slug_for_class_name
from ntro.runtime.protocol._registry import register_workflow

WORKFLOW_ATTR = "__ntro_workflow__"
ACTIVITY_ATTR = "__ntro_activity__"
RUN_ATTR = "__ntro_run__"
SIGNAL_ATTR = "__ntro_signal__"
QUERY_ATTR = "__ntro_query__"
UPDATE_ATTR = "__ntro_update__"
VALIDATOR_ATTR = "__ntro_update_validator__"  # the update name a validator checks
STEP_ATTR = "__ntro_ui_step__"  # the record @runbook.step leaves on a method (ntro 0.1.2's name)
STEP_STATE_ATTR = "__ntro_step_state__"  # set on a base class that keeps the state of steps (NtroWorkflow)
LEGACY_ACTIVITY_FLAG = "__ntro_activity_defn"  # the flag ntro 0.1.2 set; run_step and old code read it


@attrs.frozen
class HandlerDefinition:
    """A signal, query or update handler: its public name and the method that serves it.

    Attributes:
        name: The handler's public name.
        method_name: The workflow method that serves it.
        description: What it is for, for people (shown by tools).
        validator: For an update, the name of the method that checks a
            request before the handler runs (see ``@runbook.update``), if any.
    """

    name: str
    method_name: str
    description: str | None = None
    validator: str | None = None


@attrs.frozen
class ActivityDefinition:
    """An activity: its registered name and the function that does the work."""

    name: str
    fn: Callable[..., Any]
    is_async: bool


@attrs.frozen
class WorkflowDefinition:
    """A workflow class as the runtimes see it.

    Attributes:
        cls: The decorated class.
        name: The workflow type name (Temporal's ``name=``; the class name by default).
        slug: The registry slug (``NavMonthlyWorkflow`` -> ``nav-monthly`` by default).
        run_method: The name of the ``@runbook.run`` method.
        signals: Signal handlers by signal name.
        queries: Query handlers by query name.
        updates: Update handlers by update name (``validator`` names their validators).
    """

    cls: type
    name: str
    slug: str
    run_method: str
    signals: Mapping[str, HandlerDefinition]
    queries: Mapping[str, HandlerDefinition]
    updates: Mapping[str, HandlerDefinition] = attrs.field(factory=dict)


class Binder(Protocol):
    """Something told about every workflow class and activity as it is defined."""

    def bind_workflow(self, defn: WorkflowDefinition) -> None:
        """Prepare ``defn.cls`` for this runtime."""

    def bind_activity(self, defn: ActivityDefinition) -> None:
        """Prepare ``defn.fn`` for this runtime."""


_binders: list[Binder] = []
_defined_workflows: list[WorkflowDefinition] = []
_defined_activities: list[ActivityDefinition] = []
_activities_by_name: dict[str, ActivityDefinition] = {}
_throwaway_checks: list[Callable[[], bool]] = []


def add_throwaway_import_check(check: Callable[[], bool]) -> None:
    """Add a check that says "this import is a throwaway copy".

    The Temporal sandbox re-imports workflow modules for every run. Classes and
    functions defined during such an import are still recorded and passed to
    the binders (the sandbox needs them bound), but they are neither
    registered under their slug nor remembered for later binders: the
    registry keeps the worker's own class, and memory does not grow per run.
    """
    if check not in _throwaway_checks:
        _throwaway_checks.append(check)


def _throwaway() -> bool:
    return any(check() for check in _throwaway_checks)


def add_binder(binder: Binder) -> None:
    """Subscribe ``binder`` to every definition, past and future."""
    if binder in _binders:
        return
    _binders.append(binder)
    for wf in list(_defined_workflows):
        binder.bind_workflow(wf)
    for act in list(_defined_activities):
        binder.bind_activity(act)


def remove_binder(binder: Binder) -> None:
    """Unsubscribe ``binder``; classes it already bound stay bound."""
    if binder in _binders:
        _binders.remove(binder)


def define_activity(fn: Callable[..., Any], name: str | None) -> ActivityDefinition:
    """Record ``fn`` as an activity named ``name`` (default: the function's name)."""
    if not callable(fn):
        raise TypeError(f"@activity.defn decorates a function, not {type(fn).__name__}")
    defn = ActivityDefinition(name=name or fn.__name__, fn=fn, is_async=inspect.iscoroutinefunction(fn))
    setattr(fn, ACTIVITY_ATTR, defn)
    setattr(fn, LEGACY_ACTIVITY_FLAG, True)
    if not _throwaway():
        _defined_activities.append(defn)
        _activities_by_name[defn.name] = defn
    for binder in list(_binders):
        binder.bind_activity(defn)
    return defn


def defined_workflows() -> list[WorkflowDefinition]:
    """Return the workflows defined so far (throwaway sandbox copies excluded), oldest first."""
    return list(_defined_workflows)


def defined_activities() -> list[ActivityDefinition]:
    """Return the activities defined so far (throwaway sandbox copies excluded), oldest first."""
    return list(_defined_activities)


def find_activity(name: str) -> ActivityDefinition | None:
    """Return the activity defined under ``name`` (the latest definition wins), or ``None``."""
    return _activities_by_name.get(name)


def define_workflow(cls: type, *, name: str | None, slug: str | None) -> WorkflowDefinition:
    """Record ``cls`` as a workflow, register its slug and tell the binders."""
    if not isinstance(cls, type):
        raise TypeError(f"@runbook.defn decorates a class, not {type(cls).__name__}")
    run_method: str | None = None
    steps: list[str] = []
    signals: dict[str, HandlerDefinition] = {}
    queries: dict[str, HandlerDefinition] = {}
    updates: dict[str, HandlerDefinition] = {}
    validators: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr_name, member in vars(klass).items():
            target = _unwrap(member)
            if target is None:
                continue
            if getattr(target, RUN_ATTR, False):
                run_method = attr_name
            if getattr(target, STEP_ATTR, None) is not None:
                steps.append(attr_name)
            sig = getattr(target, SIGNAL_ATTR, None)
            if isinstance(sig, HandlerDefinition):
                signals[sig.name] = attrs.evolve(sig, method_name=attr_name)
            qry = getattr(target, QUERY_ATTR, None)
            if isinstance(qry, HandlerDefinition):
                queries[qry.name] = attrs.evolve(qry, method_name=attr_name)
            upd = getattr(target, UPDATE_ATTR, None)
            if isinstance(upd, HandlerDefinition):
                updates[upd.name] = attrs.evolve(upd, method_name=attr_name)
            checks = getattr(target, VALIDATOR_ATTR, None)
            if isinstance(checks, str):
                validators[checks] = attr_name
    if run_method is None:
        raise TypeError(
            f"{cls.__qualname__} has no @runbook.run method: decorate its entry "
            "coroutine (async def run(self, ...)) with @runbook.run"
        )
    if not inspect.iscoroutinefunction(getattr(cls, run_method)):
        raise TypeError(f"{cls.__qualname__}.{run_method} must be 'async def' to be a @runbook.run method")
    for update_name, validator_name in validators.items():
        if update_name not in updates:
            raise TypeError(
                f"{cls.__qualname__}.{validator_name} validates update {update_name!r}, which the class does not "
                "have: decorate the handler with @runbook.update and its validator with @<handler>.validator"
            )
        updates[update_name] = attrs.evolve(updates[update_name], validator=validator_name)
    if steps and not getattr(cls, STEP_STATE_ATTR, False):
        raise TypeError(
            f"{cls.__qualname__} has @runbook.step methods ({', '.join(steps)}) but does not derive from "
            "NtroWorkflow, which keeps the steps' state: declare it as "
            f"'class {cls.__name__}(NtroWorkflow)' and call super().__init__() in its __init__"
        )
    defn = WorkflowDefinition(
        cls=cls,
        name=name or cls.__name__,
        slug=slug or slug_for_class_name(cls.__name__),
        run_method=run_method,
        signals=signals,
        queries=queries,
        updates=updates,
    )
    type.__setattr__(cls, WORKFLOW_ATTR, defn)
    if not _throwaway():
        register_workflow(defn.slug, cls)
        _defined_workflows.append(defn)
    for binder in list(_binders):
        binder.bind_workflow(defn)
    return defn


def _unwrap(member: Any) -> Any:
    if isinstance(member, (staticmethod, classmethod)):
        return member.__func__
    if callable(member):
        return member
    return None


def workflow_definition(cls: type) -> WorkflowDefinition:
    """Return the record of a ``@runbook.defn`` class.

    Raises:
        TypeError: ``cls`` was not decorated with ``@runbook.defn``.
    """
    defn = cls.__dict__.get(WORKFLOW_ATTR) if isinstance(cls, type) else None
    if not isinstance(defn, WorkflowDefinition):
        name = getattr(cls, "__qualname__", repr(cls))
        raise TypeError(f"{name} is not a workflow: decorate the class with @runbook.defn")
    return defn


def maybe_workflow_definition(cls: object) -> WorkflowDefinition | None:
    """Return the record of a ``@runbook.defn`` class, or ``None``."""
    defn = cls.__dict__.get(WORKFLOW_ATTR) if isinstance(cls, type) else None
    return defn if isinstance(defn, WorkflowDefinition) else None


def activity_definition(fn: object) -> ActivityDefinition | None:
    """Return the record of an ``@activity.defn`` function, or ``None``."""
    defn = getattr(fn, ACTIVITY_ATTR, None)
    return defn if isinstance(defn, ActivityDefinition) else None


_KIND_ATTRS = {"signal": SIGNAL_ATTR, "query": QUERY_ATTR, "update": UPDATE_ATTR}


def handler_definition(fn: object, kind: str) -> HandlerDefinition | None:
    """Return the record ``@runbook.signal``, ``@runbook.query`` or ``@runbook.update`` left on ``fn``, or ``None``.

    Args:
        fn: A workflow method.
        kind: ``"signal"``, ``"query"`` or ``"update"``.
    """
    record = getattr(fn, _KIND_ATTRS[kind], None)
    return record if isinstance(record, HandlerDefinition) else None


def mark_handler(fn: Any, attr: str, value: object) -> Any:
    """Attach a handler record to ``fn`` and return it unchanged."""
    setattr(fn, attr, value)
    return fn

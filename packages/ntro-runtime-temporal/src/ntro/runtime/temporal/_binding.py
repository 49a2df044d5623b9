"""Binding ntro's recorded definitions to temporalio's decorators.

``@runbook.defn`` and ``@activity.defn`` only record metadata. Once this module
is armed (importing :mod:`ntro.runtime.temporal` arms it), every workflow class
and activity function, past and future, is also decorated with
``temporalio.workflow.defn`` / ``run`` / ``signal`` / ``query`` and
``temporalio.activity.defn``, post hoc, at decoration time. That is what the
Temporal sandbox needs: it re-imports workflow modules for every run, and the
re-imported class must already be a Temporal workflow.

A definition temporalio rejects (say, a run method inherited from a base
class) does not break the import: the error is kept on the class or function
and raised by :func:`require_bound` when a worker is asked to host it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ntro.runtime.protocol import ActivityDefinition, WorkflowDefinition, add_binder
from ntro.workflow.exceptions import NtroError, WorkflowError

__all__ = ["TemporalBindingError", "TemporalBinder", "arm", "require_bound", "require_bound_activity"]

_log = logging.getLogger("ntro.runtime.temporal")

_WF_ERROR_ATTR = "__ntro_temporal_bind_error__"
_ACT_ERROR_ATTR = "__ntro_temporal_bind_error__"
_TEMPORAL_WF_DEFN = "__temporal_workflow_definition"
_TEMPORAL_ACT_DEFN = "__temporal_activity_definition"


class TemporalBindingError(NtroError, TypeError):
    """temporalio refused a workflow class or an activity function."""


class TemporalBinder:
    """Applies temporalio's decorators to every ntro workflow and activity."""

    def bind_workflow(self, defn: WorkflowDefinition) -> None:
        """Decorate ``defn.cls`` and its handlers for temporalio (errors are kept, not raised)."""
        cls = defn.cls
        if _temporal_definition_of(cls) is not None:
            return
        try:
            _bind_workflow(defn)
        except Exception as exc:
            type.__setattr__(cls, _WF_ERROR_ATTR, exc)
            _log.debug("ntro.runtime.temporal: cannot bind %s: %s", cls.__qualname__, exc)
        else:
            if _WF_ERROR_ATTR in cls.__dict__:
                type.__delattr__(cls, _WF_ERROR_ATTR)

    def bind_activity(self, defn: ActivityDefinition) -> None:
        """Decorate ``defn.fn`` for temporalio (errors are kept, not raised)."""
        fn = defn.fn
        existing = getattr(fn, _TEMPORAL_ACT_DEFN, None)
        if existing is not None:
            if existing.name != defn.name:
                setattr(
                    fn,
                    _ACT_ERROR_ATTR,
                    TemporalBindingError(
                        f"activity {defn.name!r} is already a temporalio activity named {existing.name!r}"
                    ),
                )
            return
        try:
            import temporalio.activity

            temporalio.activity.defn(name=defn.name)(fn)
        except Exception as exc:
            setattr(fn, _ACT_ERROR_ATTR, exc)
            _log.debug("ntro.runtime.temporal: cannot bind activity %s: %s", defn.name, exc)


def _temporal_definition_of(cls: type) -> Any:
    found = cls.__dict__.get(_TEMPORAL_WF_DEFN)
    return found if found is not None and getattr(found, "cls", None) is cls else None


def _bind_workflow(defn: WorkflowDefinition) -> None:
    import temporalio.workflow as tw

    cls = defn.cls
    run_fn = _plain_function(cls, defn.run_method)
    if not hasattr(run_fn, "__temporal_workflow_run"):
        tw.run(run_fn)
    for handler in defn.signals.values():
        fn = _plain_function(cls, handler.method_name)
        _mark(fn, "__temporal_signal_definition", handler.name, "signal")
        if not hasattr(fn, "__temporal_signal_definition"):
            tw.signal(name=handler.name, description=handler.description)(fn)
    for handler in defn.queries.values():
        fn = _plain_function(cls, handler.method_name)
        _mark(fn, "__temporal_query_definition", handler.name, "query")
        if not hasattr(fn, "__temporal_query_definition"):
            _as_query(tw, handler.name, handler.description)(fn)
    for handler in defn.updates.values():
        fn = _plain_function(cls, handler.method_name)
        _mark(fn, "_defn", handler.name, "update")
        if not hasattr(fn, "_defn"):
            tw.update(name=handler.name, description=handler.description)(fn)
            if handler.validator is not None:
                fn.validator(_plain_function(cls, handler.validator))
    # WorkflowError fails the workflow (not just the workflow task) even on a
    # worker built without the ntro plugin.
    tw.defn(name=defn.name, failure_exception_types=[WorkflowError])(cls)


def _as_query(tw: Any, name: str, description: str | None) -> Callable[[Any], Any]:
    decorator: Callable[[Any], Any] = tw.query(name=name, description=description)
    return decorator


def _plain_function(cls: type, method_name: str) -> Any:
    member = getattr(cls, method_name)
    if not callable(member):
        raise TemporalBindingError(f"{cls.__qualname__}.{method_name} is not a method")
    return member


def _mark(fn: Any, attr: str, name: str, kind: str) -> None:
    existing = getattr(fn, attr, None)
    if existing is not None and existing.name != name:
        raise TemporalBindingError(
            f"{fn.__qualname__} is already the temporalio {kind} {existing.name!r}, cannot also be {name!r}"
        )


def require_bound(cls: type) -> None:
    """Raise why ``cls`` cannot run on Temporal, if it cannot.

    Raises:
        TemporalBindingError: ``cls`` is not an ntro workflow, or temporalio
            rejected it (the message says why).
    """
    from ntro.runtime.protocol import maybe_workflow_definition

    arm()
    defn = maybe_workflow_definition(cls)
    if defn is None:
        name = getattr(cls, "__qualname__", repr(cls))
        raise TemporalBindingError(f"{name} is not an ntro workflow: decorate it with @runbook.defn")
    if _temporal_definition_of(cls) is None:
        TemporalBinder().bind_workflow(defn)
    error = cls.__dict__.get(_WF_ERROR_ATTR)
    if error is not None or _temporal_definition_of(cls) is None:
        raise TemporalBindingError(f"{cls.__qualname__} cannot run on Temporal: {error}") from error


def require_bound_activity(fn: Callable[..., Any]) -> str:
    """Raise why ``fn`` cannot be a Temporal activity, if it cannot; return its name.

    Raises:
        TemporalBindingError: ``fn`` is not an ntro activity, or temporalio rejected it.
    """
    from ntro.runtime.protocol import activity_definition

    arm()
    defn = activity_definition(fn)
    existing = getattr(fn, _TEMPORAL_ACT_DEFN, None)
    if defn is None:
        if existing is not None:
            return str(existing.name)
        name = getattr(fn, "__qualname__", repr(fn))
        raise TemporalBindingError(f"{name} is not an activity: decorate it with @activity.defn")
    if existing is None and getattr(fn, _ACT_ERROR_ATTR, None) is None:
        # Marked as an ntro activity without @activity.defn (a harness mock, a spy): bind it now.
        _BINDER.bind_activity(defn)
        existing = getattr(fn, _TEMPORAL_ACT_DEFN, None)
    error = getattr(fn, _ACT_ERROR_ATTR, None)
    if error is not None or existing is None:
        raise TemporalBindingError(f"activity {defn.name!r} cannot run on Temporal: {error}") from error
    return defn.name


_BINDER = TemporalBinder()


def arm() -> None:
    """Subscribe the binder to every ntro definition, past and future (idempotent)."""
    add_binder(_BINDER)

"""The step decorator and the UI component names runbooks use.

``@runbook.step(name=..., title=..., icon=...)`` marks a method of an
``NtroWorkflow`` as a step of the breadcrumb the UI shows; ``ui_step`` is the
deprecated ntro 0.1.2 spelling of the same thing.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import warnings
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ntro.runtime.protocol import driving_runtime
from ntro.runtime.protocol._definitions import STEP_ATTR

if TYPE_CHECKING:
    from ntro.runtime.protocol import PendingAction

__all__ = ["STEP_ATTR", "UIComponent", "step", "ui_step"]

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class UIComponent(enum.StrEnum):
    """The UI components a step or gate can ask for in its ``display_hint``."""

    LOADING = "LOADING"
    FILE_UPLOAD = "FILE_UPLOAD"
    MULTI_FILE_UPLOAD = "MULTI_FILE_UPLOAD"
    DATA_TABLE = "DATA_TABLE"
    SUMMARY = "SUMMARY"
    APPROVAL_FORM = "APPROVAL_FORM"
    REPORT_PREVIEW = "REPORT_PREVIEW"

    @property
    def is_interactive(self) -> bool:
        """Whether the component waits for a person's input."""
        return self in (
            UIComponent.FILE_UPLOAD,
            UIComponent.MULTI_FILE_UPLOAD,
            UIComponent.DATA_TABLE,
            UIComponent.APPROVAL_FORM,
        )


def _notify(step_id: str, title: str, status: str) -> None:
    runtime = driving_runtime()
    if runtime is not None:
        runtime.step_changed(step_id, title, status)


def _notify_gate(action: PendingAction, status: str) -> None:
    """Tell the driving runtime that a gate is ``"opened"`` or ``"closed"`` (for observers only).

    A runtime written before :meth:`~ntro.runtime.protocol.Runtime.gate_changed`
    existed is simply not told.
    """
    runtime = driving_runtime()
    changed = getattr(runtime, "gate_changed", None)
    if changed is not None:
        changed(action, status)


def step(*, name: str, title: str, icon: str | None = None, config: dict[str, Any] | None = None) -> Callable[[F], F]:
    """Mark an ``async`` method of an :class:`~ntro.workflow.NtroWorkflow` as a step.

    On entry the step becomes the current one; on return it is marked
    completed (once) and, unless a gate already recorded one, a ``SUMMARY``
    snapshot of its result is kept for the ``step_snapshots`` query. If the
    method raises, the step stays active.

    Args:
        name: The step id (stable: the UI and scenarios refer to it).
        title: What people see.
        icon: A Lucide icon name.
        config: Free-form configuration passed to the UI.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not hasattr(self, "_steps_completed"):
                raise TypeError(
                    f"{type(self).__qualname__}.__init__ does not call super().__init__(): NtroWorkflow sets up "
                    f"the state of steps and gates there, which step {name!r} needs"
                )
            self._current_step_id = name
            _notify(name, title, "started")
            try:
                result = await fn(self, *args, **kwargs)
            except (Exception, asyncio.CancelledError):
                _notify(name, title, "failed")
                raise
            if name not in self._steps_completed:
                self._steps_completed.append(name)
            self._capture_step_snapshot(
                step_id=name, display_hint={"component": "SUMMARY", "config": {"title": title}}, payload=result
            )
            _notify(name, title, "completed")
            return result

        setattr(wrapper, STEP_ATTR, {"name": name, "title": title, "icon": icon, "config": config})
        return wrapper  # type: ignore[return-value]

    return decorate


def ui_step(
    *, name: str, title: str, icon: str | None = None, config: dict[str, Any] | None = None
) -> Callable[[F], F]:
    """Deprecated alias of ``@runbook.step``, kept for runbooks written for ntro 0.1.2."""
    warnings.warn(
        "ui_step is deprecated; use @runbook.step(name=..., title=...) from ntro.workflow",
        DeprecationWarning,
        stacklevel=2,
    )
    return step(name=name, title=title, icon=icon, config=config)

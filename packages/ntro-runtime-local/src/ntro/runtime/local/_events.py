"""Events a LocalRuntime reports to its observers (progress output, harnesses)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs


@attrs.frozen
class LocalEvent:
    """One thing that happened in a local run.

    Attributes:
        kind: One of ``workflow.started``, ``workflow.completed``,
            ``workflow.failed``, ``workflow.canceled``, ``workflow.waiting``
            (it began waiting on a condition that is false: the moment to look
            at its pending action), ``activity.started``,
            ``activity.completed``, ``activity.failed``, ``activity.retrying``,
            ``child.started``, ``step.started``, ``step.completed``,
            ``step.failed``, ``gate.opened``, ``gate.closed`` and ``signal.received``.
        workflow_id: The workflow the event belongs to.
        detail: Kind-specific facts (``step_id`` and ``title`` for steps,
            ``gate``, ``action`` (the pending action's kind) and ``step_id`` for gates,
            ``activity`` and ``attempt`` for activities, ``error`` for failures).
    """

    kind: str
    workflow_id: str
    detail: Mapping[str, Any] = attrs.field(factory=dict)


Observer = Callable[[LocalEvent], None]
"""A callable told about every :class:`LocalEvent`; it must not block."""

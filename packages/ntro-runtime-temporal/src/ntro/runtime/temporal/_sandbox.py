"""What the Temporal workflow sandbox lets through, and why.

The sandbox re-imports a workflow's module (and whatever it imports) for every
workflow run, so module state cannot leak between runs. Modules listed here
are *passed through* instead: the sandboxed code sees the one copy already
imported by the worker. Every entry says why it must be shared.

The standard library, ``temporalio``, ``pydantic``, ``pydantic_core``,
``annotated_types`` and ``typing_extensions`` are already passed through by
temporalio's default restrictions.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PASSTHROUGH_MODULES", "with_ntro_passthrough"]

PASSTHROUGH_MODULES: tuple[str, ...] = (
    # ntro itself (facades, definitions, registry, runtime selection, this backend):
    # the binder list, the slug registry and the ambient-runtime detector are
    # module state that must be the same objects inside and outside the sandbox,
    # otherwise a re-imported runbook class would never be bound to temporalio and
    # slug-based child workflows could not be resolved. ntro's own modules hold no
    # per-run workflow state, so sharing them cannot break determinism.
    "ntro",
    # attrs: ntro's records (WorkflowDefinition, RetryPolicy, WorkflowInfo...) are
    # attrs classes created by the passed-through ntro modules; re-importing attrs
    # per run would only cost time and split class identities used in isinstance checks.
    "attr",
    "attrs",
    # PyYAML: ntro's bundle metadata reader imports it; its optional C extension
    # (yaml._yaml) must not be initialised twice, and it keeps no workflow state.
    "yaml",
)
"""Modules the workflow sandbox shares with the worker instead of re-importing (added to temporalio's defaults)."""


def with_ntro_passthrough(runner: Any) -> Any:
    """Return ``runner`` with :data:`PASSTHROUGH_MODULES` passed through its sandbox.

    Args:
        runner: A temporalio workflow runner. A
            :class:`~temporalio.worker.workflow_sandbox.SandboxedWorkflowRunner`
            gets a copy with the extra passthrough modules; any other runner
            (for example ``UnsandboxedWorkflowRunner``) is returned unchanged.

    Returns:
        The runner to use.
    """
    import dataclasses

    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

    if not isinstance(runner, SandboxedWorkflowRunner):
        return runner
    restrictions = runner.restrictions.with_passthrough_modules(*PASSTHROUGH_MODULES)
    return dataclasses.replace(runner, restrictions=restrictions)

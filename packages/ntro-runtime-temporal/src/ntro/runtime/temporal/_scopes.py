"""Which class a slug names on the revision a workflow task runs on.

A worker that follows a registry (``ntro worker --registry``) hosts several
revisions in one process, each with its own classes for the same slugs.
The process-wide slug registry names the newest; a parent running on an
older revision must start that revision's child. Each hosted revision's
classes are kept here under its build id (the build id of the worker that
runs the task: a Worker Deployment Version's, or a pinned queue's worker's),
and :func:`scoped_workflow` answers for the current workflow task.

This module is passed through the workflow sandbox with the rest of ``ntro``,
so the sandbox sees the worker's own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["forget_scope", "scope_revision", "scoped_workflow"]

_by_build_id: dict[str, Mapping[str, type]] = {}


def scope_revision(build_id: str, classes: Mapping[str, type]) -> None:
    """Say which class each slug names for workflow tasks run by workers with ``build_id``."""
    _by_build_id[build_id] = MappingProxyType(dict(classes))


def forget_scope(build_id: str) -> None:
    """Forget ``build_id``'s classes (its workers stopped)."""
    _by_build_id.pop(build_id, None)


def scoped_workflow(slug: str) -> type | None:
    """The class ``slug`` names on the current workflow task's revision, or ``None`` when none is scoped."""
    if not _by_build_id:
        return None
    import temporalio.workflow

    version = temporalio.workflow.info().get_current_deployment_version()
    scope = _by_build_id.get(version.build_id) if version is not None else None
    return scope.get(slug) if scope is not None else None

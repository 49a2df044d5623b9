"""The slug registry: which workflow class answers to which slug.

``@runbook.defn`` registers every workflow class under its slug, so child
workflows started by slug work without manual registration. Runbook code
reaches it as :mod:`ntro.workflow.registry`; backends resolve slugs with
:func:`~ntro.runtime.protocol.resolve_workflow`.
"""

from __future__ import annotations

import logging

__all__ = ["get_registered", "list_registered_slugs", "register_workflow", "unregister_workflow"]

_log = logging.getLogger("ntro.workflow")
_registry: dict[str, type] = {}


def register_workflow(slug: str, cls: type) -> None:
    """Register ``cls`` under ``slug``, replacing any earlier class for it.

    Re-registering a class with the same qualified name (a module imported
    again, as the Temporal sandbox and bundle loaders do) is silent; a
    different class taking over a slug logs a warning.
    """
    if not slug or not isinstance(slug, str):
        raise ValueError(f"a workflow slug must be a non-empty string, got {slug!r}")
    old = _registry.get(slug)
    if old is not None and old is not cls and old.__qualname__ != cls.__qualname__:
        _log.warning("ntro.workflow: slug %r now names %s (was %s)", slug, cls.__qualname__, old.__qualname__)
    _registry[slug] = cls


def unregister_workflow(slug: str) -> None:
    """Forget ``slug``; unknown slugs are ignored."""
    _registry.pop(slug, None)


def get_registered(slug: str) -> type | None:
    """Return the class registered under ``slug``, or ``None``."""
    return _registry.get(slug)


def list_registered_slugs() -> list[str]:
    """Return the registered slugs, sorted."""
    return sorted(_registry)

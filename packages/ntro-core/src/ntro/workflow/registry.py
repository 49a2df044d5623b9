"""The slug registry: which workflow class answers to which slug.

``@runbook.defn`` registers every workflow class under its slug, so child
workflows started by slug work without manual registration.
"""

from __future__ import annotations

from ntro.runtime.protocol._registry import (
    get_registered,
    list_registered_slugs,
    register_workflow,
    unregister_workflow,
)

__all__ = ["get_registered", "list_registered_slugs", "register_workflow", "unregister_workflow"]

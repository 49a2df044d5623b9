"""Slug and name helpers shared by the registry, the bundle loader and the CLI."""

from __future__ import annotations

import re

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def slug_for_class_name(class_name: str) -> str:
    """Return the default slug of a workflow class name.

    The ``Workflow`` suffix is dropped and the rest is kebab-cased:
    ``NavMonthlyWorkflow`` becomes ``nav-monthly``.
    """
    base = (
        class_name[: -len("Workflow")] if class_name.endswith("Workflow") and class_name != "Workflow" else class_name
    )
    return _CAMEL_BOUNDARY.sub("-", base).replace("_", "-").lower()


def class_name_for_slug(slug: str) -> str:
    """Return the conventional class name of a slug: ``nav-monthly`` -> ``NavMonthlyWorkflow``."""
    parts = re.split(r"[-_]+", slug)
    return "".join(p[:1].upper() + p[1:] for p in parts if p) + "Workflow"

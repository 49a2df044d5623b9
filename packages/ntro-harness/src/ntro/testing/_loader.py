"""ntro 0.1.2's bundle loaders, on :func:`ntro.workflow.bundle.load_bundle`.

``load_runbook(dir)`` returns the workflow class and its activities, ready for
:class:`~ntro.testing.WorkflowHarness`; ``load_runbook_with_children`` does
the same for a parent and the children it starts by slug. Unlike 0.1.2 the
slug comes from ``runbook.md`` (the directory may have any name), and every
problem is one :class:`~ntro.workflow.bundle.BundleError` line.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ntro.runtime.protocol import activity_definition
from ntro.workflow.bundle import Bundle, BundleError, load_bundle

__all__ = ["load_runbook", "load_runbook_with_children"]

Activities = list[Callable[..., Any]]


def _unique(functions: Iterable[Callable[..., Any]], into: Activities, names: set[str]) -> None:
    for fn in functions:
        defn = activity_definition(fn)
        if defn is None or defn.name in names:
            continue
        names.add(defn.name)
        into.append(fn)


def _activities(bundle: Bundle, activity_modules: Sequence[str] | None) -> Activities:
    found: Activities = []
    names: set[str] = set()
    if activity_modules is None:
        _unique(bundle.activities, found, names)
        return found
    for module_name in activity_modules:
        qualified = f"{bundle.package}.{module_name.removeprefix('.')}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise BundleError(f"{bundle.path}: templates/{module_name}.py failed to import: {exc}") from exc
            raise BundleError(
                f"{bundle.path}: no module templates/{module_name}.py (activity_modules={list(activity_modules)!r})"
            ) from None
        except Exception as exc:
            raise BundleError(
                f"{bundle.path}: templates/{module_name}.py failed to import: {type(exc).__name__}: {exc}"
            ) from exc
        _unique(vars(module).values(), found, names)
    return found


def load_runbook(
    runbook_dir: str | Path,
    *,
    workflow_class: str | None = None,
    activity_modules: Sequence[str] | None = None,
) -> tuple[type, Activities]:
    """Load a runbook bundle: its workflow class and its activities.

    Args:
        runbook_dir: The bundle directory (``runbook.md`` and ``templates/``).
        workflow_class: The workflow class's name in ``templates/workflow.py``
            (default: the slug in CamelCase plus ``Workflow``).
        activity_modules: Modules of ``templates/`` to take activities from
            (``["activities"]``...); default: ``activities`` and ``workflow``.

    Returns:
        The ``@runbook.defn`` class, and its ``@activity.defn`` functions in
        definition order, one per activity name.

    Raises:
        BundleError: The directory is not a loadable bundle, or a module of
            ``activity_modules`` is missing or fails to import.
    """
    bundle = load_bundle(runbook_dir, workflow_class=workflow_class)
    return bundle.workflow_cls, _activities(bundle, activity_modules)


def load_runbook_with_children(
    runbook_dir: str | Path,
    *,
    children_dirs: Sequence[str | Path],
    workflow_class: str | None = None,
) -> tuple[type, list[type], Activities]:
    """Load a parent bundle and the child bundles it starts by slug.

    Loading a child registers its slug, so the parent's ``start_child_workflow("slug")``
    finds it. Children use their default class names.

    Args:
        runbook_dir: The parent bundle directory.
        children_dirs: The child bundle directories.
        workflow_class: The parent's workflow class name, when not the default.

    Returns:
        The parent class, the child classes (in ``children_dirs`` order), and
        all their activities (the parent's first), one per activity name.

    Raises:
        BundleError: A directory is not a loadable bundle.
    """
    parent = load_bundle(runbook_dir, workflow_class=workflow_class)
    children = [load_bundle(path) for path in children_dirs]
    activities: Activities = []
    names: set[str] = set()
    for bundle in (parent, *children):
        _unique(bundle.activities, activities, names)
    return parent.workflow_cls, [child.workflow_cls for child in children], activities

"""Which parts of a module are workflow code, and which functions are activities.

Workflow code is a class decorated with ``@runbook.defn`` (or
``@temporalio.workflow.defn``) or deriving from ``NtroWorkflow`` (directly or
through another workflow class of the module), plus the module-level functions
that code reaches. Activities are functions decorated with ``@activity.defn``;
they are never workflow code, and :class:`ActivityIndex` finds them in the
other modules of a bundle too.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ntro.testing.lint._symbols import MODULE_LOCAL, Scope
from ntro.testing.lint._targets import ACTIVITY_DEFN, RUNBOOK_DEFN, WORKFLOW_BASES, interesting

__all__ = ["ActivityIndex", "ModuleOutline", "is_activity", "module_statements", "outline", "parse"]

AnyFunction = ast.FunctionDef | ast.AsyncFunctionDef


def parse(source: str | bytes, filename: str) -> ast.Module:
    """Parse ``source`` without printing syntax warnings (invalid escapes and the like)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=filename)


def _decorator_target(decorator: ast.expr, scope: Scope) -> str | None:
    return scope.qualify(decorator.func if isinstance(decorator, ast.Call) else decorator)


def is_activity(node: AnyFunction, scope: Scope) -> bool:
    """Return whether ``node`` is decorated as an activity (any spelling of ``@activity.defn``)."""
    return any(_decorator_target(d, scope) in ACTIVITY_DEFN for d in node.decorator_list)


def module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield the statements run at module level, entering ``if``/``try``/``with``/loops but not defs."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If | ast.For | ast.AsyncFor | ast.While):
            yield from module_statements(stmt.body)
            yield from module_statements(stmt.orelse)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            yield from module_statements(stmt.body)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            yield from module_statements(stmt.body)
            for handler in stmt.handlers:
                yield from module_statements(handler.body)
            yield from module_statements(stmt.orelse)
            yield from module_statements(stmt.finalbody)


@dataclass(slots=True)
class ModuleOutline:
    """The module-level structure the checks need.

    Attributes:
        scope: The module scope.
        functions: Module-level functions by name (the last definition wins).
        activities: Names of module-level activity functions.
        workflow_classes: Workflow classes, in source order.
        imports: Module-level import statements.
    """

    scope: Scope
    functions: dict[str, AnyFunction] = field(default_factory=dict)
    activities: set[str] = field(default_factory=set)
    workflow_classes: list[ast.ClassDef] = field(default_factory=list)
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)


def outline(tree: ast.Module) -> ModuleOutline:
    """Classify the module-level definitions of ``tree``."""
    scope = Scope.of_module(tree, interesting)
    result = ModuleOutline(scope)
    workflow_names: set[str] = set()
    for stmt in module_statements(tree.body):
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            result.imports.append(stmt)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            result.functions[stmt.name] = stmt
            if is_activity(stmt, scope):
                result.activities.add(stmt.name)
            else:
                result.activities.discard(stmt.name)
        elif isinstance(stmt, ast.ClassDef):
            decorated = any(_decorator_target(d, scope) in RUNBOOK_DEFN for d in stmt.decorator_list)
            bases = {scope.qualify(base) for base in stmt.bases}
            derived = bool(bases & WORKFLOW_BASES) or any(MODULE_LOCAL + name in bases for name in workflow_names)
            if decorated or derived:
                workflow_names.add(stmt.name)
                result.workflow_classes.append(stmt)
    return result


class ActivityIndex:
    """Finds the activity functions of the modules a workflow module imports.

    ``from .activities import parse_pdf`` (or ``from templates.activities
    import ...``, or ``import activities``) is followed to the file beside
    the importing module or in one of its two parent directories, which is
    parsed once and cached. Standard-library and third-party modules are never
    searched for.
    """

    _SKIP_ROOTS = frozenset({"ntro", "temporalio", "builtins", "pydantic", "attrs"})

    def __init__(self) -> None:
        """Create an empty index."""
        self._activities: dict[Path, frozenset[str]] = {}
        self._files: dict[tuple[Path, str], Path | None] = {}

    def is_activity(self, target: str, origin: Path | None) -> bool:
        """Return whether ``target`` (``.activities.parse_pdf``) names an activity, seen from file ``origin``."""
        if origin is None or "." not in target.lstrip(".") or "()" in target:
            return False
        module, name = target.rsplit(".", 1)
        path = self._module_file(module, origin)
        return path is not None and name in self._activities_in(path)

    def _module_file(self, module: str, origin: Path) -> Path | None:
        key = (origin.parent, module)
        if key not in self._files:
            self._files[key] = self._find(module, origin)
        return self._files[key]

    def _find(self, module: str, origin: Path) -> Path | None:
        rest = module.lstrip(".")
        level = len(module) - len(rest)
        if level:
            base = origin.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            root = rest.split(".", 1)[0]
            if not root or root in sys.stdlib_module_names or root in self._SKIP_ROOTS:
                return None
            bases = [origin.parent, *list(origin.parent.parents)[:2]]
        relative = Path(*rest.split(".")) if rest else Path()
        for base in bases:
            for candidate in (base / relative.with_suffix(".py") if rest else None, base / relative / "__init__.py"):
                if candidate is not None and candidate.is_file():
                    return candidate
        return None

    def _activities_in(self, path: Path) -> frozenset[str]:
        if path not in self._activities:
            try:
                found = frozenset(outline(parse(path.read_bytes(), str(path))).activities)
            except (OSError, SyntaxError, ValueError, RecursionError):
                found = frozenset()
            self._activities[path] = found
        return self._activities[path]

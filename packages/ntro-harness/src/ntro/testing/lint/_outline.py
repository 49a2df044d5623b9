"""Which parts of a module are workflow code, and which functions are activities.

Workflow code is a class decorated with ``@runbook.defn`` (or
``@temporalio.workflow.defn``) or deriving from ``NtroWorkflow`` (directly or
through another workflow class of the module), plus the module-level functions
and classes that code reaches, in its own module or in the bundle's other
modules. Activities are functions decorated with ``@activity.defn``; they are
never workflow code, and neither are the helpers only activities use.
:class:`BundleIndex` finds the bundle's other modules.
"""

from __future__ import annotations

import ast
import io
import os
import sys
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ntro.testing.lint._symbols import MODULE_LOCAL, Scope
from ntro.testing.lint._targets import ACTIVITY_DEFN, RUNBOOK_DEFN, WORKFLOW_BASES, interesting

__all__ = [
    "BundleIndex",
    "ModuleOutline",
    "SourceModule",
    "activity_only",
    "is_activity",
    "module_statements",
    "outline",
    "parse",
    "read_source",
]

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
        classes: Module-level classes by name (the last definition wins).
        activities: Names of module-level activity functions.
        workflow_classes: Workflow classes, in source order.
        imports: Module-level import statements.
    """

    scope: Scope
    functions: dict[str, AnyFunction] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
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
            result.classes[stmt.name] = stmt
            decorated = any(_decorator_target(d, scope) in RUNBOOK_DEFN for d in stmt.decorator_list)
            bases = {scope.qualify(base) for base in stmt.bases}
            derived = bool(bases & WORKFLOW_BASES) or any(MODULE_LOCAL + name in bases for name in workflow_names)
            if decorated or derived:
                workflow_names.add(stmt.name)
                result.workflow_classes.append(stmt)
    return result


def activity_only(tree: ast.Module, module: ModuleOutline) -> frozenset[str]:
    """Return the module-level functions and classes that only activities use.

    A definition is activity-only when it is referred to, and every reference
    comes from an activity or from another activity-only definition (a name
    used by module-level code, or shadowed somewhere, counts as used
    elsewhere). Such helpers run inside activities, so they are not workflow
    code even when every function of a module is checked.
    """
    if not module.activities:
        return frozenset()
    defined = set(module.functions) | set(module.classes)
    used_by: dict[str, set[str | None]] = {name: set() for name in defined}
    for stmt in module_statements(tree.body):
        owner = stmt.name if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else None
        for part in _own_parts(stmt):
            for node in ast.walk(part):
                if isinstance(node, ast.Name) and node.id in defined and node.id != owner:
                    used_by[node.id].add(owner)
    only: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in sorted(defined - only - module.activities):
            users = used_by[name]
            if users and all(user is not None and (user in module.activities or user in only) for user in users):
                only.add(name)
                changed = True
    return frozenset(only)


def _own_parts(stmt: ast.stmt) -> list[ast.AST]:
    """What belongs to ``stmt`` itself: a compound statement's header, not the body :func:`module_statements` yields."""
    if isinstance(stmt, ast.If | ast.While):
        return [stmt.test]
    if isinstance(stmt, ast.For | ast.AsyncFor):
        return [stmt.target, stmt.iter]
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return list(stmt.items)
    if isinstance(stmt, ast.Try | ast.TryStar):
        return [handler.type for handler in stmt.handlers if handler.type is not None]
    return [stmt]


@dataclass(slots=True)
class SourceModule:
    """One parsed module of the bundle.

    Attributes:
        path: Its file (absolute).
        display: How findings name it.
        text: Its source text.
        tree: Its syntax tree.
        outline: Its module-level structure.
    """

    path: Path
    display: str
    text: str
    tree: ast.Module
    outline: ModuleOutline


class BundleIndex:
    """Finds and parses the modules a module imports from its own bundle.

    ``from .activities import parse_pdf`` (or ``from templates.activities
    import ...``, or ``import activities``) is followed to the file beside
    the importing module or in one of its two parent directories, which is
    parsed once and cached. Standard-library and third-party modules are never
    searched for.
    """

    _SKIP_ROOTS = frozenset({"ntro", "temporalio", "builtins", "pydantic", "attrs"})

    def __init__(self) -> None:
        """Create an empty index."""
        self._modules: dict[Path, SourceModule | None] = {}
        self._files: dict[tuple[Path, str], Path | None] = {}
        self._names: dict[Path, str] = {}
        self._activities: dict[Path, frozenset[str]] = {}

    def given(self, path: Path, display: str) -> None:
        """Name the file ``path`` (absolute) as ``display`` in findings, should it be reached before it is linted."""
        self._names[path] = display

    def is_activity(self, target: str, origin: Path | None) -> bool:
        """Return whether ``target`` (``.activities.parse_pdf``) names an activity, seen from file ``origin``."""
        found = self.locate(target, origin)
        return found is not None and found[1] in self._activities_in(found[0])

    def _activities_in(self, path: Path) -> frozenset[str]:
        """The activities of ``path``, from its parsed module if it was read for checking, else parsed and dropped."""
        if path not in self._activities:
            module = self._modules.get(path)
            if module is not None:
                found = frozenset(module.outline.activities)
            else:
                try:
                    found = frozenset(outline(parse(path.read_bytes(), str(path))).activities)
                except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
                    found = frozenset()
            self._activities[path] = found
        return self._activities[path]

    def definition(self, target: str, origin: Path | None) -> tuple[SourceModule, str] | None:
        """Return the bundle module ``target`` (``.helpers.stamp``, ``templates.helpers.Clock.now``) lies in.

        Returns:
            The module and the name looked up in it (``stamp``, ``Clock``), or
            ``None`` when ``target`` is not in a module of the bundle.
        """
        found = self.locate(target, origin)
        if found is None or origin is None:
            return None
        source = self.load(found[0], origin)
        return (source, found[1]) if source is not None else None

    def locate(self, target: str, origin: Path | None) -> tuple[Path, str] | None:
        """Like :meth:`definition`, without reading the module: its file and the name."""
        if origin is None or "()" in target or target.startswith("builtins."):
            return None
        rest = target.lstrip(".")
        dots = target[: len(target) - len(rest)]
        parts = rest.split(".")
        for cut in range(len(parts) - 1, -1, -1):
            module = dots + ".".join(parts[:cut])
            if not module:
                return None
            path = self._module_file(module, origin)
            if path is not None:
                return path, parts[cut]
        return None

    @classmethod
    def may_hold(cls, target: str) -> bool:
        """Whether ``target`` can lie in the bundle: relative, or not from the standard library or a known package."""
        if target.startswith("."):
            return True
        root = target.split(".", 1)[0]
        return root not in sys.stdlib_module_names and root not in cls._SKIP_ROOTS

    def is_given(self, path: Path) -> bool:
        """Whether the file ``path`` (absolute) is one of those being linted."""
        return path in self._names

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
            if not rest or not self.may_hold(rest):
                return None
            bases = [origin.parent, *list(origin.parent.parents)[:2]]
        relative = Path(*rest.split(".")) if rest else Path()
        for base in bases:
            for candidate in (base / relative.with_suffix(".py") if rest else None, base / relative / "__init__.py"):
                if candidate is not None and candidate.is_file():
                    return candidate.absolute()
        return None

    def load(self, path: Path, origin: Path) -> SourceModule | None:
        """Read and parse ``path`` once (``None`` when it cannot be), named relative to ``origin``."""
        if path not in self._modules:
            try:
                text = read_source(path.read_bytes())
                tree = parse(text, str(path))
                display = self._display(path, origin)
                self._modules[path] = SourceModule(path, display, text, tree, outline(tree))
            except (OSError, SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
                self._modules[path] = None  # linted on its own if it was given; otherwise nothing to say
        return self._modules[path]

    def _display(self, path: Path, origin: Path) -> str:
        """Name ``path`` the way the module importing it is named (relative stays relative)."""
        if path in self._names:
            return self._names[path]
        importer = self._names.get(origin) or getattr(self._modules.get(origin), "display", None)
        if importer is None:
            return os.fspath(path)
        return os.path.normpath(os.path.join(os.path.dirname(importer), os.path.relpath(path, origin.parent)))


def read_source(data: bytes) -> str:
    """Decode a module's bytes as Python does (PEP 263, UTF-8 by default)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)

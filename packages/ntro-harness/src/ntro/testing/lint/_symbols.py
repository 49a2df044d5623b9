"""Name resolution: what a name or dotted expression refers to.

A :class:`Scope` mirrors one Python scope (module, class, function, lambda or
comprehension). It knows the names bound there and resolves a name the way
Python does, through imports (``import time as t``, ``from datetime import
datetime as dt``), star imports of modules the lint cares about, and simple
aliases (``now = dt.now`` or ``loop = asyncio.get_running_loop()``).
:meth:`Scope.qualify` turns an expression into a dotted target such as
``datetime.datetime.now`` or ``asyncio.get_running_loop().time`` (``()``
marks a call), or ``None`` when the value is not known statically.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["MODULE_LOCAL", "Binding", "Scope", "is_temporal_workflow"]

MODULE_LOCAL = "<module>."
"""Prefix of the target of a function or class defined at module level."""

ScopeKind = Literal["module", "class", "function", "comprehension"]
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
Comprehension = ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp


def is_temporal_workflow(target: str) -> bool:
    """Return whether ``target`` is ``temporalio.workflow`` or a name inside it."""
    return target == "temporalio.workflow" or target.startswith("temporalio.workflow.")


@dataclass(frozen=True, slots=True)
class Binding:
    """What a name is bound to.

    Attributes:
        target: The dotted target (``datetime.datetime``), ``None`` when unknown.
        temporal_import: The binding comes from an import of ``temporalio.workflow``.
    """

    target: str | None
    temporal_import: bool = False


_UNKNOWN = Binding(None)


class _Collector(ast.NodeVisitor):
    """Record the names one scope binds, without entering nested scopes."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                name, target = alias.asname, alias.name
            else:
                name = target = alias.name.split(".", 1)[0]
            self.scope.imports.setdefault(name, []).append(Binding(target, is_temporal_workflow(alias.name)))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.scope.stars.append(base)
                continue
            target = base + alias.name if base.endswith(".") else f"{base}.{alias.name}"
            name = alias.asname or alias.name
            self.scope.imports.setdefault(name, []).append(Binding(target, is_temporal_workflow(target)))

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.defs.setdefault(node.name, 0)
        self.scope.defs[node.name] += 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._define(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._define(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._define(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_ListComp(self, node: ast.ListComp) -> None:
        return

    def visit_SetComp(self, node: ast.SetComp) -> None:
        return

    def visit_DictComp(self, node: ast.DictComp) -> None:
        return

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        return

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.declared_global.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.declared_nonlocal.update(node.names)

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.scope.assigns.setdefault(node.targets[0].id, []).append(node.value)
            self.visit(node.value)
        else:
            self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and node.value is not None:
            self.scope.assigns.setdefault(node.target.id, []).append(node.value)
            self.visit(node.value)
        else:
            self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            self.scope.other.add(node.id)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.scope.other.add(node.target.id)
        self.visit(node.value)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.scope.other.add(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.scope.other.add(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.scope.other.add(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.scope.other.add(node.rest)
        self.generic_visit(node)


def _arguments(args: ast.arguments) -> Iterable[str]:
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        yield arg.arg
    if args.vararg:
        yield args.vararg.arg
    if args.kwarg:
        yield args.kwarg.arg


class Scope:
    """The names bound in one Python scope, and how to resolve them."""

    def __init__(self, kind: ScopeKind, parent: Scope | None, interesting: Callable[[str], bool] | None = None) -> None:
        """Create an empty scope; use the ``of_*`` constructors instead."""
        self.kind: ScopeKind = kind
        self.parent = parent
        self.module: Scope = parent.module if parent is not None else self
        self.interesting: Callable[[str], bool] = interesting or (parent.interesting if parent else lambda _: False)
        self.imports: dict[str, list[Binding]] = {}
        self.assigns: dict[str, list[ast.expr]] = {}
        self.defs: dict[str, int] = {}
        self.other: set[str] = set()
        self.stars: list[str] = []
        self.declared_global: set[str] = set()
        self.declared_nonlocal: set[str] = set()
        self._cache: dict[str, Binding] = {}
        self._resolving: set[str] = set()

    # -- construction ----------------------------------------------------

    @classmethod
    def of_module(cls, tree: ast.Module, interesting: Callable[[str], bool]) -> Scope:
        """Build the module scope of ``tree``.

        Args:
            tree: The parsed module.
            interesting: Tells whether a ``module.name`` reached through a star
                import is worth resolving (the lint's known targets).
        """
        scope = cls("module", None, interesting)
        collector = _Collector(scope)
        for stmt in tree.body:
            collector.visit(stmt)
        return scope

    @classmethod
    def of_class(cls, node: ast.ClassDef, parent: Scope) -> Scope:
        """Build the scope of a class body."""
        scope = cls("class", parent)
        collector = _Collector(scope)
        for stmt in node.body:
            collector.visit(stmt)
        return scope

    @classmethod
    def of_function(cls, node: FunctionNode, parent: Scope) -> Scope:
        """Build the scope of a function or lambda: its parameters and local bindings."""
        scope = cls("function", parent)
        scope.other.update(_arguments(node.args))
        collector = _Collector(scope)
        if isinstance(node, ast.Lambda):
            collector.visit(node.body)
        else:
            for stmt in node.body:
                collector.visit(stmt)
        return scope

    @classmethod
    def of_comprehension(cls, node: Comprehension, parent: Scope) -> Scope:
        """Build the scope of a comprehension: its loop targets."""
        scope = cls("comprehension", parent)
        collector = _Collector(scope)
        for generator in node.generators:
            collector.visit(generator.target)
        return scope

    # -- resolution ------------------------------------------------------

    def _binds(self, name: str) -> bool:
        if name in self.declared_global or name in self.declared_nonlocal:
            return False
        return name in self.imports or name in self.assigns or name in self.defs or name in self.other

    def lookup(self, name: str) -> Binding:
        """Resolve ``name`` as Python would from this scope (class scopes are skipped from nested scopes).

        A name bound nowhere resolves to a star-imported target the lint knows
        about, else to ``builtins.<name>``.
        """
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "class" and scope is not self:
                scope = scope.parent
                continue
            if name in scope.declared_global and scope is not self.module:
                scope = self.module
                continue
            if scope._binds(name):
                return scope._resolve(name)
            scope = scope.parent
        for star in reversed(self.module.stars):
            candidate = f"{star}.{name}"
            if self.module.interesting(candidate):
                return Binding(candidate)
        return Binding(f"builtins.{name}")

    def _resolve(self, name: str) -> Binding:
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        if name in self._resolving:
            return _UNKNOWN
        self._resolving.add(name)
        try:
            result = self._resolve_uncached(name)
        finally:
            self._resolving.discard(name)
        self._cache[name] = result
        return result

    def _resolve_uncached(self, name: str) -> Binding:
        imported = self.imports.get(name)
        if imported:
            return imported[0]
        if name in self.other:
            return _UNKNOWN
        defined = self.defs.get(name, 0)
        assigned = self.assigns.get(name, [])
        if defined and not assigned:
            return Binding(MODULE_LOCAL + name) if self.kind == "module" and defined == 1 else _UNKNOWN
        if len(assigned) == 1 and not defined:
            value = assigned[0]
            target = self.qualify(value)
            if target is None:
                return _UNKNOWN
            return Binding(target, self.root_binding(value).temporal_import)
        return _UNKNOWN

    def root_binding(self, expr: ast.expr) -> Binding:
        """Return the binding of the name at the root of a dotted or called expression."""
        node = expr
        while True:
            if isinstance(node, ast.Attribute):
                node = node.value
            elif isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.BinOp):
                node = node.left
            elif isinstance(node, ast.NamedExpr):
                node = node.value
            else:
                break
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        return _UNKNOWN

    def qualify(self, expr: ast.expr) -> str | None:
        """Return the dotted target ``expr`` refers to, or ``None`` when unknown.

        ``()`` marks a call: ``asyncio.get_running_loop().time``. A ``/`` on a
        :mod:`pathlib` value keeps the value's target, so ``(Path(p) / "x").open``
        is ``pathlib.Path().open``.
        """
        if isinstance(expr, ast.Name):
            return self.lookup(expr.id).target
        if isinstance(expr, ast.Attribute):
            base = self.qualify(expr.value)
            return f"{base}.{expr.attr}" if base is not None else None
        if isinstance(expr, ast.Call):
            base = self.qualify(expr.func)
            return f"{base}()" if base is not None else None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            base = self.qualify(expr.left)
            return base if base is not None and base.startswith("pathlib.") else None
        if isinstance(expr, ast.NamedExpr):
            return self.qualify(expr.value)
        return None

"""The AST visitor that applies every rule to workflow code."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from ntro.testing.lint._outline import BundleIndex, ModuleOutline, is_activity
from ntro.testing.lint._symbols import MODULE_LOCAL, Comprehension, Scope, is_temporal_workflow
from ntro.testing.lint._targets import ENVIRONMENT_VALUES, match_call, runbook_equivalent

__all__ = ["Checker", "Reach", "Report"]

Report = Callable[[ast.expr | ast.stmt, str, str], None]
"""Called with the offending node, the rule code and the message."""

Reach = Callable[["Checker", str], None]
"""Called with the checker and a dotted name from another module that the code it checks uses."""

_IMPORT_MESSAGE = "temporalio.workflow imported in runbook code; use the facade: from ntro.workflow import runbook"
_ENV_MESSAGE = "{name} reads the process environment; pass the value in the workflow input or read it in an activity"


class Checker(ast.NodeVisitor):
    """Walks workflow code with the right scope and reports what the rules flag.

    Calls are checked after their arguments and receiver, and a call on the
    result of a flagged call (``Path.cwd().exists()``) is not flagged again,
    so each violation is reported once.
    """

    def __init__(
        self,
        module: ModuleOutline,
        index: BundleIndex,
        origin: Path | None,
        report: Report,
        reach: Reach | None = None,
    ) -> None:
        """Prepare to check the module described by ``module``.

        Args:
            module: The module's outline (scope, functions, workflow classes).
            index: Finds activities defined in the bundle's other modules.
            origin: The module's file, to find those modules; ``None`` for source without a file.
            report: Receives each finding.
            reach: Receives each dotted name from outside this module that
                checked code uses (``.helpers.stamp``), so the caller can check
                what it names as workflow code too.
        """
        self.module = module
        self.index = index
        self.origin = origin
        self.report = report
        self.reach = reach
        self.scope: Scope = module.scope
        self._flagged: set[int] = set()
        self._reached: list[str] = []
        self._done: set[str] = set()
        self._sent: set[str] = set()
        self._imports_checked = False

    # -- entry points ----------------------------------------------------

    def check_workflow_code(self) -> None:
        """Check the workflow classes and every module-level function and class they reach."""
        if not self.module.workflow_classes:
            return
        self._check_imports()
        for cls in self.module.workflow_classes:
            self._done.add(cls.name)
            self.visit(cls)
        self._drain()

    def check_definition(self, name: str) -> bool:
        """Check the module-level function or class ``name``, which workflow code elsewhere reaches.

        Returns:
            Whether ``name`` is such a definition (and not an activity).
        """
        if name in self.module.activities or (name not in self.module.functions and name not in self.module.classes):
            return False
        self._reached.append(name)
        self._drain()
        return True

    def check_module(self, tree: ast.Module, skip: frozenset[str] = frozenset()) -> None:
        """Check everything in ``tree`` as if it were workflow code, except activities and ``skip``.

        Args:
            tree: The module.
            skip: Names of module-level definitions not to check (the helpers
                only activities use, see :func:`activity_only`).
        """
        self._imports_checked = True  # the import statements are checked in place
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if stmt.name in skip or stmt.name in self._done:
                    continue
                self._done.add(stmt.name)
            self.visit(stmt)
        self._drain()

    def _drain(self) -> None:
        while self._reached:
            name = self._reached.pop()
            if name in self._done or name in self.module.activities:
                continue
            node = self.module.functions.get(name) or self.module.classes.get(name)
            if node is None:
                continue
            self._done.add(name)
            self._check_imports()
            self.visit(node)

    def _check_imports(self) -> None:
        if not self._imports_checked:
            self._imports_checked = True
            for stmt in self.module.imports:
                self._check_import(stmt)

    # -- reporting -------------------------------------------------------

    def _flag(self, node: ast.expr | ast.stmt, code: str, message: str) -> None:
        self._flagged.add(id(node))
        self.report(node, code, message)

    def _receiver_flagged(self, node: ast.expr) -> bool:
        current: ast.expr = node
        while True:
            if id(current) in self._flagged:
                return True
            if isinstance(current, ast.Attribute | ast.Subscript):
                current = current.value
            elif isinstance(current, ast.Call):
                current = current.func
            elif isinstance(current, ast.BinOp):
                current = current.left
            else:
                return False

    # -- scopes ----------------------------------------------------------

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            if is_activity(node, self.scope):
                return
            for decorator in node.decorator_list:
                self.visit(decorator)
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        outer, self.scope = self.scope, Scope.of_function(node, self.scope)
        try:
            if isinstance(node, ast.Lambda):
                self.visit(node.body)
            else:
                for stmt in node.body:
                    self.visit(stmt)
        finally:
            self.scope = outer

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.visit(expr)
        outer, self.scope = self.scope, Scope.of_class(node, self.scope)
        try:
            for stmt in node.body:
                self.visit(stmt)
        finally:
            self.scope = outer

    def _comprehension(self, node: Comprehension, *elements: ast.expr) -> None:
        self.visit(node.generators[0].iter)
        outer, self.scope = self.scope, Scope.of_comprehension(node, self.scope)
        try:
            for position, generator in enumerate(node.generators):
                if position:
                    self.visit(generator.iter)
                for condition in generator.ifs:
                    self.visit(condition)
            for element in elements:
                self.visit(element)
        finally:
            self.scope = outer

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, node.elt)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node, node.elt)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node, node.elt)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, node.key, node.value)

    # -- rules -----------------------------------------------------------

    def _check_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = "." * node.level + (node.module or "")
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names] if node.level == 0 else []
        if any(is_temporal_workflow(target) for target in targets):
            self._flag(node, "NTR110", _IMPORT_MESSAGE)

    def visit_Import(self, node: ast.Import) -> None:
        self._check_import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._check_import(node)

    def _temporal_use(self, node: ast.Name | ast.Attribute, target: str) -> None:
        if not self.scope.root_binding(node).temporal_import:
            self._flag(node, "NTR110", f"{target} used in workflow code; use {runbook_equivalent(target)}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            target = self.scope.qualify(node)
            if target in ENVIRONMENT_VALUES:
                self._flag(node, "NTR104", _ENV_MESSAGE.format(name=target))
                return
            if target is not None and is_temporal_workflow(target):
                self._temporal_use(node, target)
                return
            if target is not None:
                self._elsewhere(target)
        self.generic_visit(node)

    def _elsewhere(self, target: str) -> None:
        if self.reach is None or target in self._sent or target.startswith((MODULE_LOCAL, "builtins.")):
            return
        self._sent.add(target)
        if BundleIndex.may_hold(target):
            self.reach(self, target)

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            return
        target = self.scope.lookup(node.id).target
        if target is None:
            return
        if target in ENVIRONMENT_VALUES:
            self._flag(node, "NTR104", _ENV_MESSAGE.format(name=target))
        elif target.startswith(MODULE_LOCAL):
            self._reached.append(target.removeprefix(MODULE_LOCAL))
        elif is_temporal_workflow(target):
            self._temporal_use(node, target)
        else:
            self._elsewhere(target)

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        if self._receiver_flagged(node.func):
            return
        target = self.scope.qualify(node.func)
        match = match_call(target, node)
        if match is not None:
            self._flag(node, match.code, match.message)
        elif target is not None and self._is_activity(target):
            name = target.rsplit(".", 1)[-1]
            self._flag(
                node,
                "NTR109",
                f"activity {name}() is called directly; schedule it with await runbook.execute_activity({name}, ...)",
            )

    def _is_activity(self, target: str) -> bool:
        if target.startswith(MODULE_LOCAL):
            return target.removeprefix(MODULE_LOCAL) in self.module.activities
        return self.index.is_activity(target, self.origin)

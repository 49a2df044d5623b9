"""Linting sources, files and paths: the public entry points of the lint."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from ntro.testing.lint._checker import Checker
from ntro.testing.lint._files import iter_python_files
from ntro.testing.lint._findings import Finding
from ntro.testing.lint._noqa import NoqaMap
from ntro.testing.lint._outline import BundleIndex, SourceModule, activity_only, outline, parse, read_source
from ntro.testing.lint._rules import enabled_codes

__all__ = ["ScopeMode", "lint_file", "lint_files", "lint_paths", "lint_source"]

ScopeMode = Literal["workflow", "module"]
"""What counts as workflow code: ``"workflow"`` (workflow classes and what they
reach, in their module or the bundle's others: the default) or ``"module"``
(every function and class except activities and the helpers only activities
use, for helper modules linted without the workflows that import them)."""

_LINES = re.compile(r"\r\n|\r|\n")


class _Run:
    """One lint run: the modules given, those their workflow code reaches, and the findings."""

    def __init__(self, codes: frozenset[str], scope: ScopeMode) -> None:
        self.codes = codes
        self.scope = scope
        self.index = BundleIndex()
        self.findings: set[Finding] = set()
        self._checkers: dict[Path, Checker] = {}
        self._reached: list[tuple[Checker, str]] = []
        self._skipped: dict[Path, frozenset[str]] = {}  # module scope: the helpers of activities not checked
        self._wanted: dict[Path, set[str]] = {}  # module scope: helpers other modules use, in modules not read yet

    def _parse_error(self, display: str, message: str, line: int = 1, column: int = 1) -> None:
        if "NTR000" in self.codes:
            self.findings.add(Finding(display, max(line, 1), max(column, 1), "NTR000", message))

    def add(self, source: str | bytes, display: str, origin: Path | None) -> None:
        """Lint one module given to the lint (parse errors are findings)."""
        try:
            text = read_source(source) if isinstance(source, bytes) else source
            tree = parse(text, display)
        except SyntaxError as exc:
            return self._parse_error(display, f"cannot parse: {exc.msg}", exc.lineno or 1, exc.offset or 1)
        except (UnicodeDecodeError, LookupError) as exc:
            return self._parse_error(display, f"cannot decode: {exc}")
        except (ValueError, RecursionError, MemoryError) as exc:
            return self._parse_error(display, f"cannot parse: {exc or type(exc).__name__}")
        try:
            module = SourceModule(origin or Path(display), display, text, tree, outline(tree))
            if origin is not None:
                self.index.given(origin, display)
            checker = self._checker(module, origin)
            if self.scope == "module":
                skip = activity_only(tree, module.outline) - self._wanted.pop(module.path, set())
                self._skipped[module.path] = skip
                checker.check_module(tree, skip)
            else:
                checker.check_workflow_code()
            self._follow()
        except RecursionError:
            self._parse_error(display, "cannot analyse: the code is nested too deeply")
        return None

    def _checker(self, module: SourceModule, origin: Path | None, *, keep: bool = False) -> Checker:
        """A checker of ``module``; ``keep`` one per module reached, so each definition is checked once."""
        known = self._checkers.get(module.path)
        if known is not None:
            return known
        noqa = NoqaMap(_LINES.split(module.text))
        display, codes, findings = module.display, self.codes, self.findings

        def report(node: ast.expr | ast.stmt, code: str, message: str) -> None:
            if code not in codes:
                return
            line = node.lineno
            if noqa.suppressed(code, line, node.end_lineno or line):
                return
            findings.add(Finding(display, line, node.col_offset + 1, code, message))

        checker = Checker(module.outline, self.index, origin, report, self._reach)
        if keep:
            self._checkers[module.path] = checker
        return checker

    def _reach(self, checker: Checker, target: str) -> None:
        self._reached.append((checker, target))

    def _follow(self) -> None:
        """Check, as workflow code, what checked code uses from the bundle's other modules."""
        while self._reached:
            checker, target = self._reached.pop()
            located = self.index.locate(target, checker.origin)
            if located is None or checker.origin is None:
                continue
            path, name = located
            if self.scope == "module" and self.index.is_given(path):  # checked whole, but for activities' helpers
                if path not in self._skipped:
                    self._wanted.setdefault(path, set()).add(name)  # not checked yet: it will not skip this one
                    continue
                if name not in self._skipped[path]:
                    continue
            module = self.index.load(path, checker.origin)
            if module is None:
                continue
            other = self._checker(module, module.path, keep=True)
            if not other.check_definition(name):
                binding = module.outline.scope.imports.get(name)  # a name the module imports (a re-export)
                if binding and binding[0].target is not None:
                    self._reached.append((other, binding[0].target))


def lint_source(
    source: str | bytes,
    filename: str = "<string>",
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    scope: ScopeMode = "workflow",
) -> list[Finding]:
    """Lint one module's source text.

    Args:
        source: The module's text, or its bytes (decoded per PEP 263).
        filename: Shown in findings; when it names an existing file, activities
            imported from the bundle's other modules are found relative to it.
        select: Codes or prefixes to report (default: all).
        ignore: Codes or prefixes not to report.
        scope: What counts as workflow code (see :data:`ScopeMode`).

    Returns:
        The findings, sorted; a source that does not parse gives one ``NTR000`` finding.

    Raises:
        UnknownRuleError: ``select`` or ``ignore`` names no known code.
    """
    codes = enabled_codes(select, ignore)
    origin = Path(filename).absolute() if filename and Path(filename).is_file() else None
    run = _Run(codes, scope)
    run.add(source, filename, origin)
    return sorted(run.findings)


def _read(run: _Run, path: Path) -> None:
    display = os.fspath(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        run._parse_error(display, f"cannot read: {exc.strerror or exc}")
        return
    run.add(data, display, path.absolute())


def lint_file(
    path: str | os.PathLike[str],
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    scope: ScopeMode = "workflow",
) -> list[Finding]:
    """Lint one file (see :func:`lint_source`); an unreadable file gives an ``NTR000`` finding."""
    run = _Run(enabled_codes(select, ignore), scope)
    _read(run, Path(path))
    return sorted(run.findings)


def lint_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    scope: ScopeMode = "workflow",
) -> list[Finding]:
    """Lint files and directories (bundles, or trees of them).

    Directories are walked as :func:`iter_python_files` describes.

    Args:
        paths: Files and directories.
        select: Codes or prefixes to report (default: all).
        ignore: Codes or prefixes not to report.
        scope: What counts as workflow code (see :data:`ScopeMode`).

    Returns:
        Every finding, sorted by path, line, column and code.

    Raises:
        FileNotFoundError: A path does not exist.
        UnknownRuleError: ``select`` or ``ignore`` names no known code.
    """
    codes = enabled_codes(select, ignore)
    return lint_files(list(iter_python_files(paths)), codes, scope=scope)


def lint_files(files: Iterable[Path], codes: frozenset[str], *, scope: ScopeMode = "workflow") -> list[Finding]:
    """Lint already collected ``files`` for the given ``codes`` (see :func:`enabled_codes`).

    This is the step after :func:`iter_python_files`, for callers that also
    want the file count (the CLI does).

    Returns:
        Every finding, sorted.
    """
    run = _Run(codes, scope)
    paths = list(files)
    for path in paths:  # a module both given and reached from another is named as given
        run.index.given(path.absolute(), os.fspath(path))
    for path in paths:
        _read(run, path)
    return sorted(run.findings)

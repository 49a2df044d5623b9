"""Linting sources, files and paths: the public entry points of the lint."""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from ntro.testing.lint._checker import Checker
from ntro.testing.lint._files import iter_python_files
from ntro.testing.lint._findings import Finding
from ntro.testing.lint._noqa import NoqaMap
from ntro.testing.lint._outline import ActivityIndex, outline, parse
from ntro.testing.lint._rules import enabled_codes

__all__ = ["ScopeMode", "lint_file", "lint_files", "lint_paths", "lint_source"]

ScopeMode = Literal["workflow", "module"]
"""What counts as workflow code: ``"workflow"`` (workflow classes and what they
reach, the default) or ``"module"`` (every function except activities, for helper
modules that only workflow code imports)."""

_LINES = re.compile(r"\r\n|\r|\n")


def _decode(source: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return source.decode(encoding)


def _lint(
    source: str | bytes,
    display: str,
    origin: Path | None,
    codes: frozenset[str],
    scope: ScopeMode,
    index: ActivityIndex,
) -> list[Finding]:
    findings: set[Finding] = set()

    def parse_error(message: str, line: int = 1, column: int = 1) -> list[Finding]:
        if "NTR000" not in codes:
            return []
        return [Finding(display, max(line, 1), max(column, 1), "NTR000", message)]

    try:
        text = _decode(source) if isinstance(source, bytes) else source
        tree = parse(text, display)
    except SyntaxError as exc:
        return parse_error(f"cannot parse: {exc.msg}", exc.lineno or 1, exc.offset or 1)
    except (UnicodeDecodeError, LookupError) as exc:
        return parse_error(f"cannot decode: {exc}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return parse_error(f"cannot parse: {exc or type(exc).__name__}")

    noqa = NoqaMap(_LINES.split(text))

    def report(node: ast.expr | ast.stmt, code: str, message: str) -> None:
        if code not in codes:
            return
        line = node.lineno
        if noqa.suppressed(code, line, node.end_lineno or line):
            return
        findings.add(Finding(display, line, node.col_offset + 1, code, message))

    try:
        module = outline(tree)
        checker = Checker(module, index, origin, report)
        if scope == "module":
            checker.check_module(tree)
        else:
            checker.check_workflow_code()
    except RecursionError:
        return parse_error("cannot analyse: the code is nested too deeply")
    return sorted(findings)


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
    return _lint(source, filename, origin, codes, scope, ActivityIndex())


def _lint_file(path: Path, codes: frozenset[str], scope: ScopeMode, index: ActivityIndex) -> list[Finding]:
    display = os.fspath(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Finding(display, 1, 1, "NTR000", f"cannot read: {exc.strerror or exc}")] if "NTR000" in codes else []
    return _lint(data, display, path.absolute(), codes, scope, index)


def lint_file(
    path: str | os.PathLike[str],
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    scope: ScopeMode = "workflow",
) -> list[Finding]:
    """Lint one file (see :func:`lint_source`); an unreadable file gives an ``NTR000`` finding."""
    return _lint_file(Path(path), enabled_codes(select, ignore), scope, ActivityIndex())


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
    index = ActivityIndex()
    findings: list[Finding] = []
    for path in files:
        findings.extend(_lint_file(path, codes, scope, index))
    return sorted(findings)

"""``ntro workflow validate``: check a runbook bundle's layout, frontmatter and imports.

The checks and their codes are ntro 0.1.2's validator's (``ntro runbook
validate``), so scripts that read them keep working, plus a few for what this
version's loader needs (a ``templates/__init__.py``, a valid slug, a class
that registers the frontmatter's slug). Every problem is reported at once,
each with a stable code, the file it is about, and what to do.

The bundle's modules are imported into a throwaway package: nothing is
registered under its slug and nothing stays in ``sys.modules``.
"""

from __future__ import annotations

import argparse
import contextvars
import importlib
import importlib.util
import re
import sys
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import attrs

from ntro.cli import CommandError, add_json_option, print_json
from ntro.runtime.protocol import add_throwaway_import_check, maybe_workflow_definition

__all__ = [
    "CODES",
    "REQUIRED_FIELDS",
    "VALIDATE_COMMAND",
    "ValidateCommand",
    "ValidationIssue",
    "ValidationReport",
    "validate_runbook",
]

REQUIRED_FIELDS: Final = ("slug", "name", "version", "state", "author")
"""The frontmatter fields every ``runbook.md`` must set."""

CODES: Final[dict[str, str]] = {
    "RUNBOOK_DIR_NOT_FOUND": "the path does not exist",
    "RUNBOOK_DIR_NOT_A_DIR": "the path is not a directory",
    "RUNBOOK_MD_MISSING": "there is no runbook.md",
    "FRONTMATTER_PARSE_ERROR": "runbook.md cannot be read, or its frontmatter is not closed or not valid YAML",
    "FRONTMATTER_MISSING": "runbook.md does not start with a '---' frontmatter block",
    "FRONTMATTER_NOT_MAPPING": "the frontmatter is not a key: value mapping",
    "FRONTMATTER_FIELD_MISSING": "a required frontmatter field (slug, name, version, state, author) is missing",
    "FRONTMATTER_FIELD_INVALID": "a frontmatter field has a value the loader rejects (the slug's format)",
    "TEMPLATES_INIT_MISSING": "templates/ has no __init__.py (it is imported as a package)",
    "TEMPLATES_INIT_IMPORT_ERROR": "templates/__init__.py raises when imported",
    "WORKFLOW_PY_MISSING": "there is no templates/workflow.py",
    "WORKFLOW_PY_IMPORT_ERROR": "templates/workflow.py raises when imported",
    "WORKFLOW_CLASS_NOT_FOUND": "templates/workflow.py has no <CamelSlug>Workflow class",
    "WORKFLOW_DEFN_MISSING": "the workflow class is not decorated with @runbook.defn",
    "WORKFLOW_SLUG_MISMATCH": "the workflow class registers another slug than the frontmatter's",
    "ACTIVITIES_PY_MISSING": "there is no templates/activities.py (a warning: it is optional)",
    "ACTIVITIES_PY_IMPORT_ERROR": "templates/activities.py raises when imported",
    "MODELS_PY_IMPORT_ERROR": "templates/models.py raises when imported",
}
"""Every code the validator reports, with what it means."""

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Set while the validator imports a bundle: its workflow classes and activities are
# throwaway copies, neither registered under their slug nor remembered.
_validating: contextvars.ContextVar[bool] = contextvars.ContextVar("ntro_validating", default=False)
_check_installed = False


def _is_validating() -> bool:
    return _validating.get()


@attrs.frozen
class ValidationIssue:
    """One problem found in a bundle.

    Attributes:
        code: A stable code from ``ntro.testing._validate.CODES``.
        path: The file or directory it is about, relative to the bundle
            (the bundle path itself for directory problems).
        message: What is wrong and how to fix it, in one line.
    """

    code: str
    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        """Return the issue as JSON-ready data."""
        return {"code": self.code, "path": self.path, "message": self.message}


@attrs.frozen
class ValidationReport:
    """What validating one bundle found.

    Attributes:
        path: The bundle path, as given.
        errors: Problems that stop the bundle from loading or running.
        warnings: Problems worth fixing that do not.
    """

    path: str
    errors: tuple[ValidationIssue, ...] = ()
    warnings: tuple[ValidationIssue, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the bundle has no errors (warnings allowed)."""
        return not self.errors

    @property
    def codes(self) -> list[str]:
        """The codes of the errors, then of the warnings, in the order found."""
        return [issue.code for issue in (*self.errors, *self.warnings)]

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (what ``--json`` prints)."""
        return {
            "path": self.path,
            "ok": self.ok,
            "errors": [issue.to_json() for issue in self.errors],
            "warnings": [issue.to_json() for issue in self.warnings],
        }

    def render(self) -> str:
        """Return the text report (what the command prints), ending with a newline."""
        lines = [f"Validating runbook: {self.path}"]
        if not self.errors and not self.warnings:
            lines.append("✓ all checks passed")
        if self.errors:
            lines.append("Errors:")
            lines += [f"  ✗ [{i.code}] ({i.path}) {i.message}" for i in self.errors]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  ⚠ [{i.code}] ({i.path}) {i.message}" for i in self.warnings]
        verdict = "OK" if self.ok else "FAIL"
        lines.append(f"{verdict} — {len(self.errors)} errors, {len(self.warnings)} warnings")
        return "\n".join(lines) + "\n"


class _Collector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[ValidationIssue] = []
        self.warnings: list[ValidationIssue] = []

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def error(self, code: str, path: Path, message: str) -> None:
        self.errors.append(ValidationIssue(code, self.rel(path), message))

    def warning(self, code: str, path: Path, message: str) -> None:
        self.warnings.append(ValidationIssue(code, self.rel(path), message))


# -- runbook.md -------------------------------------------------------------------------------


def _frontmatter(runbook_md: Path, found: _Collector) -> dict[str, Any] | None:
    """Return the frontmatter mapping, or ``None`` after reporting why there is none."""
    try:
        text = runbook_md.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        found.error("FRONTMATTER_PARSE_ERROR", runbook_md, f"runbook.md cannot be read ({exc})")
        return None
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        found.error(
            "FRONTMATTER_MISSING",
            runbook_md,
            "runbook.md has no YAML frontmatter; start it with a '---' line, the keys "
            f"({', '.join(REQUIRED_FIELDS)}...), and a closing '---' line",
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        found.error("FRONTMATTER_PARSE_ERROR", runbook_md, "the frontmatter is not closed; add a '---' line after it")
        return None
    import yaml

    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f" at line {mark.line + 2}" if mark is not None else ""
        found.error("FRONTMATTER_PARSE_ERROR", runbook_md, f"the frontmatter is not valid YAML{where}: {problem}")
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        found.error(
            "FRONTMATTER_NOT_MAPPING",
            runbook_md,
            f"the frontmatter is a {type(meta).__name__}, not a mapping; write it as 'key: value' lines",
        )
        return None
    for field in REQUIRED_FIELDS:
        value = meta.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            found.error(
                "FRONTMATTER_FIELD_MISSING", runbook_md, f"the frontmatter has no {field!r}; add '{field}: ...'"
            )
    slug = meta.get("slug")
    if slug is not None and slug != "" and (not isinstance(slug, str) or not _SLUG_RE.match(slug)):
        found.error(
            "FRONTMATTER_FIELD_INVALID",
            runbook_md,
            f"slug {slug!r} is not valid; use lowercase letters, digits and dashes (e.g. 'nav-monthly')",
        )
    return meta


# -- imports ---------------------------------------------------------------------------------


@contextmanager
def _throwaway_package(templates: Path) -> Iterator[str]:
    """Make ``templates/`` importable as a fresh package whose definitions are throwaway copies."""
    global _check_installed
    if not _check_installed:
        add_throwaway_import_check(_is_validating)
        _check_installed = True
    package = f"_ntro_validate_{uuid.uuid4().hex[:12]}"
    token = _validating.set(True)
    try:
        yield package
    finally:
        _validating.reset(token)
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


def _import_package(package: str, templates: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        package, templates / "__init__.py", submodule_search_locations=[str(templates)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover - a .py path always has a loader
        raise ImportError(f"cannot import {templates}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(package, None)
        raise
    return module


def _failure(exc: BaseException, found: _Collector, fallback: Path) -> tuple[str, Path]:
    """Return ``Type: message (file:line)`` and the file inside the bundle where it was raised."""
    summary = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = Path(exc.filename)
        return f"SyntaxError: {exc.msg} ({found.rel(where)}:{exc.lineno})", where
    text = f"{type(exc).__name__}: {summary}" if summary else type(exc).__name__
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        try:
            where = Path(frame.filename).resolve()
        except OSError:  # pragma: no cover - an unreadable frame path
            continue
        if where.is_relative_to(found.root):
            return f"{text} ({found.rel(where)}:{frame.lineno})", where
    return text, fallback


def _import_modules(templates: Path, found: _Collector, slug: str | None, workflow_class: str | None) -> None:
    init = templates / "__init__.py"
    workflow_py = templates / "workflow.py"
    with _throwaway_package(templates) as package:
        try:
            _import_package(package, templates)
        except Exception as exc:
            detail, _ = _failure(exc, found, init)
            found.error("TEMPLATES_INIT_IMPORT_ERROR", init, f"templates/__init__.py failed to import: {detail}")
            return
        failed_files: set[Path] = set()
        modules: dict[str, ModuleType] = {}
        for name, code in (
            ("models", "MODELS_PY_IMPORT_ERROR"),
            ("activities", "ACTIVITIES_PY_IMPORT_ERROR"),
            ("workflow", "WORKFLOW_PY_IMPORT_ERROR"),
        ):
            path = templates / f"{name}.py"
            if not path.is_file():
                continue
            try:
                modules[name] = importlib.import_module(f"{package}.{name}")
            except Exception as exc:
                detail, where = _failure(exc, found, path)
                if where.resolve() in failed_files and where.resolve() != path.resolve():
                    continue  # the same broken module, already reported
                failed_files.add(where.resolve())
                found.error(code, path, f"templates/{name}.py failed to import: {detail}")
        workflow = modules.get("workflow")
        if workflow is not None:
            _check_workflow_class(workflow, workflow_py, found, slug, workflow_class)


def _class_name_for_slug(slug: str) -> str:
    parts = re.split(r"[-_]+", slug)
    return "".join(p[:1].upper() + p[1:] for p in parts if p) + "Workflow"


def _check_workflow_class(
    module: ModuleType, workflow_py: Path, found: _Collector, slug: str | None, workflow_class: str | None
) -> None:
    if workflow_class is None and (not slug or not _SLUG_RE.match(slug)):
        return  # the frontmatter problem is reported; there is no class name to look for
    name = workflow_class or _class_name_for_slug(str(slug))
    cls = vars(module).get(name)
    if not isinstance(cls, type):
        defined = sorted(
            n
            for n, v in vars(module).items()
            if isinstance(v, type) and v.__module__ == module.__name__ and maybe_workflow_definition(v) is not None
        )
        hint = f"@runbook.defn classes there: {', '.join(defined)}" if defined else f"define class {name}"
        found.error("WORKFLOW_CLASS_NOT_FOUND", workflow_py, f"templates/workflow.py has no class {name}; {hint}")
        return
    defn = maybe_workflow_definition(cls)
    if defn is None:
        found.error("WORKFLOW_DEFN_MISSING", workflow_py, f"class {name} is not decorated with @runbook.defn; add it")
        return
    if slug and defn.slug != slug:
        found.error(
            "WORKFLOW_SLUG_MISMATCH",
            workflow_py,
            f"{name} registers slug {defn.slug!r} but runbook.md says {slug!r}; "
            "make them agree (@runbook.defn(slug=...) or the frontmatter)",
        )


# -- the whole check -----------------------------------------------------------------------------


def validate_runbook(path: str | Path, *, workflow_class: str | None = None) -> ValidationReport:
    """Check the runbook bundle in directory ``path`` and report every problem.

    Checks, in order: the directory; ``runbook.md`` and its frontmatter (the
    fields of the required fields (slug, name, version, state, author)); ``templates/__init__.py`` and
    ``templates/workflow.py``; that ``models.py`` (if present),
    ``activities.py`` and ``workflow.py`` import; that ``workflow.py`` defines
    the ``<CamelSlug>Workflow`` class (or ``workflow_class``), decorated with
    ``@runbook.defn`` and registering the frontmatter's slug. A missing
    ``activities.py`` is a warning.

    Args:
        path: The bundle directory.
        workflow_class: The workflow class's name, when it is not the default.

    Returns:
        The report, with its ``errors`` and ``warnings``, each with a code from
        ``ntro.testing._validate.CODES``, the file (relative to the bundle) and a message.
    """
    given = Path(path)
    root = given.resolve() if given.exists() else given
    found = _Collector(root)
    shown = str(path)
    if not given.exists():
        found.errors.append(
            ValidationIssue("RUNBOOK_DIR_NOT_FOUND", shown, f"{shown}: no such directory; pass a runbook bundle")
        )
        return ValidationReport(shown, tuple(found.errors))
    if not given.is_dir():
        found.errors.append(
            ValidationIssue(
                "RUNBOOK_DIR_NOT_A_DIR",
                shown,
                f"{shown} is not a directory; a runbook bundle is a directory holding runbook.md and templates/",
            )
        )
        return ValidationReport(shown, tuple(found.errors))
    runbook_md = root / "runbook.md"
    meta: dict[str, Any] | None = None
    if runbook_md.is_file():
        meta = _frontmatter(runbook_md, found)
    else:
        found.error("RUNBOOK_MD_MISSING", runbook_md, "no runbook.md; add one with the YAML frontmatter")
    slug = meta.get("slug") if meta is not None else None
    templates = root / "templates"
    workflow_py = templates / "workflow.py"
    init = templates / "__init__.py"
    if not workflow_py.is_file():
        found.error("WORKFLOW_PY_MISSING", workflow_py, "no templates/workflow.py; it defines the @runbook.defn class")
    if not (templates / "activities.py").is_file():
        found.warning(
            "ACTIVITIES_PY_MISSING",
            templates / "activities.py",
            "no templates/activities.py; put the @activity.defn functions there (ntro 0.1.2 workers require it)",
        )
    if templates.is_dir() and not init.is_file():
        found.error("TEMPLATES_INIT_MISSING", init, "no templates/__init__.py; create an empty one")
    elif init.is_file():
        _import_modules(templates, found, slug if isinstance(slug, str) else None, workflow_class)
    return ValidationReport(shown, tuple(found.errors), tuple(found.warnings))


# -- the command ---------------------------------------------------------------------------------


class ValidateCommand:
    """Check a runbook bundle's layout, frontmatter and imports (``ntro workflow validate DIR``)."""

    help = "check a runbook bundle: runbook.md frontmatter, templates/ layout, that the modules import"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the command's arguments to ``parser``."""
        parser.add_argument("path", metavar="DIR", help="the runbook bundle directory")
        add_json_option(parser, help="print the report as JSON")
        parser.add_argument(
            "--workflow-class", metavar="NAME", help="the workflow class's name (default: <CamelSlug>Workflow)"
        )
        parser.epilog = "Exit codes: 0 valid (warnings allowed), 1 errors found, 2 DIR missing or not a directory."

    def run(self, args: argparse.Namespace) -> int:
        """Validate ``args.path``: exit 0 when valid, 1 with errors, 2 when it is not a directory."""
        if not args.path.strip():  # Path("") is ".": an empty argument must not mean the current directory
            raise CommandError("the bundle path is empty; pass the path of a runbook bundle directory")
        try:
            report = validate_runbook(args.path, workflow_class=args.workflow_class)
        except OSError as exc:  # an unreadable directory: no report can say more
            where = exc.filename if exc.filename is not None else args.path
            raise CommandError(f"{where}: cannot be read ({exc.strerror or exc}); check its permissions") from None
        missing = any(i.code in ("RUNBOOK_DIR_NOT_FOUND", "RUNBOOK_DIR_NOT_A_DIR") for i in report.errors)
        if args.json:
            print_json(report.to_json(), "the report")
            sys.stdout.flush()
            return 2 if missing else (0 if report.ok else 1)
        if missing:
            raise CommandError(report.errors[0].message, exit_code=2)
        sys.stdout.write(report.render())
        sys.stdout.flush()
        return 0 if report.ok else 1


VALIDATE_COMMAND = ValidateCommand()
"""The object the ``workflow.validate`` entry point names."""

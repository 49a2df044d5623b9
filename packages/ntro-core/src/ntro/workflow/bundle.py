"""Load runbook bundles: a directory with ``runbook.md`` and a ``templates/`` package.

A bundle looks like this::

    nav-monthly/
      runbook.md            YAML frontmatter (slug, name, version, ...) + markdown body
      templates/
        __init__.py         required, may be empty: templates/ is imported as a package
        workflow.py         class NavMonthlyWorkflow(NtroWorkflow), decorated with @runbook.defn
        activities.py       optional: the @activity.defn functions
        models.py           optional: pydantic models for input, payloads and results
        data/...            optional: files the activities read

:func:`load_bundle` imports ``templates/`` as a synthetic package (so
``from .models import X`` works), finds the workflow class and the activities,
and returns a :class:`Bundle`. Importing the workflow module registers its slug,
so child workflows started by slug find it. :func:`parse_input` turns JSON text
or a plain object into the argument the workflow's run method expects.

Every problem is reported as one :class:`BundleError` (or :class:`InputError`)
line that says what is wrong and how to fix it.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import re
import sys
import threading
import traceback
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import attrs

from ntro.runtime.protocol import activity_definition, maybe_workflow_definition
from ntro.runtime.protocol._naming import class_name_for_slug
from ntro.workflow import registry
from ntro.workflow.exceptions import NtroError

__all__ = [
    "Bundle",
    "BundleError",
    "InputError",
    "input_model",
    "load_bundle",
    "parse_input",
    "parse_json",
    "read_frontmatter",
]

PACKAGE_PREFIX = "_ntro_bundle_"
"""Prefix of the synthetic package each bundle's ``templates/`` is imported as."""

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ACTIVITY_MODULES = ("activities", "workflow")
_MAX_FIELD_ERRORS = 5


class BundleError(NtroError, ValueError):
    """A directory is not a loadable runbook bundle; the message says why and how to fix it."""


class InputError(NtroError, ValueError):
    """Input for a workflow is not valid JSON or does not match its run method's parameter."""


@attrs.frozen
class Bundle:
    """A loaded runbook bundle.

    Attributes:
        path: The bundle directory, resolved.
        slug: The slug from the ``runbook.md`` frontmatter (also the workflow's registry slug).
        meta: The whole frontmatter mapping (read-only).
        workflow_cls: The ``@runbook.defn`` class from ``templates/workflow.py``.
        activities: The ``@activity.defn`` functions found in ``templates/activities.py``
            and ``templates/workflow.py``, in definition order, one per activity name.
        body: The markdown body of ``runbook.md`` after the frontmatter.
        package: The name of the synthetic package ``templates/`` was imported as.
    """

    path: Path
    slug: str
    meta: Mapping[str, Any]
    workflow_cls: type
    activities: tuple[Callable[..., Any], ...]
    body: str
    package: str = ""

    @property
    def name(self) -> str:
        """The human name from the frontmatter (the slug when absent)."""
        value = self.meta.get("name")
        return str(value) if value else self.slug

    @property
    def version(self) -> str | None:
        """The version from the frontmatter, if any."""
        value = self.meta.get("version")
        return None if value is None else str(value)


# -- the synthetic packages ------------------------------------------------------------


class _BundleFinder(importlib.abc.MetaPathFinder):
    """Finds the synthetic ``_ntro_bundle_*`` packages by name.

    With it, ``import _ntro_bundle_nav_monthly.workflow`` works anywhere in the
    process once the bundle was loaded, even where ``sys.modules`` is not the
    one the bundle was first imported into (a sandbox that re-imports modules).
    """

    def __init__(self) -> None:
        self.roots: dict[str, Path] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        root = self.roots.get(fullname)
        if root is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, root / "__init__.py", submodule_search_locations=[str(root)]
        )


_finder = _BundleFinder()
_lock = threading.RLock()
_cache: dict[tuple[Path, str | None], Bundle] = {}


def _install_finder() -> None:
    if _finder not in sys.meta_path:
        sys.meta_path.append(_finder)


def _package_name(slug: str, templates: Path) -> str:
    base = PACKAGE_PREFIX + re.sub(r"\W", "_", slug)
    owner = _finder.roots.get(base)
    if owner is None or owner == templates:
        return base
    digest = hashlib.sha1(str(templates).encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{base}_{digest}"


def _forget_package(package: str) -> None:
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


# -- runbook.md -------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_frontmatter(runbook_md: Path) -> tuple[dict[str, Any], str]:
    """Split ``runbook.md`` into its frontmatter mapping and its markdown body.

    Args:
        runbook_md: The path of a ``runbook.md`` file.

    Returns:
        The frontmatter as a dict, and the body text after it.

    Raises:
        BundleError: The file cannot be read, has no ``---`` frontmatter, the
            frontmatter is not valid YAML, or it is not a mapping.
    """
    where = _display(runbook_md)
    try:
        text = runbook_md.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise BundleError(f"{where}: cannot be read ({reason})") from None
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise BundleError(
            f"{where}: no YAML frontmatter; start the file with a '---' line, then 'slug: ...' and the other keys, "
            "then a closing '---' line"
        )
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise BundleError(f"{where}: the frontmatter is not closed; add a '---' line after it")
    import yaml  # lazily: only bundle loading needs it

    try:
        meta = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at = f" at line {mark.line + 2}" if mark is not None else ""
        raise BundleError(f"{where}: the frontmatter is not valid YAML{at}: {problem}") from None
    except RecursionError:
        raise BundleError(f"{where}: the frontmatter nests lists or mappings too deeply to read") from None
    except Exception as exc:  # PyYAML's constructors fail with plain errors: !!int abc, 2001-13-45, 5000 digits
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise BundleError(f"{where}: the frontmatter has a value YAML cannot read ({reason})") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BundleError(
            f"{where}: the frontmatter must be a YAML mapping (key: value lines), not a {type(meta).__name__}"
        )
    return meta, "".join(lines[end + 1 :])


# -- import errors ----------------------------------------------------------------------


def _import_error_line(exc: BaseException, templates: Path, module_file: Path) -> str:
    """Return ``Type: message (file:line)`` naming the innermost frame inside the bundle."""
    summary = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {summary}" if summary else type(exc).__name__
    location: str | None = None
    if isinstance(exc, SyntaxError) and exc.filename:
        location = f"{_display(Path(exc.filename))}:{exc.lineno}"
        text = f"SyntaxError: {exc.msg}"
    else:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            try:
                inside = Path(frame.filename).resolve().is_relative_to(templates)
            except OSError:
                inside = False
            if inside:
                location = f"{_display(Path(frame.filename))}:{frame.lineno}"
                break
    if location is None:
        location = _display(module_file)
    return f"{text} ({location})"


def _import_bundle_modules(package: str, templates: Path) -> dict[str, ModuleType]:
    """Import the package and its ``activities`` and ``workflow`` modules."""
    _install_finder()
    _finder.roots[package] = templates
    modules: dict[str, ModuleType] = {}
    current = templates / "__init__.py"
    try:
        modules["__init__"] = importlib.import_module(package)
        for name in ("activities", "workflow"):
            current = templates / f"{name}.py"
            if current.is_file():
                modules[name] = importlib.import_module(f"{package}.{name}")
    except Exception as exc:
        _forget_package(package)
        _finder.roots.pop(package, None)
        detail = _import_error_line(exc, templates, current)
        raise BundleError(f"{_display(current)} failed to import: {detail}") from exc
    return modules


# -- load_bundle ---------------------------------------------------------------------------


def _collect_activities(modules: Mapping[str, ModuleType]) -> tuple[Callable[..., Any], ...]:
    found: list[Callable[..., Any]] = []
    names: set[str] = set()
    for module_name in _ACTIVITY_MODULES:
        module = modules.get(module_name)
        if module is None:
            continue
        for value in vars(module).values():
            defn = activity_definition(value)
            if defn is None or defn.name in names:
                continue
            names.add(defn.name)
            found.append(value)
    return tuple(found)


def _workflow_classes(module: ModuleType) -> list[str]:
    return sorted(
        name
        for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__ and maybe_workflow_definition(value)
    )


def load_bundle(path: str | Path, *, workflow_class: str | None = None) -> Bundle:
    """Load the runbook bundle in directory ``path``.

    The slug comes from the ``runbook.md`` frontmatter; the directory may have
    any name (a deployment can keep versions in ``<slug>/<version>/``). The
    workflow class is ``workflow_class``, else the slug in CamelCase plus
    ``Workflow`` (``nav-monthly`` -> ``NavMonthlyWorkflow``); it must be
    decorated with ``@runbook.defn`` and register that same slug.

    Loading the same directory again returns the same :class:`Bundle` (and so
    the same class), without importing anything twice.

    Args:
        path: The bundle directory.
        workflow_class: The name of the workflow class in ``templates/workflow.py``.

    Returns:
        The loaded bundle.

    Raises:
        BundleError: The directory is not a loadable bundle; the message says why.
    """
    if not str(path).strip():  # Path("") is ".": an empty argument must not mean the current directory
        raise BundleError("the bundle path is empty; pass the path of a runbook bundle directory")
    if "\0" in str(path):
        raise BundleError(f"{str(path)!r} is not a usable path (it holds a NUL byte)")
    given = Path(path)
    try:
        if not given.exists():
            raise BundleError(f"{given}: no such directory; pass the path of a runbook bundle directory")
        if not given.is_dir():
            raise BundleError(
                f"{given}: not a directory; a runbook bundle is a directory holding runbook.md and templates/"
            )
        root = given.resolve()
        with _lock:
            cached = _cache.get((root, workflow_class))
            if cached is not None:
                registry.register_workflow(cached.slug, cached.workflow_cls)
                return cached
            bundle = _load(given, root, workflow_class)
            _cache[(root, workflow_class)] = bundle
            return bundle
    except OSError as exc:  # an unreadable directory, a name too long...
        on = f" on {exc.filename}" if exc.filename is not None and str(exc.filename) != str(given) else ""
        raise BundleError(
            f"{given}: cannot be read ({exc.strerror or exc}{on}); check the path and its permissions"
        ) from None


def _load(given: Path, root: Path, workflow_class: str | None) -> Bundle:
    runbook_md = root / "runbook.md"
    if not runbook_md.is_file():
        raise BundleError(
            f"{given}: not a runbook bundle (no runbook.md); a bundle holds runbook.md, "
            "templates/__init__.py and templates/workflow.py"
        )
    meta, body = read_frontmatter(runbook_md)
    where = _display(runbook_md)
    slug = meta.get("slug")
    if slug is None or slug == "":
        raise BundleError(f"{where}: the frontmatter has no 'slug'; add 'slug: {root.name}'")
    if not isinstance(slug, str) or not _SLUG_RE.match(slug):
        raise BundleError(
            f"{where}: slug {slug!r} is not valid; use lowercase letters, digits and dashes (e.g. 'nav-monthly')"
        )
    templates = root / "templates"
    if not templates.is_dir():
        raise BundleError(f"{given}: no templates/ directory; the workflow code lives in templates/workflow.py")
    if not (templates / "__init__.py").is_file():
        raise BundleError(
            f"{_display(templates)}: no __init__.py; create an empty templates/__init__.py "
            "(templates/ is imported as a package)"
        )
    if not (templates / "workflow.py").is_file():
        raise BundleError(f"{_display(templates)}: no workflow.py; it must define the bundle's @runbook.defn class")
    package = _package_name(slug, templates)
    modules = _import_bundle_modules(package, templates)
    workflow_module = modules["workflow"]
    workflow_py = _display(templates / "workflow.py")
    class_name = workflow_class or class_name_for_slug(slug)
    cls = vars(workflow_module).get(class_name)
    if not isinstance(cls, type):
        found = _workflow_classes(workflow_module)
        listing = ", ".join(found) if found else "none"
        hint = "pass the class name (--workflow-class NAME)" if found else f"define class {class_name}"
        raise BundleError(
            f"{workflow_py} has no class {class_name}; @runbook.defn classes found there: {listing}; {hint}"
        )
    defn = maybe_workflow_definition(cls)
    if defn is None:
        raise BundleError(f"{workflow_py}: class {class_name} is not decorated with @runbook.defn; add it")
    if defn.slug != slug:
        raise BundleError(
            f"{workflow_py}: {class_name} registers slug {defn.slug!r} but runbook.md says {slug!r}; "
            "make them agree (@runbook.defn(slug=...) or the frontmatter)"
        )
    registry.register_workflow(slug, cls)
    return Bundle(
        path=root,
        slug=slug,
        meta=MappingProxyType(meta),
        workflow_cls=cls,
        activities=_collect_activities(modules),
        body=body,
        package=package,
    )


# -- input ----------------------------------------------------------------------------------


def _run_method(cls: type) -> Callable[..., Any]:
    defn = maybe_workflow_definition(cls)
    name = defn.run_method if defn is not None else "run"
    method = getattr(cls, name, None)
    if method is None or not callable(method):
        raise InputError(f"{cls.__qualname__} has no run method: decorate its entry coroutine with @runbook.run")
    return method  # type: ignore[no-any-return]


def _input_parameter(cls: type) -> inspect.Parameter | None:
    params = list(inspect.signature(_run_method(cls)).parameters.values())
    positional = [p for p in params[1:] if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional[0] if positional else None


def input_model(cls: type) -> Any:
    """Return the annotation of the input parameter of ``cls``'s run method.

    That is the first parameter after ``self``. String annotations (``from
    __future__ import annotations``) are resolved in the method's module.

    Args:
        cls: A workflow class.

    Returns:
        The annotation (usually a pydantic model class), or ``None`` when the run
        method takes no input or its input parameter is not annotated.

    Raises:
        InputError: ``cls`` has no run method, or the annotation cannot be resolved.
    """
    param = _input_parameter(cls)
    if param is None:
        return None
    method = _run_method(cls)
    try:
        hints = typing.get_type_hints(method)
    except Exception as exc:
        raise InputError(
            f"{cls.__qualname__}.{method.__name__}: cannot resolve the annotation of {param.name!r} ({exc})"
        ) from None
    return hints.get(param.name)


def _describe(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation)


def _field_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    parts: list[str] = []
    for err in errors[:_MAX_FIELD_ERRORS]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(input)"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    if len(errors) > _MAX_FIELD_ERRORS:
        parts.append(f"and {len(errors) - _MAX_FIELD_ERRORS} more")
    return "; ".join(parts)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value (JSON has no NaN or Infinity); use null, a number or a string")


def parse_json(text: str | bytes | bytearray, what: str = "input") -> Any:
    """Parse JSON text strictly: no ``NaN`` or ``Infinity``, and no nesting deeper than Python can read.

    Args:
        text: The JSON text.
        what: What the text is, for the message (``input``, ``--correction``...).

    Raises:
        InputError: The text is empty or not JSON; the message says where and why.
    """
    if not (text.strip() if isinstance(text, str) else bytes(text).strip()):
        raise InputError(f"{what} is empty; give a JSON value, e.g. {{}} or null")
    try:
        return json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{what} nests lists and objects too deeply to read; flatten it") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{what} is not valid JSON: {exc}") from None


def parse_input(cls: type, raw: Any) -> Any:
    """Turn ``raw`` into the argument ``cls``'s run method expects.

    ``raw`` may be JSON text (``str`` or ``bytes``), an already-parsed object, or
    ``None`` for "no input". With an annotated input parameter the value is
    validated with pydantic (a ``BaseModel`` with ``model_validate``, anything
    else with a ``TypeAdapter``). With no input, a pydantic model whose fields
    all have defaults is built from ``{}``; a parameter with a default, or no
    parameter, gives ``None`` (the run method is then called without input).

    Args:
        cls: A workflow class.
        raw: JSON text, a parsed value, or ``None``.

    Returns:
        The validated input, or ``None`` for "call run without input".

    Raises:
        InputError: The text is not JSON, the value does not validate, input was
            given to a run method that takes none, or input is required but missing.
    """
    param = _input_parameter(cls)
    run_name = f"{cls.__qualname__}.{_run_method(cls).__name__}"
    if isinstance(raw, (str, bytes, bytearray)):
        raw = parse_json(raw)
    if param is None:
        if raw is not None:
            raise InputError(f"{run_name} takes no input, but input was given; drop it")
        return None
    annotation = input_model(cls)
    if raw is None:
        if param.default is not inspect.Parameter.empty:
            return None
        if annotation is None or annotation is Any:
            raise InputError(f"{run_name} needs input ({param.name!r}); pass it as JSON")
        raw = {}
        missing_hint = True
    else:
        missing_hint = False
    if annotation is None or annotation is Any:
        return raw
    from pydantic import BaseModel, TypeAdapter, ValidationError  # lazily: keep `import ntro.workflow` cheap

    try:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation.model_validate(raw)
        return TypeAdapter(annotation).validate_python(raw)
    except ValidationError as exc:
        errors = exc.errors()
        if missing_hint:
            raise InputError(
                f"{run_name} needs input: {_describe(annotation)} has required fields ({_field_errors(errors)}); "
                "pass it as JSON"
            ) from None
        raise InputError(f"input does not match {_describe(annotation)}: {_field_errors(errors)}") from None

"""The API reference documents every public name of the five distributions.

A public module is one under ``packages/*/src/ntro`` with no part of its name
starting with ``_``; its public names are its ``__all__`` (or, without one,
the public names it defines). Each must be in the site's ``objects.inv``
under that module, or be the same object as a name documented under another
public module (a re-export, documented once where it lives).
"""

from __future__ import annotations

import importlib
import re
import zlib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
PACKAGES = REPO / "packages"


def public_modules() -> list[str]:
    """Every public module of the five distributions, by dotted name."""
    found = set()
    for src in sorted(PACKAGES.glob("*/src")):
        for path in (src / "ntro").rglob("*.py"):
            parts = list(path.relative_to(src).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if any(part.startswith("_") for part in parts):
                continue
            found.add(".".join(parts))
    return sorted(found)


def public_names(module: Any) -> list[str]:
    """``__all__``, or the public names the module defines itself."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    ]


def documented(site: Path) -> set[str]:
    """The Python objects in the site's ``objects.inv`` (Sphinx's inventory format, version 2)."""
    data = (site / "objects.inv").read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    assert data.startswith(b"# Sphinx inventory version 2"), "not a version 2 inventory"
    names = set()
    for line in zlib.decompress(data[header_end:]).decode("utf-8").splitlines():
        match = re.match(r"(.+?)\s+py:\w+\s+-?\d+\s", line)
        if match:
            names.add(match.group(1))
    return names


def _is_value(obj: Any) -> bool:
    return isinstance(obj, (str, int, float, bool, tuple, frozenset, type(None)))


def test_the_modules_are_found() -> None:
    """The walk finds the modules the reference is organised by (a broken walk would check nothing)."""
    modules = public_modules()
    for expected in ("ntro.workflow", "ntro.runtime.protocol", "ntro.runtime.local", "ntro.runtime.temporal"):
        assert expected in modules
    assert "ntro.testing.report" in modules
    assert not [m for m in modules if "._" in m]


def test_every_public_name_is_documented(site: Path) -> None:
    """Each public module and each name it exports has an entry in the reference."""
    names = documented(site)
    homes: dict[int, list[str]] = {}
    modules = {name: importlib.import_module(name) for name in public_modules()}
    for module_name, module in modules.items():
        for name in public_names(module):
            full = f"{module_name}.{name}"
            if full in names:
                homes.setdefault(id(getattr(module, name)), []).append(full)
    missing = [f"{m} (the module)" for m in modules if m not in names]
    for module_name, module in modules.items():
        for name in public_names(module):
            full = f"{module_name}.{name}"
            if full in names:
                continue
            obj = getattr(module, name)
            if not _is_value(obj) and homes.get(id(obj)):
                continue
            missing.append(full)
    assert not missing, "public names missing from the API reference:\n  " + "\n  ".join(missing)

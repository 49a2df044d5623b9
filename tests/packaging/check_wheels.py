"""Check built wheels against the namespace rule and the lockstep-version rule.

Usage: python check_wheels.py WHEELHOUSE

No wheel may carry ``ntro/__init__.py`` or ``ntro/runtime/__init__.py``
(PEP 420 namespaces shared by the five distributions), every wheel must have
the same version, and each leaf package must ship ``py.typed``.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

FORBIDDEN = {"ntro/__init__.py", "ntro/runtime/__init__.py"}
EXPECTED = {"ntro_core", "ntro_runtime_local", "ntro_runtime_temporal", "ntro_harness", "ntro_console"}


def _leaf_packages(files: set[str]) -> set[str]:
    """Return the regular packages just below the namespaces (``ntro/workflow``, ``ntro/runtime/local``)."""
    leaves = set()
    for name in files:
        parts = name.split("/")
        if parts[-1] != "__init__.py" or parts[0] != "ntro":
            continue
        if (len(parts) == 3 and parts[1] != "runtime") or (len(parts) == 4 and parts[1] == "runtime"):
            leaves.add("/".join(parts[:-1]))
    return leaves


def check(wheelhouse: Path) -> list[str]:
    """Return the problems found in the ntro wheels of ``wheelhouse``."""
    problems: list[str] = []
    wheels = [w for w in wheelhouse.glob("ntro_*.whl")]
    names = {w.name.split("-")[0] for w in wheels}
    if names != EXPECTED:
        problems.append(f"expected wheels {sorted(EXPECTED)}, found {sorted(names)}")
    versions = {w.name.split("-")[1] for w in wheels}
    if len(versions) > 1:
        problems.append(f"versions differ: {sorted(versions)}")
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            files = set(zf.namelist())
        for bad in sorted(FORBIDDEN & files):
            problems.append(f"{wheel.name} ships {bad}, which breaks the shared ntro namespace")
        for package in sorted(_leaf_packages(files)):
            if f"{package}/py.typed" not in files:
                problems.append(f"{wheel.name}: {package} has no py.typed")
    return problems


def main() -> int:
    """Check the wheelhouse named on the command line."""
    wheelhouse = Path(sys.argv[1])
    problems = check(wheelhouse)
    for problem in problems:
        print(f"check_wheels: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_wheels: {len(list(wheelhouse.glob('ntro_*.whl')))} wheels ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

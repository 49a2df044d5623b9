"""No distribution reaches into another one's private modules.

A backend (or the harness, or code outside the distributions: tests, examples,
docs, the benchmarks, the root conftest) may only use what the owning
distribution makes public; for ntro-core that is
``ntro.runtime.protocol`` and the public ``ntro.workflow`` modules. The third
backend the tests install (``tests/third_backend``) is checked as a
distribution of its own: written from public names only, as anyone else's
backend would be. The test reads every import statement of the tree, so it
needs nothing installed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Which distribution owns which package prefix (longest prefix wins).
OWNERS = {
    "ntro.workflow": "ntro-core",
    "ntro.runtime.protocol": "ntro-core",
    "ntro.cli": "ntro-core",
    "ntro.client": "ntro-core",
    "ntro.events": "ntro-core",
    "ntro.ingest": "ntro-core",
    "ntro.registry": "ntro-core",
    "ntro.runtime.local": "ntro-runtime-local",
    "ntro.runtime.temporal": "ntro-runtime-temporal",
    "ntro.testing": "ntro-harness",
    "ntro.console": "ntro-console",
    "ntro.runtime.understudy": "ntro-runtime-understudy",
}

# Distributions outside packages/: the third backend of the tests.
EXTRA_DISTRIBUTIONS = ("tests/third_backend",)

# Trees and files whose code is not part of any distribution: they get no private access at all.
OUTSIDE = ("tests", "examples", "docs", "bench", "conftest.py")


def owner_of(module: str) -> str | None:
    best = None
    for prefix, dist in OWNERS.items():
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, dist)
    return best[1] if best else None


def private_part(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if not private_part(node.module):  # "from ntro.workflow import _facade" imports a private module too
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def checked_files() -> list[tuple[Path, str | None]]:
    """Every Python file the check reads, with the distribution it belongs to (``None``: none)."""
    dists = [d for d in sorted((ROOT / "packages").iterdir()) if (d / "pyproject.toml").exists()]
    dists += [ROOT / extra for extra in EXTRA_DISTRIBUTIONS]
    trees: list[tuple[Path, str | None]] = [(d, _dist_name(d)) for d in dists]
    trees += [(ROOT / name, None) for name in OUTSIDE if (ROOT / name).exists()]
    found: dict[Path, str | None] = {}
    for tree, dist in trees:
        paths = sorted(tree.rglob("*.py")) if tree.is_dir() else [tree]
        for p in paths:
            if not any(part in (".nox", "_build", "__pycache__", ".venv") for part in p.parts):
                found.setdefault(p, dist)  # a distribution's own files first: tests/third_backend is not "outside"
    return list(found.items())


def _dist_name(tree: Path) -> str:
    """The distribution's name, from its pyproject.toml."""
    import tomllib

    name: str = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    return name


def violations() -> list[str]:
    bad: list[str] = []
    for path, dist in checked_files():
        for line, module in imported_modules(path):
            owner = owner_of(module)
            if owner is not None and owner != dist and private_part(module):
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module} (private to {owner})")
    return bad


def test_no_distribution_imports_another_ones_private_modules() -> None:
    found = violations()
    assert not found, "use the public interface (ntro.runtime.protocol) instead:\n" + "\n".join(found)


def test_the_check_reads_the_benchmarks_and_the_root_conftest() -> None:
    """Code outside the distributions gets no private access: the benchmarks and the root conftest included."""
    files = dict(checked_files())
    for outside in ("conftest.py", "bench/run.py", "bench/profiles/harness_temporal.py"):
        assert files[ROOT / outside] is None, outside
    assert files[ROOT / "packages/ntro-core/src/ntro/workflow/_facade.py"] == "ntro-core"


def test_the_check_reads_the_third_backend_as_a_distribution_of_its_own() -> None:
    """The third backend may use only what ntro-core and ntro-runtime-local make public."""
    files = dict(checked_files())
    assert files[ROOT / "tests/third_backend/src/ntro/runtime/understudy/__init__.py"] == "ntro-runtime-understudy"
    assert owner_of("ntro.runtime.understudy._anything") == "ntro-runtime-understudy"
    assert owner_of("ntro.runtime.local._client") == "ntro-runtime-local"


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    """The check itself: a cross-distribution private import is reported, a same-distribution one is not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from ntro.runtime.protocol._definitions import find_activity\n"
        "import ntro.runtime.local._runtime\n"
        "from ntro.workflow import _facade\n"
        "from ntro.runtime.protocol import resolve_workflow\n"
    )
    modules = [m for _, m in imported_modules(sample) if private_part(m)]
    assert modules == ["ntro.runtime.protocol._definitions", "ntro.runtime.local._runtime", "ntro.workflow._facade"]
    assert owner_of("ntro.runtime.protocol._client") == "ntro-core"
    assert owner_of("ntro.runtime.local._runtime") == "ntro-runtime-local"

"""Engines are found only through entry points: no line of ntro-core (the CLI included) or the harness names one.

ntro-core may know its default backend (``DEFAULT_BACKEND``) and the pip
commands of its own extras (``INSTALL_HINT``); everything else about an
engine comes from what the installed backends publish (``ntro.runtimes``,
``ntro.clients``, ``ntro.backends``). The check reads the sources, so it needs
nothing installed:

* the third backend of ``tests/third_backend`` is not named at all;
* no literal tuple, list or set lists two engines, no ``choices=`` lists one,
  and no comparison tests a value against an engine's name;
* neither temporalio nor the Temporal backend is imported, ``TEMPORAL_HOST``
  is not mentioned, and temporalio's modules and loggers are not named
  (the determinism lint, which looks for temporalio in runbook code, aside).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = (ROOT / "packages/ntro-core/src", ROOT / "packages/ntro-harness/src")
THIRD = ROOT / "tests/third_backend/pyproject.toml"
GROUPS = ("ntro.runtimes", "ntro.clients", "ntro.backends")
LINT = ROOT / "packages/ntro-harness/src/ntro/testing/lint"


def published(pyproject: Path) -> set[str]:
    """The engine names a distribution publishes under the backend entry-point groups."""
    points = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("entry-points", {})
    return {name for group in GROUPS for name in points.get(group, {})}


def engine_names() -> set[str]:
    """Every engine the repository's backends publish, the third one's included."""
    found: set[str] = set()
    for pyproject in [*sorted(ROOT.glob("packages/*/pyproject.toml")), THIRD]:
        found |= published(pyproject)
    return found


def third_backend_words() -> set[str]:
    """How the third backend could be named: its engine names, its distribution and its package."""
    data = tomllib.loads(THIRD.read_text(encoding="utf-8"))
    names = published(THIRD)
    packages = {value.split(":")[0] for group in GROUPS for value in data["project"]["entry-points"][group].values()}
    return {*names, data["project"]["name"], *packages}


def sources() -> list[Path]:
    return [p for tree in CHECKED for p in sorted(tree.rglob("*.py")) if "__pycache__" not in p.parts]


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def findings(path: Path, text: str, engines: set[str]) -> list[str]:
    """What in one source names an engine where only entry points should."""
    bad: list[str] = []
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    tree = ast.parse(text, filename=str(path))
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            named = {s for s in _strings(node) if s in engines}
            if len(named) >= 2:
                bad.append(f"{where}:{line}: a literal lists engines {sorted(named)}")
        elif isinstance(node, ast.keyword) and node.arg == "choices":
            named = {s for s in _strings(node.value) if s in engines}
            if named:
                bad.append(f"{where}:{line}: choices= lists engines {sorted(named)}")
        elif isinstance(node, ast.Compare):
            named = {s for s in _strings(node) if s in engines}
            if named:
                bad.append(f"{where}:{line}: compares with engine names {sorted(named)}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] == "temporalio" or module.startswith("ntro.runtime.temporal"):
                    bad.append(f"{where}:{line}: imports {module}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("temporalio")
            and not path.is_relative_to(LINT)
        ):
            bad.append(f"{where}:{line}: names {node.value!r}")
    if "TEMPORAL_HOST" in text:
        bad.append(f"{where}: mentions TEMPORAL_HOST")
    return bad


def test_core_and_the_harness_never_name_the_third_backend() -> None:
    words = third_backend_words()
    assert "understudy" in words and "ntro-runtime-understudy" in words  # the check reads the real names
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(word.lower() in line.lower() for word in words)
    ]
    assert not found, "core, the CLI and the harness must find this backend through entry points:\n" + "\n".join(found)


def test_no_engine_is_hardcoded_in_core_the_cli_or_the_harness() -> None:
    engines = engine_names()
    assert {"local", "temporal", "understudy"} <= engines
    found = [f for path in sources() for f in findings(path, path.read_text(encoding="utf-8"), engines)]
    assert not found, "choose engines from the installed entry points instead:\n" + "\n".join(found)


def test_the_check_sees_each_kind_of_naming(tmp_path: Path) -> None:
    """The check itself, on the kinds of line this tree used to hold."""
    sample = tmp_path / "sample.py"
    text = (
        'RUNTIMES = ("local", "temporal")\n'
        'parser.add_argument("--runtime", choices=("local", "both"))\n'
        'if runtime == "temporal":\n    pass\n'
        'if host and "temporal" in found:\n    pass\n'
        'LOGGERS = ("temporalio",)\n'
        "from temporalio.worker import Replayer\n"
        "from ntro.runtime.temporal import NtroPlugin\n"
        'host = os.environ.get("TEMPORAL_HOST")\n'
        'DEFAULT = "local"\n'
    )
    got = findings(sample, text, {"local", "temporal"})
    assert sorted(f.split(": ", 1)[1] for f in got) == sorted(
        [
            "a literal lists engines ['local', 'temporal']",
            "choices= lists engines ['local']",
            "compares with engine names ['temporal']",
            "compares with engine names ['temporal']",
            "names 'temporalio'",
            "imports temporalio.worker",
            "imports ntro.runtime.temporal",
            "mentions TEMPORAL_HOST",
        ]
    )

"""The namespace rule: no distribution ships ntro/__init__.py or ntro/runtime/__init__.py."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from check_wheels import check  # noqa: E402


def test_no_source_tree_ships_a_namespace_init() -> None:
    for src in sorted(ROOT.glob("packages/*/src")):
        assert not (src / "ntro/__init__.py").exists(), f"{src} ships ntro/__init__.py"
        assert not (src / "ntro/runtime/__init__.py").exists(), f"{src} ships ntro/runtime/__init__.py"


def test_ntro_and_ntro_runtime_are_namespace_packages() -> None:
    for name in ("ntro", "ntro.runtime"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin in (None, "namespace"), f"{name} is not a PEP 420 namespace"


def _wheel(folder: Path, dist: str, files: list[str], version: str = "0.2.0") -> None:
    with zipfile.ZipFile(folder / f"{dist}-{version}-py3-none-any.whl", "w") as zf:
        for name in files:
            zf.writestr(name, "")


def _good(folder: Path) -> None:
    _wheel(folder, "ntro_core", ["ntro/workflow/__init__.py", "ntro/workflow/py.typed"])
    _wheel(folder, "ntro_runtime_local", ["ntro/runtime/local/__init__.py", "ntro/runtime/local/py.typed"])
    _wheel(folder, "ntro_runtime_temporal", ["ntro/runtime/temporal/__init__.py", "ntro/runtime/temporal/py.typed"])
    _wheel(folder, "ntro_harness", ["ntro/testing/__init__.py", "ntro/testing/py.typed"])
    _wheel(folder, "ntro_console", ["ntro/console/__init__.py", "ntro/console/py.typed"])


def test_check_wheels_accepts_well_formed_wheels(tmp_path: Path) -> None:
    _good(tmp_path)
    assert check(tmp_path) == []


def test_check_wheels_catches_a_stray_namespace_init(tmp_path: Path) -> None:
    _good(tmp_path)
    _wheel(tmp_path, "ntro_harness", ["ntro/__init__.py", "ntro/testing/__init__.py", "ntro/testing/py.typed"])
    problems = check(tmp_path)
    assert problems == [
        "ntro_harness-0.2.0-py3-none-any.whl ships ntro/__init__.py, which breaks the shared ntro namespace"
    ]


def test_check_wheels_catches_version_skew_and_missing_py_typed(tmp_path: Path) -> None:
    _good(tmp_path)
    (tmp_path / "ntro_harness-0.2.0-py3-none-any.whl").unlink()
    _wheel(tmp_path, "ntro_harness", ["ntro/testing/__init__.py"], version="0.3.0")
    problems = check(tmp_path)
    assert any("versions differ" in p for p in problems)
    assert any("ntro/testing has no py.typed" in p for p in problems)

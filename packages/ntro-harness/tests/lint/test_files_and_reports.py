"""Walking paths, and the text, JSON and GitHub formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ntro.testing.lint import FORMATS, Finding, iter_python_files, render


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_directories_are_walked_for_python_files(tmp_path: Path) -> None:
    touch(tmp_path / "a.py")
    touch(tmp_path / "pkg" / "b.py")
    touch(tmp_path / "notes.txt")
    for skipped in ("__pycache__", ".venv", ".nox", ".hidden", "venv"):
        touch(tmp_path / skipped / "c.py")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_python_files([tmp_path])]
    assert found == ["a.py", "pkg/b.py"]


def test_bundle_directories_lint_only_templates(tmp_path: Path) -> None:
    bundle = tmp_path / "runbooks" / "demo"
    touch(bundle / "runbook.md", "---\nslug: demo\n---\n")
    touch(bundle / "templates" / "workflow.py")
    touch(bundle / "tests" / "scenarios.py")
    touch(bundle / "conftest.py")
    for root in (tmp_path / "runbooks", bundle):
        found = [p.relative_to(tmp_path).as_posix() for p in iter_python_files([root])]
        assert found == ["runbooks/demo/templates/workflow.py"]


def test_files_are_taken_as_given_and_deduplicated(tmp_path: Path) -> None:
    script = touch(tmp_path / "script")
    module = touch(tmp_path / "m.py")
    assert list(iter_python_files([script, module, tmp_path / "m.py", tmp_path])) == [script, module]


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        list(iter_python_files([tmp_path / "nope"]))


FINDINGS = [
    Finding("a/workflow.py", 3, 9, "NTR101", "datetime.datetime.now() reads the wall clock; use runbook.now()"),
    Finding("a/b,c:d.py", 7, 1, "NTR000", "cannot parse: 100% broken\nreally"),
]


def test_text_format_is_flake8_style() -> None:
    assert render(FINDINGS[:1]) == (
        "a/workflow.py:3:9: NTR101 datetime.datetime.now() reads the wall clock; use runbook.now()\n"
    )
    assert render([]) == ""


def test_json_format_has_findings_and_a_summary() -> None:
    document = json.loads(render(FINDINGS, "json", files=4))
    assert document["version"] == 1
    assert document["findings"][0] == {
        "path": "a/workflow.py",
        "line": 3,
        "column": 9,
        "code": "NTR101",
        "rule": "wall-clock",
        "message": FINDINGS[0].message,
    }
    assert document["summary"] == {"files": 4, "findings": 2, "by_code": {"NTR000": 1, "NTR101": 1}}
    assert json.loads(render([], "json", files=0))["findings"] == []


def test_github_format_escapes_properties_and_data() -> None:
    lines = render(FINDINGS, "github").splitlines()
    assert lines[0] == (
        "::error file=a/workflow.py,line=3,col=9,title=NTR101::"
        "datetime.datetime.now() reads the wall clock; use runbook.now()"
    )
    assert lines[1] == "::error file=a/b%2Cc%3Ad.py,line=7,col=1,title=NTR000::cannot parse: 100%25 broken%0Areally"


def test_formats() -> None:
    assert FORMATS == ("text", "json", "github")

"""Robustness: the lint runs over every .py file of the standard library without raising."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from ntro.testing.lint import Finding, enabled_codes, lint_files

THIRD_PARTY = {"site-packages", "dist-packages", "__pycache__"}


def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files: list[Path] = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in THIRD_PARTY)
        files += [Path(directory, name) for name in sorted(names) if name.endswith(".py")]
    return files


@pytest.mark.slow
@pytest.mark.parametrize("scope", ["workflow", "module"])
def test_whole_stdlib_without_exceptions(scope: str) -> None:
    files = stdlib_files()
    assert len(files) > 500
    findings = lint_files(files, enabled_codes(), scope=scope)  # type: ignore[arg-type]
    assert all(isinstance(f, Finding) for f in findings)
    # The stdlib's test suite holds files that are broken on purpose: reported, not raised.
    assert any(f.code == "NTR000" for f in findings)
    if scope == "module":
        assert {"NTR101", "NTR105", "NTR106", "NTR108"} <= {f.code for f in findings}

"""The acceptance check: one violation per rule in a bundle, each reported exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ntro.testing.lint import RULES, lint_paths

from .seeded import EXPECTED, write_bundle


def test_each_rule_is_reported_exactly_once(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path)
    findings = lint_paths([bundle])
    assert Counter(f.code for f in findings) == Counter(list(RULES)), [f.format() for f in findings]
    assert {f.code: (Path(f.path).name, f.line) for f in findings} == EXPECTED


def test_paths_are_reported_as_walked(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path)
    paths = {f.path for f in lint_paths([bundle])}
    assert paths == {str(bundle / "templates" / "broken.py"), str(bundle / "templates" / "workflow.py")}

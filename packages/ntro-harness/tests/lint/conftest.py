from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ntro.testing.lint import Finding, lint_file

HEADER = "from ntro.workflow import NtroWorkflow, activity, runbook\n"


def workflow_source(imports: str, body: str) -> str:
    """A module with ``imports`` and one workflow whose run method holds ``body``."""
    return (
        f"{imports}\n{HEADER}\n\n"
        "@runbook.defn\n"
        "class DemoWorkflow(NtroWorkflow):\n"
        "    @runbook.run\n"
        "    async def run(self, x: int) -> None:\n"
        f"{textwrap.indent(textwrap.dedent(body), ' ' * 8)}\n"
    )


def activity_source(imports: str, body: str) -> str:
    """The same ``body`` inside an activity, beside a clean workflow."""
    return (
        f"{imports}\n{HEADER}\n\n"
        "@activity.defn\n"
        "async def demo_activity(x: int) -> None:\n"
        f"{textwrap.indent(textwrap.dedent(body), ' ' * 4)}\n\n\n"
        "@runbook.defn\n"
        "class DemoWorkflow(NtroWorkflow):\n"
        "    @runbook.run\n"
        "    async def run(self, x: int) -> None:\n"
        "        await runbook.execute_activity(demo_activity, x)\n"
    )


LintText = Callable[..., list[Finding]]


@pytest.fixture
def lint_text(tmp_path: Path) -> LintText:
    """Write ``source`` to a file under tmp_path and lint it."""

    def run(source: str, name: str = "workflow.py", **options: object) -> list[Finding]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return lint_file(path, **options)  # type: ignore[arg-type]

    return run


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]

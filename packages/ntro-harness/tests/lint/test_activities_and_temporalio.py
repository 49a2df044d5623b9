"""NTR109 (activities called directly) and NTR110 (temporalio.workflow behind the facade's back)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ntro.testing.lint import lint_paths

from .conftest import LintText, codes

ACTIVITIES = """\
from ntro.workflow import activity
import temporalio.activity


@activity.defn(name="demo.fetch")
async def fetch(x: int) -> int:
    return x


@temporalio.activity.defn
async def legacy(x: int) -> int:
    return x


def plain_helper(x: int) -> int:
    return x
"""


def test_same_module_activity_called_directly(lint_text: LintText) -> None:
    source = """\
from ntro.workflow import NtroWorkflow, activity, runbook


@activity.defn
async def fetch(x: int) -> int:
    return x


@runbook.defn
class W(NtroWorkflow):
    @runbook.run
    async def run(self, x: int) -> int:
        await runbook.execute_activity(fetch, x)
        await self.run_step("fetch", fetch, x)
        return await fetch(x)
"""
    findings = lint_text(source)
    assert [(f.code, f.line) for f in findings] == [("NTR109", 15)]
    assert "runbook.execute_activity(fetch, ...)" in findings[0].message


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from .activities import fetch", "fetch(x)"),
        ("from .activities import fetch as get", "get(x)"),
        ("from .activities import legacy", "legacy(x)"),
        ("from . import activities", "activities.fetch(x)"),
        ("from templates.activities import fetch", "fetch(x)"),
        ("from templates import activities as acts", "acts.fetch(x)"),
    ],
)
def test_bundle_activity_called_directly(tmp_path: Path, imports: str, call: str) -> None:
    templates = tmp_path / "bundle" / "templates"
    templates.mkdir(parents=True)
    (tmp_path / "bundle" / "runbook.md").write_text("---\nslug: bundle\n---\n")
    (templates / "__init__.py").write_text("")
    (templates / "activities.py").write_text(ACTIVITIES)
    (templates / "workflow.py").write_text(
        f"{imports}\nfrom ntro.workflow import NtroWorkflow, runbook\n\n\n"
        "@runbook.defn\nclass W(NtroWorkflow):\n"
        "    @runbook.run\n    async def run(self, x):\n"
        f"        await runbook.execute_activity({call.split('(')[0]}, x)\n"
        f"        return await {call}\n"
    )
    findings = lint_paths([tmp_path / "bundle"])
    assert [(Path(f.path).name, f.code, f.line) for f in findings] == [("workflow.py", "NTR109", 10)]


def test_plain_functions_from_the_activities_module_are_fine(tmp_path: Path) -> None:
    (tmp_path / "activities.py").write_text(ACTIVITIES)
    (tmp_path / "workflow.py").write_text(
        "from activities import plain_helper\nfrom ntro.workflow import NtroWorkflow\n\n\n"
        "class W(NtroWorkflow):\n    async def run(self, x):\n        return plain_helper(x)\n"
    )
    assert lint_paths([tmp_path / "workflow.py"]) == []


def test_temporalio_workflow_import_is_reported_once(lint_text: LintText) -> None:
    source = """\
from datetime import timedelta
from temporalio import workflow

from ntro.workflow import NtroWorkflow


@workflow.defn
class W(NtroWorkflow):
    @workflow.run
    async def run(self):
        workflow.logger.info("start")
        return workflow.now() + timedelta(days=1)
"""
    findings = lint_text(source)
    assert [(f.code, f.line) for f in findings] == [("NTR110", 2)]
    assert "from ntro.workflow import runbook" in findings[0].message


@pytest.mark.parametrize(
    "imports",
    ["import temporalio.workflow", "from temporalio.workflow import now", "import temporalio.workflow as wf"],
)
def test_every_import_spelling_of_temporalio_workflow(lint_text: LintText, imports: str) -> None:
    source = f"{imports}\nfrom ntro.workflow import NtroWorkflow\n\n\nclass W(NtroWorkflow):\n    pass\n"
    assert codes(lint_text(source)) == ["NTR110"]


def test_temporalio_use_names_the_facade_equivalent(lint_text: LintText) -> None:
    source = """\
import temporalio
from ntro.workflow import NtroWorkflow


class W(NtroWorkflow):
    async def run(self):
        return temporalio.workflow.info().workflow_id
"""
    [finding] = lint_text(source)
    assert finding.code == "NTR110"
    assert "runbook.info()" in finding.message


def test_temporalio_outside_workflow_modules_is_not_reported(lint_text: LintText) -> None:
    activities = "from temporalio import workflow, activity\n\n\n@activity.defn\nasync def a():\n    pass\n"
    assert lint_text(activities, name="activities.py") == []
    activity_only = (
        "from temporalio import activity\n"
        "from ntro.workflow import NtroWorkflow\n\n\n"
        "class W(NtroWorkflow):\n    pass\n"
    )
    assert lint_text(activity_only) == []

"""The ntro pytest plugin: the ntro_harness fixture and --ntro-runtime."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

import ntro.testing
from ntro.testing._results import RunResult
from ntro.testing._scenarios import HAPPY, REJECT_ALL
from ntro.testing.pytest_plugin import DEFAULT_RUNTIME, HarnessFactory
from ntro.workflow import NtroWorkflow, activity, runbook


def test_the_plugin_is_published() -> None:
    [ep] = [ep for ep in entry_points(group="pytest11") if ep.name == "ntro"]
    assert ep.value == "ntro.testing.pytest_plugin"


def test_loading_the_plugin_imports_neither_temporalio_nor_the_harness() -> None:
    code = (
        "import sys\n"
        "import ntro.testing.pytest_plugin\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'temporalio' or m == 'ntro.testing._harness']\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_helpers_import_without_temporalio_pydantic_or_yaml() -> None:
    """Scenarios, mocks, loaders, reports and the validator load what they need when they need it."""
    code = (
        "import sys\n"
        "import ntro.testing._scenarios, ntro.testing.auto_mock, ntro.testing._loader\n"
        "import ntro.testing.report, ntro.testing._validate\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('temporalio', 'pydantic', 'yaml')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def run_pytest(tmp_path: Path, test_source: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(test_source), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


SAMPLE = """
    import sys

    def test_sample(request, ntro_harness):
        assert callable(ntro_harness)
        print("runtime:", request.config.getoption("--ntro-runtime"))
        loaded = [m for m in sys.modules if m.split(".")[0] == "temporalio" or m == "ntro.testing._harness"]
        assert not loaded, loaded
"""


def test_a_pytest_session_gets_the_fixture_and_option_without_temporalio(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, SAMPLE, "-s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "runtime: local" in done.stdout
    done = run_pytest(tmp_path, SAMPLE, "-s", "--ntro-runtime", "temporal")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "runtime: temporal" in done.stdout


def test_the_option_is_in_the_help(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, SAMPLE, "--help")
    assert "--ntro-runtime=NAME" in done.stdout


class FakeHarness:
    def __init__(self, workflow_cls: type, **kwargs: Any) -> None:
        self.workflow_cls = workflow_cls
        self.kwargs = kwargs


def test_the_factory_builds_harnesses_on_the_option_runtime(
    ntro_harness: HarnessFactory, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ntro.testing, "WorkflowHarness", FakeHarness)
    default = request.config.getoption("--ntro-runtime")
    harness = ntro_harness(PluginDemoWorkflow)
    assert isinstance(harness, FakeHarness)
    assert harness.workflow_cls is PluginDemoWorkflow
    assert harness.kwargs == {"runtime": default, "child_workflows": (), "mocks": None}
    children = [PluginDemoWorkflow]
    other = ntro_harness(PluginDemoWorkflow, runtime="temporal", child_workflows=children, mocks={"a": 1}, timeout=5.0)
    assert other.kwargs == {"runtime": "temporal", "child_workflows": children, "mocks": {"a": 1}, "timeout": 5.0}
    assert DEFAULT_RUNTIME == "local"


# -- end to end, on the local engine -------------------------------------------------------------


@activity.defn(name="plugin_demo.total")
async def total(values: list[int]) -> int:
    return sum(values)


@runbook.defn(slug="plugin-demo")
class PluginDemoWorkflow(NtroWorkflow):
    @runbook.step(name="review", title="Review the total")
    async def _review(self, amount: int) -> dict[str, Any]:
        return await self.wait_for_action(payload={"total": amount}, reason="Approve the total")

    @runbook.run
    async def run(self, values: list[int]) -> dict[str, Any]:
        amount = await runbook.execute_activity(total, values)
        decision = await self._review(amount)
        return {"total": amount, "decision": decision.get("kind")}


async def test_the_fixture_runs_scenarios_on_the_local_engine(ntro_harness: HarnessFactory) -> None:
    async with ntro_harness(PluginDemoWorkflow, runtime="local", mocks={"plugin_demo.total": 99}) as h:
        happy: RunResult = await h.run(input=[1, 2], scenario=HAPPY)
        rejected: RunResult = await h.run(input=[1, 2], scenario=REJECT_ALL)
    assert happy.passed, happy.error
    assert happy.result == {"total": 99, "decision": "approve"}
    assert [(c.activity, c.mocked, c.args) for c in happy.activity_calls] == [("plugin_demo.total", True, ([1, 2],))]
    assert rejected.result == {"total": 99, "decision": "reject"}
    assert happy.runtime == rejected.runtime == "local"

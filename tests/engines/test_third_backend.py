"""A third backend, registered through entry points alone, is a choice everywhere: run, test, harness, selection.

``ntro-runtime-understudy`` (``tests/third_backend``) is LocalRuntime under
another name. Nothing in ntro-core, ntro-harness or the CLI names it
(``tests/packaging/test_engine_names.py`` checks); these tests run the
commands a user would, as real processes.

Where it is not installed (the temporal leg) they are skipped, saying so;
``NTRO_REQUIRE_THIRD_BACKEND=1`` (set by the local leg) makes its absence an
error instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ntro.runtime.protocol import installed_clients, installed_runtimes

if importlib.util.find_spec("ntro.runtime.understudy") is None:
    if os.environ.get("NTRO_REQUIRE_THIRD_BACKEND"):
        raise RuntimeError(
            "NTRO_REQUIRE_THIRD_BACKEND is set, and the third backend is not installed: "
            "pip install -e tests/third_backend"
        )
    pytest.skip("the third backend is not installed here (pip install -e tests/third_backend)", allow_module_level=True)

from ntro.runtime.understudy import ENGINE_LOGGER, NAME, SELECTING_VARIABLE

REPO = Path(__file__).resolve().parents[2]
NAV = "examples/runbooks/nav-monthly"
INGEST = "examples/runbooks/document-ingest"
RUN = ("workflow", "run", NAV, "--child", INGEST, "--answer", "approve")
ASYNC = ("-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function")


def ntro(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the ``ntro`` command from the repository's root, as a user would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NTRO_RUNTIME", "TEMPORAL_", SELECTING_VARIABLE))}
    return subprocess.run(
        [sys.executable, "-m", "ntro.cli", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**clean, **env},
    )


def test_it_is_installed_through_its_entry_points() -> None:
    assert NAME in installed_clients()
    assert installed_runtimes()[NAME].value == "ntro.runtime.understudy:UnderstudyRuntime"


def test_ntro_workflow_run_on_it_gives_the_same_result_as_local() -> None:
    results: dict[str, Any] = {}
    for engine in ("local", NAME):
        proc = ntro(*RUN, "--runtime", engine)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        results[engine] = json.loads(proc.stdout)
        lines = proc.stderr.splitlines()
        assert sum("↳ approve" in line for line in lines) == 3
        assert lines[-1].startswith("✓ nav-monthly completed in ")
    assert "(the understudy: LocalRuntime under another name, in-process)" in proc.stderr.splitlines()[0]
    # The one field that differs: when each run closed the period, by the wall clock.
    results["local"].pop("completed_at")
    results[NAME].pop("completed_at")
    assert results[NAME] == results["local"]


def test_its_engine_logger_is_quiet_unless_verbose() -> None:
    """The loggers its BackendInfo names are kept quiet by ``ntro workflow run``, as temporalio's are."""
    quiet = ntro("workflow", "run", INGEST, "--runtime", NAME, "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    verbose = ntro("-v", "workflow", "run", INGEST, "--runtime", NAME, "-q")
    assert verbose.returncode == 0, verbose.stderr
    assert f"WARNING {ENGINE_LOGGER}: the understudy is standing in for LocalRuntime" in verbose.stderr


def test_ntro_workflow_test_on_it() -> None:
    proc = ntro("workflow", "test", NAV, "--child", INGEST, "--runtime", NAME, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["summary"]
    assert summary["failed"] == 0 and summary["total"] > 0
    assert list(summary["by_runtime"]) == [NAME]


def test_ntro_workflow_test_compares_it_with_local() -> None:
    """``--runtime local,NAME``: each scenario on both, the second's results compared with the first's."""
    proc = ntro("workflow", "test", NAV, "--child", INGEST, "--runtime", f"local,{NAME}", "--json", "--no-lint")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [r["runtime"] for r in report["results"][:2]] == ["local", NAME]
    assert report["summary"]["by_runtime"][NAME] == report["summary"]["by_runtime"]["local"]


def test_all_runs_every_installed_engine_the_reference_first() -> None:
    proc = ntro("workflow", "test", INGEST, "--runtime", "all", "--json", "--no-lint", "--scenario", "happy")
    assert proc.returncode == 0, proc.stderr
    engines = [r["runtime"] for r in json.loads(proc.stdout)["results"]]
    assert engines == ["local", *(name for name in installed_clients() if name != "local")]
    assert NAME in engines


def test_the_pytest_plugin_runs_on_it(tmp_path: Path) -> None:
    """``pytest --ntro-runtime NAME``: the ``ntro_harness`` fixture's harness runs on it."""
    test = tmp_path / "test_on_the_engine.py"
    test.write_text(
        "from ntro.workflow.bundle import load_bundle\n"
        f"ingest = load_bundle({str(REPO / INGEST)!r})\n"
        "async def test_it(ntro_harness):\n"
        "    async with ntro_harness(ingest.workflow_cls) as h:\n"
        "        result = await h.run()\n"
        "    assert result.status == 'completed', result.error\n"
        f"    assert result.runtime == h.runtime == {NAME!r}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(test), "--ntro-runtime", NAME, "-p", "no:cacheprovider", "-q", *ASYNC],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_the_packaged_conformance_cases_on_it() -> None:
    """The docs' conformance check, given the engine's name: every packaged case, the same outcome as LocalRuntime."""
    proc = subprocess.run(
        [sys.executable, "docs/examples/python/conformance_check.py", NAME],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{NAME}: ") and proc.stdout.rstrip().endswith("the same outcomes as LocalRuntime")


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({SELECTING_VARIABLE: "yes"}, f"{SELECTING_VARIABLE}=yes is set and the {NAME} backend is installed"),
        ({"NTRO_RUNTIME": NAME}, f"NTRO_RUNTIME={NAME}"),
    ],
    ids=["its-own-variable", "ntro-runtime"],
)
def test_workflow_code_selects_it(env: dict[str, str], reason: str) -> None:
    """Its BackendInfo says that its variable selects it: ``ntro runtimes`` shows why, and workflow code gets it."""
    proc = ntro("runtimes", "--json", **env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["selected"], data["reason"]) == (NAME, reason)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NTRO_RUNTIME", "TEMPORAL_", SELECTING_VARIABLE))}
    probe = subprocess.run(
        [sys.executable, "-c", "from ntro.runtime.protocol import get_runtime; print(type(get_runtime()).__name__)"],
        capture_output=True,
        text=True,
        check=True,
        env={**clean, **env},
    )
    assert probe.stdout.strip() == "UnderstudyRuntime"

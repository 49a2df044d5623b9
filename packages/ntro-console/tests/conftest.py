"""Fixtures of the console's tests: ``ntro console`` as a real process, and headless Chromium driving it.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``), driven by
Playwright from PyPI; nothing is downloaded at run time. Without the
browser or Playwright the browser tests are skipped with the reason, unless
``NTRO_REQUIRE_BROWSER=1`` (the nox sessions set it), which makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

SUPPORT = Path(__file__).parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

from console_support import BUNDLES, CHROMIUM_FLAGS, EXPENSES, INGEST, NAV, ConsoleProcess  # noqa: E402
from ntro_servers import DevServerProcess, free_port  # noqa: E402


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    """A document store of the test's own (a directory)."""
    path = tmp_path / "documents"
    path.mkdir()
    return path


@pytest.fixture
def console_process(documents: Path) -> Iterator[Any]:
    """``console_process(*args, env=...)``: a started :class:`ConsoleProcess`; each is stopped at the end."""
    started: list[ConsoleProcess] = []

    def start(
        *args: str, env: Mapping[str, str] | None = None, wait: bool = True, verbose: bool = False
    ) -> ConsoleProcess:
        extra = {"NTRO_DOCUMENTS": str(documents), **(env or {})}
        if wait and "--port" not in args:
            args = (*args, "--port", "0")
        started.append(ConsoleProcess(args, extra, wait=wait, verbose=verbose))
        return started[-1]

    yield start
    for process in started:
        code = process.stop()
        print(f"--- ntro console {' '.join(process.args)} said:\n{process.output}")  # shown when the test fails
        assert "Traceback" not in process.output, process.output
        if process.url:  # one that was to fail at the start was looked at by its test
            assert code == 0, f"ntro console ended with {code}: {process.output}"


@pytest.fixture
def nav_console(console_process: Any) -> ConsoleProcess:
    """``ntro console --runtime local examples/runbooks/nav-monthly --child examples/runbooks/document-ingest``."""
    process: ConsoleProcess = console_process("--runtime", "local", str(NAV), "--child", str(INGEST))
    return process


@pytest.fixture
def gallery_console(console_process: Any) -> ConsoleProcess:
    """A local console offering the gate gallery (the components the examples leave out) and expense-processor."""
    process: ConsoleProcess = console_process(
        str(BUNDLES / "gallery"), str(EXPENSES), "--child", str(BUNDLES / "gallery-file")
    )
    return process


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def _no_browser(reason: str) -> None:
    if os.environ.get("NTRO_REQUIRE_BROWSER"):
        pytest.fail(f"the browser tests need {reason} (NTRO_REQUIRE_BROWSER is set)")
    pytest.skip(f"the browser tests need {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), through Playwright's sync API, for one test module.

    Not for the session: while Playwright's sync API is open, its event loop
    counts as running in this thread, so no async test (pytest-asyncio's
    loops) could run after the console's tests in the same pytest run.
    """
    executable = _chromium()
    if executable is None:
        _no_browser("Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright (pip install playwright; no browser download is needed)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_FLAGS), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page (its own cookies); console errors on it fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    yield tab
    context.close()
    assert not [p for p in problems if "status of 4" not in p], f"the page reported errors: {problems}"


@pytest.fixture(scope="module")
def cluster(serve: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Temporal dev server with ``ntro worker`` hosting nav-monthly and document-ingest, and their document store.

    Yields ``(host, task queue, environment)``: the environment names the
    server and the store, as the console next to that worker needs. The
    server is a :class:`~ntro_servers.DevServerProcess` of the module's own
    (in memory), not the session's ``dev_server``: that one is started on
    pytest-asyncio's loop, which cannot run while Playwright's sync API holds one.
    """
    documents = str(tmp_path_factory.mktemp("documents"))
    server = DevServerProcess(free_port(), tmp_path_factory.mktemp("temporal") / "server.log")
    queue = "console-tests"
    try:
        server.wait_until_listening()
        with serve([str(NAV), str(INGEST), "--task-queue", queue], server.host, NTRO_DOCUMENTS=documents):
            yield server.host, queue, {"TEMPORAL_HOST": server.host, "NTRO_DOCUMENTS": documents}
    finally:
        server.stop()


@pytest.fixture
def temporal_console(cluster: Any, console_process: Any) -> ConsoleProcess:
    """``ntro console --runtime temporal`` next to the cluster's worker, with the worker's options."""
    host, queue, env = cluster
    process: ConsoleProcess = console_process(
        "--runtime", "temporal", str(NAV), "--child", str(INGEST), "--host", host, "--task-queue", queue, env=env
    )
    return process

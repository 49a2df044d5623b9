"""Repository-wide pytest hooks (every leg's tests live below this file)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

try:
    from ntro.runtime.temporal.testing import bridge_loaded, exit_skipping_finalization
except ImportError:  # the core-only and local legs have no Temporal backend
    bridge_loaded = None  # type: ignore[assignment]

# temporalio's native bridge can abort the interpreter while it finalises, after
# every test has passed (temporalio/sdk-python#300). Once pytest has reported,
# a process that loaded the bridge ends with pytest's own exit status instead.
_exit_status: list[int] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _exit_status and bridge_loaded is not None and bridge_loaded():
        exit_skipping_finalization(_exit_status[-1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server, moto's server mode, on a free local port: its endpoint URL.

    moto and s3fs are test dependencies of every leg (noxfile ``TEST_DEPS``): a
    missing one fails the tests that use this, it never skips them. The server
    takes any credentials; tests give it fake ones.
    """
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True, scope="session")
def _documents_in_a_temporary_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test writes to the user's own document store: ``NTRO_DOCUMENTS`` is a temporary directory.

    Even one the shell names: a test never writes into a real store. A test
    that needs another store (or none) sets its own; subprocesses inherit this one.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NTRO_DOCUMENTS", str(tmp_path_factory.mktemp("documents")))
        yield

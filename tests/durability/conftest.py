"""Durability tests: real worker processes and a real dev server keeping its state in SQLite."""

from __future__ import annotations

import os

import pytest

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    pytest.importorskip("temporalio", reason="the durability tests need temporalio and the Temporal dev server")

from ntro.runtime.temporal._process import bridge_loaded, exit_skipping_finalization

# temporalio's native bridge can abort the interpreter while it finalises, after
# every test has passed (temporalio/sdk-python#300): end with pytest's status instead.
_exit_status: list[int] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _exit_status and bridge_loaded():
        exit_skipping_finalization(_exit_status[-1])

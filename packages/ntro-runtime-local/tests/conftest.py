from __future__ import annotations

from collections.abc import Iterator

import pytest

from ntro.runtime.local import LocalRuntime, VirtualClock
from ntro.runtime.protocol import reset_runtime


@pytest.fixture(autouse=True)
def _fresh_selection() -> Iterator[None]:
    reset_runtime()
    yield
    reset_runtime()


@pytest.fixture
def virtual() -> LocalRuntime:
    """A LocalRuntime on a virtual clock starting 2026-01-01T00:00Z."""
    return LocalRuntime(clock=VirtualClock())


@pytest.fixture
def wall() -> LocalRuntime:
    """A LocalRuntime on the wall clock."""
    return LocalRuntime()

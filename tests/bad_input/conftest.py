"""Bad input, tried as a careless or hostile user would: every case one clear line and a non-zero exit.

The cases, one file per class of input, go through one check,
:func:`ntro_bad_input.refused` (in ``support/``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SUPPORT = Path(__file__).parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

from ntro_bad_input import write_bundle  # noqa: E402

from ntro.runtime.protocol import reset_runtime  # noqa: E402


@pytest.fixture(autouse=True)
def _no_cluster_configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ``TEMPORAL_*`` or ``NTRO_RUNTIME`` from the caller's shell: each case says what it uses."""
    for name in list(os.environ):
        if name.startswith(("TEMPORAL_", "NTRO_RUNTIME", "NTRO_BUNDLES", "NTRO_TASK_QUEUE")):
            monkeypatch.delenv(name)
    reset_runtime()
    yield
    reset_runtime()


@pytest.fixture
def bundle(tmp_path: Path) -> Callable[..., str]:
    """``bundle(slug, workflow_source, activities_source="")``: a bundle in ``tmp_path``; returns its path."""

    def make(slug: str, workflow: str, activities: str = "") -> str:
        return str(write_bundle(tmp_path, slug, workflow, activities))

    return make


@pytest.fixture(scope="session")
def shared_dir() -> Iterator[Path]:
    """A directory every user can enter (pytest's own tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="ntro-bad-input-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for child in path.rglob("*"):
            with contextlib.suppress(OSError):
                child.chmod(0o755 if child.is_dir() else 0o644)
        shutil.rmtree(path, ignore_errors=True)

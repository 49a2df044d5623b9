"""Checks of the built site, run by ``nox -s docs`` after the build.

They read the HTML that ``sphinx-build`` wrote to ``NTRO_DOCS_SITE``; without
that variable (the test legs, which build no site) they are not collected.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SITE = os.environ.get("NTRO_DOCS_SITE")
if not SITE:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def site() -> Path:
    """The built HTML site."""
    assert SITE is not None
    path = Path(SITE).resolve()
    assert (path / "index.html").is_file(), f"no built site at {path}; run sphinx-build first (nox -s docs)"
    return path

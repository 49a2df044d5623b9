"""Durability tests: real worker processes and a real dev server keeping its state in SQLite."""

from __future__ import annotations

import os

import pytest

if not os.environ.get("NTRO_REQUIRE_TEMPORAL"):
    pytest.importorskip("temporalio", reason="the durability tests need temporalio and the Temporal dev server")

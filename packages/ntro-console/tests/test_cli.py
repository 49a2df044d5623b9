"""``ntro console``'s own mistakes: each one line and a non-zero exit, before anything is served."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from console_support import NAV
from ntro_servers import free_port


def _fails(console_process: Any, *args: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    process = console_process(*args, "--port", "0", wait=False, env=env)
    return process.finish(), process.lines


def test_hosting_needs_a_bundle(console_process: Any) -> None:
    code, lines = _fails(console_process)
    assert code == 2
    assert lines == [
        "ntro: error: --runtime local hosts the runs in this process: give the runbook bundles to host "
        "(ntro console BUNDLE... [--child BUNDLE...])"
    ]


def test_a_bundle_that_does_not_load(console_process: Any, tmp_path: Any) -> None:
    code, lines = _fails(console_process, str(tmp_path / "nowhere"))
    assert code == 2 and len(lines) == 1 and "no such directory" in lines[0]


def test_an_engine_that_is_not_installed(console_process: Any) -> None:
    code, lines = _fails(console_process, "--runtime", "nosuch", str(NAV))
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("ntro: error: no runtime backend named 'nosuch' is installed")


@pytest.mark.skipif(importlib.util.find_spec("ntro.runtime.temporal") is None, reason="needs ntro-runtime-temporal")
def test_temporal_needs_a_cluster(console_process: Any) -> None:
    code, lines = _fails(
        console_process, "--runtime", "temporal", str(NAV), env={"TEMPORAL_HOST": "", "TEMPORAL_ADDRESS": ""}
    )
    assert code == 2
    assert lines == [
        "ntro: error: --runtime temporal connects to a cluster: set TEMPORAL_HOST=host:port or pass --host host:port"
    ]


@pytest.mark.temporal
def test_a_cluster_that_cannot_be_reached(console_process: Any) -> None:
    host = f"127.0.0.1:{free_port()}"
    code, lines = _fails(console_process, "--runtime", "temporal", str(NAV), "--host", host)
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"ntro: error: cannot connect to Temporal at {host}")

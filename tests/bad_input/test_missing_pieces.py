"""Missing pieces: a command, or an engine, whose distribution is not installed says what to install.

Whatever is installed here, the commands another distribution brings can be
hidden (as if it were not installed) the way ``ntro schedule`` is in
packages/ntro-core/tests/test_cli.py: their entry points are left out of
discovery. Where temporalio really is absent (the core and local legs),
the real thing is tried too.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest
from ntro_bad_input import HAS_HARNESS, HAS_TEMPORALIO, INGEST, clean_env, refused

import ntro.cli._app as app
import ntro.runtime.protocol._client as clients

TEMPORAL = 'pip install "ntro-core[temporal]"'
HARNESS = 'pip install "ntro-core[testing]"'

HIDDEN = [
    pytest.param(["worker", INGEST], "'ntro worker' is not installed", TEMPORAL, id="worker"),
    pytest.param(["worker", "--help"], "'ntro worker' is not installed", TEMPORAL, id="worker-help"),
    pytest.param(["workflow", "start", "nav-monthly"], "'ntro workflow start' is not installed", TEMPORAL, id="start"),
    pytest.param(["workflow", "describe", "x"], "'ntro workflow describe' is not installed", TEMPORAL, id="describe"),
    pytest.param(["workflow", "signal", "x", "s"], "'ntro workflow signal' is not installed", TEMPORAL, id="signal"),
    pytest.param(["workflow", "update", "x", "u"], "'ntro workflow update' is not installed", TEMPORAL, id="update"),
    pytest.param(["workflow", "answer", "x", "approve"], "'ntro workflow answer' is not", TEMPORAL, id="answer"),
    pytest.param(["workflow", "result", "x"], "'ntro workflow result' is not installed", TEMPORAL, id="result"),
    pytest.param(["workflow", "cancel", "x"], "'ntro workflow cancel' is not installed", TEMPORAL, id="cancel"),
    pytest.param(["workflow", "list", "--limit", "0"], "'ntro workflow list' is not installed", TEMPORAL, id="list"),
    pytest.param(["schedule", "list"], "'ntro schedule' is not installed", TEMPORAL, id="schedule-list"),
    pytest.param(["schedule"], "'ntro schedule' is not installed", TEMPORAL, id="schedule"),
    pytest.param(["workflow", "lint", "."], "'ntro workflow lint' is not installed", HARNESS, id="lint"),
    pytest.param(["workflow", "test", INGEST], "'ntro workflow test' is not installed", HARNESS, id="test"),
    pytest.param(["workflow", "validate", INGEST], "'ntro workflow validate' is not", HARNESS, id="validate"),
]


@pytest.fixture
def nothing_but_core(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Discovery sees only ntro-core's own commands, as in an install of ntro-core alone."""
    published = app._discover()
    core = [found for found in published if found[0] in (["runtimes"], ["workflow", "run"])]
    monkeypatch.setattr(app, "_discover", lambda: core)
    yield


@pytest.mark.parametrize(("argv", "words", "install"), HIDDEN)
def test_a_command_that_is_not_installed(nothing_but_core: None, argv: list[str], words: str, install: str) -> None:
    refused(argv, words, install, code=1)


# -- an engine that is not installed -----------------------------------------------------------------------


@pytest.fixture
def no_temporal_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The ``temporal`` client entry point is not published, as without ntro-runtime-temporal."""
    published = list(clients.entry_points(group=clients.CLIENT_ENTRY_POINT_GROUP))

    def entry_points(*, group: str) -> list[EntryPoint]:
        found = published if group == clients.CLIENT_ENTRY_POINT_GROUP else []
        return [ep for ep in found if ep.name != "temporal"]

    monkeypatch.setattr(clients, "entry_points", entry_points)
    yield


def test_run_on_an_engine_that_is_not_installed(no_temporal_client: None) -> None:
    refused(
        ["workflow", "run", INGEST, "--runtime", "temporal"],
        "no runtime backend named 'temporal' is installed",
        TEMPORAL,
        code=1,
    )


@pytest.mark.skipif(not HAS_HARNESS, reason="the harness commands come with ntro-harness")
@pytest.mark.parametrize("runtime", ["temporal", "both"])
def test_test_on_an_engine_that_is_not_installed(no_temporal_client: None, runtime: str) -> None:
    refused(
        ["workflow", "test", INGEST, "--no-lint", "--runtime", runtime],
        "no runtime backend named 'temporal' is installed",
        TEMPORAL,
        code=2,
    )


# -- where temporalio really is absent (the core and local legs) ----------------------------------------------

ABSENT = [
    pytest.param(["worker", INGEST], "'ntro worker' is not installed", id="worker"),
    pytest.param(["workflow", "start", "nav-monthly"], "'ntro workflow start' is not installed", id="start"),
    pytest.param(["schedule", "list"], "'ntro schedule' is not installed", id="schedule"),
    pytest.param(["workflow", "run", INGEST, "--runtime", "temporal"], "no runtime backend named 'temporal'", id="run"),
]


@pytest.mark.skipif(HAS_TEMPORALIO, reason="temporalio is installed here: the hidden cases above stand in")
@pytest.mark.parametrize(("argv", "words"), ABSENT)
def test_without_temporalio(argv: list[str], words: str) -> None:
    refused(argv, words, TEMPORAL, code=1, env=clean_env())

"""Missing pieces: a command, or an engine, whose distribution is not installed says what to install.

Whatever is installed here, the entry points another distribution publishes
can be hidden from an ``ntro`` process, as if it were not installed (as
packages/ntro-core/tests/test_cli.py leaves ``schedule`` out of discovery):
``support/hide_entry_points/sitecustomize.py`` filters them at start-up.
Where temporalio really is absent (the core and local legs), the real thing
is tried too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ntro_bad_input import HAS_TEMPORALIO, INGEST, clean_env, needs_harness, needs_temporal_commands, refused

HIDER = Path(__file__).parent / "support" / "hide_entry_points"
TEMPORAL_COMMANDS = ",".join(
    f"ntro.commands:{name}"
    for name in (
        "worker",
        "schedule.*",
        *(
            f"workflow.{c}"
            for c in (
                *("start", "describe", "signal", "update", "answer", "result", "cancel", "list"),
                *("create", "versions", "bindings"),
            )
        ),
    )
)
HARNESS_COMMANDS = ",".join(f"ntro.commands:workflow.{name}" for name in ("lint", "test", "validate"))


def without(hidden: str) -> dict[str, str]:
    """An environment whose ``ntro`` does not see the entry points ``hidden`` names."""
    return clean_env(PYTHONPATH=str(HIDER), NTRO_TEST_HIDDEN_ENTRY_POINTS=hidden)


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
    pytest.param(["workflow", "create", "--path", INGEST], "'ntro workflow create' is not", TEMPORAL, id="create"),
    pytest.param(["workflow", "versions"], "'ntro workflow versions' is not", TEMPORAL, id="versions"),
    pytest.param(["workflow", "bindings"], "'ntro workflow bindings' is not", TEMPORAL, id="bindings"),
    pytest.param(["schedule", "list"], "'ntro schedule' is not installed", TEMPORAL, id="schedule-list"),
    pytest.param(["schedule"], "'ntro schedule' is not installed", TEMPORAL, id="schedule"),
    pytest.param(["workflow", "lint", "."], "'ntro workflow lint' is not installed", HARNESS, id="lint"),
    pytest.param(["workflow", "test", INGEST], "'ntro workflow test' is not installed", HARNESS, id="test"),
    pytest.param(["workflow", "validate", INGEST], "'ntro workflow validate' is not", HARNESS, id="validate"),
]


@pytest.mark.parametrize(("argv", "words", "install"), HIDDEN)
def test_a_command_that_is_not_installed(argv: list[str], words: str, install: str) -> None:
    refused(argv, words, install, code=1, env=without(f"{TEMPORAL_COMMANDS},{HARNESS_COMMANDS}"))


@needs_temporal_commands
def test_create_without_the_harness(tmp_path: Path) -> None:
    """Publishing validates and lints first: without the harness, ``create`` says what to install."""
    env = clean_env(PYTHONPATH=str(HIDER), NTRO_TEST_HIDDEN_MODULES="ntro.testing")
    argv = ["workflow", "create", "--path", INGEST, "--registry", str(tmp_path)]
    refused(argv, "with the test harness", HARNESS, code=1, env=env)
    assert list(tmp_path.iterdir()) == []


# -- an engine that is not installed -----------------------------------------------------------------------


def test_run_on_an_engine_that_is_not_installed() -> None:
    refused(
        ["workflow", "run", INGEST, "--runtime", "temporal"],
        "no runtime backend named 'temporal' is installed",
        TEMPORAL,
        code=1,
        env=without("ntro.clients:temporal"),
    )


@needs_harness
def test_test_on_an_engine_that_is_not_installed() -> None:
    refused(
        ["workflow", "test", INGEST, "--no-lint", "--runtime", "temporal"],
        "no runtime backend named 'temporal' is installed",
        TEMPORAL,
        code=2,
        env=without("ntro.clients:temporal"),
    )


@needs_harness
def test_both_with_one_engine_installed_says_what_to_install() -> None:
    """``--runtime both`` compares the two installed engines: with only LocalRuntime left, it names what to add."""
    from ntro.runtime.protocol import installed_clients

    others = [f"ntro.clients:{name}" for name in installed_clients() if name != "local"]
    refused(
        ["workflow", "test", INGEST, "--no-lint", "--runtime", "both"],
        "--runtime both compares two engines, and only local is installed; install another",
        TEMPORAL,
        code=2,
        env=without(",".join(others or ["ntro.clients:temporal"])),
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

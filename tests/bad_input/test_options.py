"""Options: zero, negative, not-a-number and infinite limits and timeouts, unknown choices.

These are usage errors (exit 2), refused while the arguments are read: the
commands that talk to a cluster get ``--host 127.0.0.1:1``, a port nothing
listens on, so an option that slipped through would end in "connection
refused" instead of the expected words.
"""

from __future__ import annotations

import pytest
from ntro_bad_input import INGEST, needs_harness, needs_temporal_commands, refused

NO_HOST = ["--host", "127.0.0.1:1"]
WORKER = ["worker", INGEST, *NO_HOST]

CLUSTER = [
    # ntro worker
    pytest.param([*WORKER, "--max-concurrent-activities", "0"], "0 is not at least 1", id="worker-activities-0"),
    pytest.param([*WORKER, "--max-concurrent-activities", "-3"], "-3 is not at least 1", id="worker-activities-neg"),
    pytest.param([*WORKER, "--max-concurrent-activities", "ten"], "'ten' is not a whole number", id="worker-act-word"),
    pytest.param([*WORKER, "--max-concurrent-activities", "1.5"], "is not a whole number", id="worker-act-fraction"),
    pytest.param([*WORKER, "--graceful-timeout", "-1"], "-1 is not 0 or more seconds", id="worker-graceful-neg"),
    pytest.param([*WORKER, "--graceful-timeout", "nan"], "not a finite number of seconds", id="worker-graceful-nan"),
    pytest.param([*WORKER, "--graceful-timeout", "inf"], "not a finite number of seconds", id="worker-graceful-inf"),
    pytest.param([*WORKER, "--graceful-timeout", "soon"], "not a number of seconds", id="worker-graceful-word"),
    pytest.param([*WORKER, "--sticky-timeout", "0"], "0 is not more than 0 seconds", id="worker-sticky-0"),
    pytest.param([*WORKER, "--sticky-timeout=-5"], "-5 is not more than 0 seconds", id="worker-sticky-neg"),
    pytest.param([*WORKER, "--sticky-timeout", "NaN"], "not a finite number of seconds", id="worker-sticky-nan"),
    pytest.param([*WORKER, "--sticky-timeout", "Infinity"], "not a finite number of seconds", id="worker-sticky-inf"),
    pytest.param([*WORKER, "--sticky-timeout", ""], "not a number of seconds", id="worker-sticky-empty"),
    pytest.param([*WORKER, "--no-such-option"], "unrecognized arguments: --no-such-option", id="worker-unknown"),
    # ntro workflow list
    pytest.param(["workflow", "list", *NO_HOST, "--limit", "0"], "0 is not at least 1", id="list-limit-0"),
    pytest.param(["workflow", "list", *NO_HOST, "--limit=-5"], "-5 is not at least 1", id="list-limit-neg"),
    pytest.param(["workflow", "list", *NO_HOST, "--limit", "all"], "'all' is not a whole number", id="list-limit-word"),
    pytest.param(["workflow", "list", *NO_HOST, "--status", "done"], "invalid choice: 'done'", id="list-status"),
    # ntro workflow answer
    pytest.param(["workflow", "answer", "x", "maybe", *NO_HOST], "invalid choice: 'maybe'", id="answer-decision"),
    pytest.param(["workflow", "answer", "x", "upload", "tb", *NO_HOST], "upload takes SOURCE FILE", id="answer-upload"),
    # ntro schedule create
    pytest.param(
        ["schedule", "create", "document-ingest", "--id", "s", "--every", "0s", *NO_HOST],
        "the interval must be longer than zero",
        id="schedule-every-0",
    ),
    pytest.param(
        ["schedule", "create", "document-ingest", "--id", "s", "--every", "soon", *NO_HOST],
        "--every 'soon'",
        id="schedule-every-word",
    ),
    pytest.param(
        ["schedule", "create", "document-ingest", "--id", "s", "--cron", "every day", *NO_HOST],
        "is not a cron expression",
        id="schedule-cron",
    ),
    pytest.param(
        ["schedule", "create", "document-ingest", "--id", "s", *NO_HOST],
        "one of the arguments --cron --every is required",
        id="schedule-no-timetable",
    ),
]

HARNESS = [
    pytest.param(["--timeout", "0"], "--timeout must be more than 0 seconds, and finite, not 0", id="test-timeout-0"),
    pytest.param(["--timeout=-1"], "--timeout must be more than 0 seconds, and finite", id="test-timeout-neg"),
    pytest.param(["--timeout", "nan"], "--timeout must be more than 0 seconds, and finite", id="test-timeout-nan"),
    pytest.param(["--timeout", "inf"], "--timeout must be more than 0 seconds, and finite", id="test-timeout-inf"),
    pytest.param(["--timeout", "soon"], "invalid float value: 'soon'", id="test-timeout-word"),
    pytest.param(["--explore", "--max-paths", "0"], "--max-paths must be at least 1", id="test-max-paths-0"),
    pytest.param(["--explore", "--max-paths=-2"], "--max-paths must be at least 1", id="test-max-paths-neg"),
    pytest.param(["--runtime", "elsewhere"], "no runtime backend named 'elsewhere' is installed", id="test-runtime"),
    pytest.param(["--runtime", "local,"], "--runtime 'local,': an engine's name is empty", id="test-runtime-empty"),
    pytest.param(["--runtime", "local,local"], "--runtime 'local,local' names local more than once", id="test-twice"),
    pytest.param(["--scenario", "no-such-scenario"], "no-such-scenario", id="test-scenario"),
]

CORE = [
    pytest.param(["--answer", "maybe"], "argument --answer: invalid choice: 'maybe'", id="run-answer"),
    pytest.param(["--answer", "approve", "--interactive"], "not allowed with argument", id="run-answer-interactive"),
    pytest.param(["--workflow-class", "Missing"], "has no class Missing", id="run-workflow-class"),
    pytest.param(["--bogus"], "unrecognized arguments: --bogus", id="run-unknown"),
]


@needs_temporal_commands
@pytest.mark.parametrize(("argv", "words"), CLUSTER)
def test_a_cluster_command_option(argv: list[str], words: str) -> None:
    refused(argv, words, code=2)


@needs_harness
@pytest.mark.parametrize(("argv", "words"), HARNESS)
def test_a_harness_option(argv: list[str], words: str) -> None:
    refused(["workflow", "test", INGEST, "--no-lint", *argv], words, code=2)


@pytest.mark.parametrize(("argv", "words"), CORE)
def test_a_run_option(argv: list[str], words: str) -> None:
    refused(["workflow", "run", INGEST, *argv], words, code=2)


def test_a_run_on_an_engine_no_backend_publishes() -> None:
    """The engines are the installed clients: another name says which are installed (exit 1, as a missing one)."""
    refused(["workflow", "run", INGEST, "--runtime", "cloud"], "no runtime backend named 'cloud' is installed", code=1)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(["bogus"], "invalid choice: 'bogus'", id="unknown-command"),
        pytest.param([], "the following arguments are required: COMMAND", id="no-command"),
        pytest.param(["workflow"], "the following arguments are required: COMMAND", id="no-subcommand"),
        pytest.param(["--no-such-flag", "runtimes"], "unrecognized arguments: --no-such-flag", id="unknown-flag"),
    ],
)
def test_the_command_line_itself(argv: list[str], words: str) -> None:
    refused(argv, words, code=2)

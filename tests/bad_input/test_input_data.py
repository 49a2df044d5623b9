"""Input data: files that are not UTF-8 text, JSON that is not JSON (NaN, Infinity), too deep, empty; empty ids.

Every command that reads ``--input`` (or ``--correction``) reads it with
``ntro.cli.read_input_text`` and parses it in one place, so the same bad
input gets the same answer from ``run``, ``test``, ``start``, ``signal``,
``update``, ``answer`` and ``schedule create``; none of them gets far
enough to contact a cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ntro_bad_input import INGEST, needs_harness, needs_temporal_commands, refused

NO_HOST = ["--host", "127.0.0.1:1"]  # a closed port: never reached, the input is refused first
EXAMPLES_DIR = str(Path(INGEST).parent)

# What a file holds, and what the error says about it.
Content = Callable[[Path], str]


def _file(data: bytes) -> Content:
    def write(root: Path) -> str:
        path = root / "input.json"
        path.write_bytes(data)
        return f"@{path}"

    return write


def _inline(text: str) -> Content:
    return lambda _: text


DEEP = "[" * 100_000 + "]" * 100_000
BAD = {
    "binary": (_file(b"\xff\xfe\x00\x01binary"), [": not UTF-8 text (byte 0xff at offset 0)"]),
    "latin-1": (_file('{"source": "caf\xe9"}'.encode("latin-1")), [": not UTF-8 text (byte 0xe9"]),
    "utf-16": (_file('{"source": "x"}'.encode("utf-16")), [": not UTF-8 text (byte 0xff"]),
    "empty-file": (_file(b""), ["is empty; give a JSON value"]),
    "blank-file": (_file(b" \n\t\n"), ["is empty; give a JSON value"]),
    "nan": (_inline('{"source": NaN}'), ["NaN is not a JSON value"]),
    "infinity": (_inline("[Infinity]"), ["Infinity is not a JSON value"]),
    "minus-infinity": (_inline('{"x": -Infinity}'), ["-Infinity is not a JSON value"]),
    "deep-inline": (_inline(DEEP), ["nests lists and objects too deeply"]),
    "deep-file": (_file(DEEP.encode()), ["nests lists and objects too deeply"]),
    "not-json": (_inline("{source: bank}"), ["is not valid JSON: Expecting property name"]),
    "truncated": (_inline('{"source": '), ["is not valid JSON: Expecting value"]),
    "at-alone": (_inline("@"), ["no file name after '@'"]),
    "at-missing": (_inline("@/no/such/input.json"), ["cannot read the input file", "No such file or directory"]),
    "at-directory": (lambda root: f"@{root}", ["cannot read the input file", "Is a directory"]),
}


def _cases(command: str, kinds: list[str]) -> list[object]:
    return [pytest.param(kind, id=f"{command}-{kind}") for kind in kinds]


def _check(argv_of: Callable[[str], list[str]], kind: str, root: Path) -> None:
    content, words = BAD[kind]
    refused(argv_of(content(root)), *words, code=2)


@pytest.mark.parametrize("kind", _cases("run", list(BAD)))
def test_run_input(tmp_path: Path, kind: str) -> None:
    _check(lambda value: ["workflow", "run", INGEST, "--input", value], kind, tmp_path)


@needs_harness
@pytest.mark.parametrize("kind", _cases("test", ["binary", "nan", "deep-file", "empty-file"]))
def test_test_input(tmp_path: Path, kind: str) -> None:
    _check(lambda value: ["workflow", "test", INGEST, "--no-lint", "--input", value], kind, tmp_path)


@needs_temporal_commands
@pytest.mark.parametrize("kind", _cases("start", ["binary", "latin-1", "nan", "infinity", "deep-inline", "blank-file"]))
def test_start_input(tmp_path: Path, kind: str) -> None:
    _check(
        lambda value: ["workflow", "start", "document-ingest", "--bundles", EXAMPLES_DIR, *NO_HOST, "-i", value],
        kind,
        tmp_path,
    )


@needs_temporal_commands
@pytest.mark.parametrize("kind", _cases("signal", ["binary", "nan", "deep-file", "empty-file", "not-json"]))
def test_signal_input(tmp_path: Path, kind: str) -> None:
    _check(lambda value: ["workflow", "signal", "some-id", "note", *NO_HOST, "--input", value], kind, tmp_path)


@needs_temporal_commands
@pytest.mark.parametrize("kind", _cases("update", ["utf-16", "minus-infinity", "deep-inline"]))
def test_update_input(tmp_path: Path, kind: str) -> None:
    _check(lambda value: ["workflow", "update", "some-id", "limit", *NO_HOST, "--input", value], kind, tmp_path)


@needs_temporal_commands
@pytest.mark.parametrize("kind", _cases("answer-correction", ["binary", "nan", "deep-inline"]))
def test_answer_correction(tmp_path: Path, kind: str) -> None:
    _check(lambda value: ["workflow", "answer", "some-id", "approve", *NO_HOST, "--correction", value], kind, tmp_path)


@needs_temporal_commands
@pytest.mark.parametrize("kind", _cases("schedule-create", ["binary", "nan", "deep-file"]))
def test_schedule_input(tmp_path: Path, kind: str) -> None:
    _check(
        lambda value: [
            "schedule",
            "create",
            "document-ingest",
            "--id",
            "s",
            "--every",
            "1h",
            "--bundles",
            EXAMPLES_DIR,
            *NO_HOST,
            "--input",
            value,
        ],
        kind,
        tmp_path,
    )


# -- from stdin (a real process: its stdin is the point) --------------------------------------------------

STDIN = [
    pytest.param(["workflow", "run", INGEST, "-q"], b"\xff\xfe\x00", "stdin is not UTF-8 text", id="run-binary"),
    pytest.param(["workflow", "run", INGEST, "-q"], b"", "is empty; give a JSON value", id="run-empty"),
    pytest.param(["workflow", "run", INGEST, "-q"], b"[NaN]", "NaN is not a JSON value", id="run-nan"),
    pytest.param(
        ["workflow", "start", "document-ingest", "--bundles", EXAMPLES_DIR, *NO_HOST],
        b"\xc3\x28",
        "stdin is not UTF-8 text (byte 0xc3",
        id="start-binary",
        marks=needs_temporal_commands,
    ),
]


@pytest.mark.parametrize(("argv", "data", "words"), STDIN)
def test_input_from_stdin(argv: list[str], data: bytes, words: str) -> None:
    refused([*argv, "--input", "@-"], words, code=2, stdin=data)


# -- empty ids and names ---------------------------------------------------------------------------------

EMPTY = [
    pytest.param(["workflow", "run", INGEST, "--workflow-id", ""], "--workflow-id is empty", id="run-id"),
    pytest.param(["workflow", "run", INGEST, "--workflow-id", "  "], "--workflow-id is empty", id="run-blank-id"),
]
CLUSTER_EMPTY = [
    pytest.param(
        ["workflow", "start", "document-ingest", "--bundles", EXAMPLES_DIR, "--id", ""], "--id is empty", id="start-id"
    ),
    pytest.param(["workflow", "describe", ""], "the workflow ID is empty", id="describe-id"),
    pytest.param(["workflow", "signal", "", "note"], "the workflow ID is empty", id="signal-id"),
    pytest.param(["workflow", "signal", "some-id", " "], "the signal NAME is empty", id="signal-name"),
    pytest.param(["workflow", "update", "", "limit"], "the workflow ID is empty", id="update-id"),
    pytest.param(["workflow", "update", "some-id", ""], "the update NAME is empty", id="update-name"),
    pytest.param(["workflow", "answer", "", "approve"], "the workflow ID is empty", id="answer-id"),
    pytest.param(["workflow", "result", "\t"], "the workflow ID is empty", id="result-id"),
    pytest.param(["workflow", "cancel", ""], "the workflow ID is empty", id="cancel-id"),
    pytest.param(
        ["schedule", "create", "document-ingest", "--id", "", "--every", "1h"], "--id is empty", id="schedule-id"
    ),
    pytest.param(["schedule", "describe", ""], "the schedule ID is empty", id="schedule-describe-id"),
    pytest.param(["schedule", "trigger", " "], "the schedule ID is empty", id="schedule-trigger-id"),
    pytest.param(["schedule", "delete", ""], "the schedule ID is empty", id="schedule-delete-id"),
]


@pytest.mark.parametrize(("argv", "words"), EMPTY)
def test_an_empty_id(argv: list[str], words: str) -> None:
    refused(argv, words, code=2)


@needs_temporal_commands
@pytest.mark.parametrize(("argv", "words"), CLUSTER_EMPTY)
def test_an_empty_id_on_a_cluster(argv: list[str], words: str) -> None:
    refused([*argv, *NO_HOST], words, code=2)

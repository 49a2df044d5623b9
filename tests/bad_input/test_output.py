"""Output: a full disk, a closed stdout, a reader that went away, and results JSON cannot hold.

A command whose output is lost must say so and exit non-zero, never report
success. These run as real processes: stdout is the point. A result with
NaN or Infinity is refused in one line instead of being printed as text no
JSON reader accepts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from ntro_bad_input import INGEST, needs_harness, refused, write_bundle

FULL = "No space left on device; the output is lost"
CLOSED = "it is closed; the output is lost"
BROKEN = "the reader closed it (broken pipe)"

COMMANDS = [
    pytest.param(["runtimes"], id="runtimes"),
    pytest.param(["runtimes", "--json"], id="runtimes-json"),
    pytest.param(["--help"], id="help"),
    pytest.param(["--version"], id="version"),
    pytest.param(["workflow", "run", INGEST, "-q"], id="run"),
    pytest.param(["workflow", "lint", "--list-rules"], id="lint-rules", marks=needs_harness),
    pytest.param(["workflow", "lint", INGEST, "--format", "json"], id="lint-json", marks=needs_harness),
    pytest.param(["workflow", "validate", INGEST, "--json"], id="validate-json", marks=needs_harness),
]


@pytest.mark.parametrize("argv", COMMANDS)
def test_a_full_disk(argv: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        refused(argv, FULL, code=1, stdout=full)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["runtimes"], id="runtimes"),
        pytest.param(["--version"], id="version"),
        pytest.param(["workflow", "run", INGEST, "-q"], id="run"),
        pytest.param(["workflow", "lint", "--list-rules"], id="lint-rules", marks=needs_harness),
    ],
)
def test_a_closed_stdout(argv: list[str]) -> None:
    refused(argv, CLOSED, code=1, stdout="closed")


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["runtimes"], id="runtimes"),
        pytest.param(["workflow", "lint", "--list-rules"], id="lint-rules", marks=needs_harness),
    ],
)
def test_a_reader_that_went_away(argv: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # gone before the command writes a byte: every write is a broken pipe
    try:
        refused(argv, BROKEN, code=1, stdout=write_end)
    finally:
        os.close(write_end)


# -- results JSON cannot hold -------------------------------------------------------------------------------

NOT_JSON = """
import math


@runbook.defn
class NotJsonWorkflow:
    @runbook.run
    async def run(self, kind: str) -> Any:
        return {
            "nan": lambda: math.nan,
            "infinity": lambda: math.inf,
            "minus-infinity": lambda: -math.inf,
            "nested-nan": lambda: {"rows": [{"ratio": 1.5}, {"ratio": math.nan}]},
            "deep": lambda: _deep(300),
        }[kind]()


def _deep(levels: int) -> Any:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value
"""


@pytest.fixture(scope="module")
def not_json(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield str(write_bundle(tmp_path_factory.mktemp("output"), "not-json", NOT_JSON))


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        pytest.param("nan", "result is nan, and JSON has no NaN or Infinity", id="nan"),
        pytest.param("infinity", "result is inf", id="infinity"),
        pytest.param("minus-infinity", "result is -inf", id="minus-infinity"),
        pytest.param("nested-nan", "result['rows'][1]['ratio'] is nan", id="nested-nan"),
    ],
)
def test_a_result_json_cannot_hold(not_json: str, kind: str, words: str) -> None:
    refused(["workflow", "run", not_json, "-q", "--input", f'"{kind}"'], "cannot be printed as JSON", words, code=1)


def test_a_result_too_deep_for_json(not_json: str) -> None:
    refused(["workflow", "run", not_json, "-q", "--input", '"deep"'], "nests too deeply", code=1)


@needs_harness
def test_a_test_report_json_cannot_hold(not_json: str) -> None:
    """``ntro workflow test --json`` prints through the same printer: a NaN result is one line, not invalid JSON."""
    argv = ["workflow", "test", not_json, "-s", "happy", "--no-lint", "--input", '"nan"', "--json"]
    refused(argv, "the report cannot be printed as JSON", "report['results'][0]['result'] is nan", code=1)

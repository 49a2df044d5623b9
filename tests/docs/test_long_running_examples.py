"""The examples of the "Long-running runbooks" guide, run as the guide shows them.

``python -m long_running ENGINE`` (from ``docs/examples``) runs every example
under ``docs/examples/long_running`` and prints what each returns; the guide
shows that output from ``long_running/output.txt``. Here it runs on
LocalRuntime (the local leg, without temporalio) and on Temporal's
time-skipping test server (the temporal leg), and must print exactly that
file on both. What the output cannot show — that a cancelled activity
cleaned up after itself — is checked on its own.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs/examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))  # the Temporal sandbox re-imports the examples by module name

from long_running import cancellation  # noqa: E402
from long_running.__main__ import ACTIVITIES, WORKFLOWS  # noqa: E402

from ntro.runtime.protocol import ClientOptions, WorkflowStatus, open_client  # noqa: E402

LOOKS = 600  # bounded polling: look at most this many times before giving up


def _without_temporal_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}


ENGINES = [
    "local",
    pytest.param(
        "temporal",
        marks=[
            pytest.mark.temporal,
            pytest.mark.skipif(
                not os.environ.get("NTRO_REQUIRE_TEMPORAL") and importlib.util.find_spec("temporalio") is None,
                reason="the temporal leg runs the examples on Temporal",
            ),
        ],
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_examples_print_what_the_guide_shows(engine: str) -> None:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "long_running", engine],
            cwd=EXAMPLES,
            env=_without_temporal_settings(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    proc = run()
    if proc.returncode in (-signal.SIGSEGV, -signal.SIGABRT):
        # temporalio's native bridge can crash the interpreter while it finalises, after the work is
        # done (temporalio/sdk-python#300): one more run is allowed, and it must end cleanly.
        proc = run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == (EXAMPLES / "long_running/output.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_cancelled_export_cleans_up_after_itself(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("TEMPORAL_"):
            monkeypatch.delenv(name)
    staging = tmp_path / "ledger-export.csv"
    # A client of its own: once a run closes with an activity in flight, Temporal's time-skipping
    # test server stops skipping time for good (temporalio/sdk-java#1138); the guide's program runs
    # this example last for the same reason.
    options = ClientOptions(workflows=WORKFLOWS, activities=ACTIVITIES, time_skipping=True)
    async with open_client(engine, options) as client:
        assert await cancellation.cancel_an_export(client, staging) == "workflow ledger-export was cancelled"
        assert (await client.get_workflow_handle("ledger-export").describe()).status is WorkflowStatus.CANCELED
        for _ in range(LOOKS):  # on Temporal the activity hears of it with its next heartbeat
            if not staging.exists():
                break
            await asyncio.sleep(0.05)
        assert not staging.exists(), "the cancelled export left its staging file"

"""``ntro workflow run`` stopped by SIGINT or SIGTERM in an activity, at a gate or in a child.

The run (``bundles/holding``, on LocalRuntime) holds where the test says; once
the process shows it got there, the test sends the signal. The process must
cancel the run (the holding activity notes its cancellation in a ledger),
print one line, ``ntro: interrupted`` or ``ntro: terminated``, with no
traceback, and exit with 128 plus the signal's number, as shells do.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

BUNDLE = Path(__file__).parent / "bundles" / "holding"
WAIT = 60.0  # seconds: bounds every wait

# Where the run holds, and the progress line that shows it is there.
HOLDS = {
    "activity": "▶ Hold in an activity",
    "gate": "▶ Hold at a gate",
    "child": "  ▶ [holding] Hold in an activity",
}
LINES = {signal.SIGINT: "ntro: interrupted", signal.SIGTERM: "ntro: terminated"}


def _as_in_a_terminal() -> None:
    """In the child: SIGINT as a terminal delivers it (a shell may have left it ignored for a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def _line(stream: asyncio.StreamReader, text: str, seen: list[str]) -> None:
    while True:
        line = (await asyncio.wait_for(stream.readline(), WAIT)).decode()
        assert line, f"the run ended without printing {text!r}; it printed {seen}"
        seen.append(line.rstrip("\n"))
        if seen[-1] == text:
            return


async def _until_started(ledger: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not (ledger.exists() and ledger.read_text().startswith("started ")):
        assert time.monotonic() < deadline, "the holding activity never started"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("at", sorted(HOLDS))
async def test_a_signal_cancels_the_run_and_the_command_says_so_in_one_line(
    tmp_path: Path, at: str, signum: signal.Signals
) -> None:
    ledger = tmp_path / "ledger.txt"
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "ntro.cli", "workflow", "run", str(BUNDLE)),
        *("--input", json.dumps({"at": at, "ledger": str(ledger)})),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_as_in_a_terminal,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    progress: list[str] = []
    try:
        await _line(proc.stderr, HOLDS[at], progress)
        if at != "gate":
            await _until_started(ledger)
        proc.send_signal(signum)
        out, err = await asyncio.wait_for(proc.communicate(), WAIT)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert (proc.returncode, err.decode().splitlines()) == (128 + signum, [LINES[signum]]), (progress, err.decode())
    assert out == b""
    if at != "gate":  # the activity holding it (the child's, for a child) was cancelled, not abandoned
        assert [line.split()[0] for line in ledger.read_text().splitlines()] == ["started", "cancelled"]

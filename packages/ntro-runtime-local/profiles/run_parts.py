"""Where the cost of a concurrent local workflow goes, part by part.

``python packages/ntro-runtime-local/profiles/run_parts.py`` prints CPU
microseconds per workflow for 10,000 workflows gathered at once (the best of
several rounds):

* plain asyncio: ``gather`` of coroutines that await five coroutines (the
  floor any engine pays for this shape of load);
* ``run_local`` of a workflow with no activity, and with five;

then what each piece of starting and closing a run costs on its own. The
pieces are LocalRuntime's own, so this profile lives with it; the workflows
are the benchmarks' (``bench/workflows.py``).
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import sys
import time
import timeit
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from workflows import ChainWorkflow, step

from ntro.runtime.local import LocalRuntime, run_local
from ntro.runtime.local._ids import new_id
from ntro.runtime.local._run import LocalRun
from ntro.runtime.protocol import WorkflowInfo, resolve_workflow

COUNT = 10_000
ROUNDS = 7


async def bare(n: int) -> int:
    x = 0
    for _ in range(n):
        x = await step(x)
    return x


async def best(make: Callable[[], Awaitable[Any]]) -> float:
    """The lowest CPU time per workflow over the rounds, in microseconds."""
    times = []
    for _ in range(ROUNDS):
        gc.collect()
        started = time.process_time()
        await asyncio.gather(*(make() for _ in range(COUNT)))
        times.append(time.process_time() - started)
    return min(times) / COUNT * 1e6


async def main() -> None:
    runtime = LocalRuntime()
    rows = [
        ("plain asyncio, 5 awaits", await best(lambda: bare(5))),
        ("run_local, no activity", await best(lambda: run_local(ChainWorkflow, 0, runtime=runtime))),
        ("run_local, 5 activities", await best(lambda: run_local(ChainWorkflow, 5, runtime=runtime))),
    ]
    for label, micros in rows:
        print(f"{label:42s}{micros:7.1f} us per workflow")

    defn = resolve_workflow(ChainWorkflow)
    now = runtime.clock.now()
    run = LocalRun(runtime, defn, ChainWorkflow(), "x", "local", now)
    pieces: list[tuple[str, Callable[[], Any]]] = [
        ("resolve the workflow class", lambda: resolve_workflow(ChainWorkflow)),
        ("a new workflow id", new_id),
        ("the time (start, then close)", runtime.clock.now),
        ("LocalRun", lambda: LocalRun(runtime, defn, None, "x", "local", now)),
        ("WorkflowInfo, when runbook.info() asks", lambda: WorkflowInfo("x", "local", "", 1, workflow_type="C")),
        ("the run's context, entered", lambda: runtime._enter_run(contextvars.copy_context(), run)),
        ("instance and run coroutine", lambda: ChainWorkflow().run(0).close()),
    ]
    print()
    for label, fn in pieces:
        micros = min(timeit.repeat(fn, number=100_000, repeat=5)) / 100_000 * 1e6
        print(f"{label:42s}{micros:7.2f} us")


if __name__ == "__main__":
    asyncio.run(main())

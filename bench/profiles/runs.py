"""cProfile of 20 x 1,000 concurrent local workflows of one activity (garbage collector off).

``python bench/profiles/runs.py`` prints the 30 costliest functions: where a
run's fixed cost goes (scheduling, task creation, start and close).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workflows import ChainWorkflow

from ntro.runtime.local import LocalRuntime, run_local


async def main() -> None:
    runtime = LocalRuntime()
    await asyncio.gather(*(run_local(ChainWorkflow, 1, runtime=runtime) for _ in range(1000)))
    gc.disable()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(20):
        await asyncio.gather(*(run_local(ChainWorkflow, 1, runtime=runtime) for _ in range(1000)))
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    asyncio.run(main())

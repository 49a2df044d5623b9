"""Pin the runtime from code, whatever the environment says: here LocalRuntime on a virtual clock.

From the repository's root: ``python docs/examples/python/forcing_a_runtime.py``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ntro.runtime.local import LocalRuntime, VirtualClock
from ntro.workflow import NtroWorkflow, get_runtime, reset_runtime, run_local, runbook, set_runtime


@runbook.defn
class CoolingOffWorkflow(NtroWorkflow):
    """Wait out a three-day cooling-off period."""

    @runbook.run
    async def run(self) -> str:
        """Sleep three days, durably, and say when it woke up."""
        started = runbook.now()
        await runbook.sleep(timedelta(days=3))
        return f"slept from {started:%Y-%m-%d %H:%M} to {runbook.now():%Y-%m-%d %H:%M}"


async def main() -> None:
    """Select a LocalRuntime on the virtual clock (after the class was defined: that is safe) and run."""
    set_runtime(LocalRuntime(clock=VirtualClock()))
    print("selected:", type(get_runtime()).__name__)
    print(await run_local(CoolingOffWorkflow))  # uses the selected LocalRuntime: three days pass at once
    reset_runtime()  # forget the choice (tests do this between cases)


if __name__ == "__main__":
    asyncio.run(main())

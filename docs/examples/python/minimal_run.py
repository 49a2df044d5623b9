"""A runbook in one file, run to its end in-process with ``run_local``.

From the repository's root: ``python docs/examples/python/minimal_run.py``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ntro.workflow import NtroWorkflow, activity, run_local, runbook


@activity.defn(name="greeting.compose")
async def compose(name: str) -> str:
    """The I/O of this runbook (a real one would call a service)."""
    return f"hello {name}"


@runbook.defn
class GreetingWorkflow(NtroWorkflow):
    """Compose a greeting, and say where it ran."""

    @runbook.step(name="compose", title="Compose the greeting")
    async def _compose(self, name: str) -> str:
        return await runbook.execute_activity(compose, name, start_to_close_timeout=timedelta(seconds=10))

    @runbook.run
    async def run(self, name: str) -> dict[str, str]:
        """Greet ``name``."""
        greeting = await self._compose(name)
        info = runbook.info()
        return {"greeting": greeting, "workflow_id": info.workflow_id, "task_queue": info.task_queue}


if __name__ == "__main__":
    print(asyncio.run(run_local(GreetingWorkflow, "team", workflow_id="local-test")))

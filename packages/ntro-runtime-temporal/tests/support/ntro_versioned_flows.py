"""One runbook in three versions, for the versioning tests: the same Temporal workflow type each time.

v1 opens the batch with ``versioned.open``; v2 opens it with ``versioned.open_v2``
instead. ``V2Patched`` guards the change with ``runbook.patched``;
``V2Unpatched`` does not, so a v1 history cannot replay on it.
"""

from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, activity, runbook


@activity.defn(name="versioned.open")
async def open_batch(name: str) -> str:
    return f"opened {name}"


@activity.defn(name="versioned.open_v2")
async def open_batch_v2(name: str) -> str:
    return f"opened {name} (v2)"


@activity.defn(name="versioned.close")
async def close_batch(name: str) -> str:
    return f"closed {name}"


class _Versioned(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self.go: dict[str, Any] | None = None

    @runbook.signal
    def approve(self, payload: dict[str, Any]) -> None:
        self.go = payload

    async def opened(self, name: str) -> str:
        raise NotImplementedError

    async def gate_and_close(self, name: str, opened: str) -> list[str]:
        await self.await_signal_with_action(
            predicate=lambda: self.go is not None,
            action={
                "kind": "submit_file",
                "reason": "approve the batch",
                "args": {"signal_task_id": runbook.info().workflow_id, "signal_name": "approve", "source": "ok"},
            },
        )
        return [opened, await runbook.execute_activity(close_batch, name)]


@runbook.defn(name="VersionedFlow", slug="versioned-v1")
class V1(_Versioned):
    @runbook.run
    async def run(self, name: str) -> list[str]:
        return await self.gate_and_close(name, await runbook.execute_activity(open_batch, name))


@runbook.defn(name="VersionedFlow", slug="versioned-v2-patched")
class V2Patched(_Versioned):
    @runbook.run
    async def run(self, name: str) -> list[str]:
        if runbook.patched("open-v2"):
            opened = await runbook.execute_activity(open_batch_v2, name)
        else:
            opened = await runbook.execute_activity(open_batch, name)
        return await self.gate_and_close(name, opened)


@runbook.defn(name="VersionedFlow", slug="versioned-v2-unpatched")
class V2Unpatched(_Versioned):
    @runbook.run
    async def run(self, name: str) -> list[str]:
        return await self.gate_and_close(name, await runbook.execute_activity(open_batch_v2, name))


ACTIVITIES = [open_batch, open_batch_v2, close_batch]

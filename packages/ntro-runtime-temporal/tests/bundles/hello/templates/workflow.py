"""hello: greet through an activity (a test runbook for the Temporal commands)."""

from __future__ import annotations

from ntro.workflow import WorkflowError, runbook

from .activities import compose
from .models import HelloInput, HelloResult


@runbook.defn
class HelloWorkflow:
    """Greets ``name``; fails with a WorkflowError when ``fail`` is set."""

    @runbook.run
    async def run(self, request: HelloInput) -> HelloResult:
        if request.fail:
            raise WorkflowError(f"refusing to greet {request.name}", type="Refused")
        text = await runbook.execute_activity(compose, args=[request.name, request.times])
        return HelloResult(greeting=text, workflow_id=runbook.info().workflow_id)

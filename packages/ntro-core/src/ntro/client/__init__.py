"""ntro.client: start, watch and answer runbooks on any engine.

::

    from ntro.client import open_client, open_gates, review_answer, answer_gate

    async with open_client("local") as client:          # or "temporal"
        handle = await client.start_workflow(NavMonthlyWorkflow, ctx)
        for gate in await open_gates(client, handle.id):
            if gate.kind == "interactive_review":
                await answer_gate(client, gate, review_answer("approve"))
        print(await handle.result())

The client itself is a backend's (see :mod:`ntro.runtime.protocol`); this
package holds what every caller shares: reading a run's gates, building the
answers runbooks expect, and :func:`drive`, the loop that answers gates until
a run ends. ``ntro workflow run``, the operations commands and the harness all
go through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ntro.runtime.protocol import lazy_exports

if TYPE_CHECKING:
    from ntro.client._driver import AnswerPolicy, RunWatcher, StepChange, drive
    from ntro.client._gates import (
        REVIEW_SIGNAL,
        Gate,
        answer_gate,
        document_answer,
        open_gates,
        review_answer,
        upload_answer,
    )
    from ntro.runtime.protocol import (
        ClientOptions,
        WorkflowClient,
        WorkflowDescription,
        WorkflowHandle,
        WorkflowStatus,
        open_client,
    )

__all__ = [
    "REVIEW_SIGNAL",
    "AnswerPolicy",
    "ClientOptions",
    "Gate",
    "StepChange",
    "RunWatcher",
    "WorkflowClient",
    "WorkflowDescription",
    "WorkflowHandle",
    "WorkflowStatus",
    "answer_gate",
    "document_answer",
    "drive",
    "open_client",
    "open_gates",
    "review_answer",
    "upload_answer",
]

_LAZY = {
    "AnswerPolicy": "ntro.client._driver",
    "StepChange": "ntro.client._driver",
    "RunWatcher": "ntro.client._driver",
    "drive": "ntro.client._driver",
    "REVIEW_SIGNAL": "ntro.client._gates",
    "Gate": "ntro.client._gates",
    "answer_gate": "ntro.client._gates",
    "document_answer": "ntro.client._gates",
    "open_gates": "ntro.client._gates",
    "review_answer": "ntro.client._gates",
    "upload_answer": "ntro.client._gates",
    "ClientOptions": "ntro.runtime.protocol",
    "WorkflowClient": "ntro.runtime.protocol",
    "WorkflowDescription": "ntro.runtime.protocol",
    "WorkflowHandle": "ntro.runtime.protocol",
    "WorkflowStatus": "ntro.runtime.protocol",
    "open_client": "ntro.runtime.protocol",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)

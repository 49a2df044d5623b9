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
package holds what every caller shares: the typed pending actions runbooks
publish (:class:`PendingAction`, read by one parser), the :class:`Gate` s of
a run, the answers runbooks expect, and :func:`drive`, the loop that answers
gates until a run ends. ``ntro workflow run``, the operations commands and the
harness all go through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ntro.runtime.protocol import lazy_exports

if TYPE_CHECKING:
    from ntro.client._driver import AnswerPolicy, RunWatcher, StepChange, drive
    from ntro.client._gates import (
        Gate,
        GateClosedError,
        GateNotFoundError,
        answer_gate,
        correction,
        document_answer,
        gate_is_open,
        open_gates,
        pick_reviews,
        pick_upload,
        review_answer,
        row_action,
        upload_answer,
    )
    from ntro.runtime.protocol import (
        PENDING_ACTION_KINDS,
        REVIEW_DECISIONS,
        REVIEW_SIGNAL,
        ROW_ACTION,
        SLOT_STATUSES,
        ClientOptions,
        Column,
        Dataset,
        DisplayHint,
        DrillChild,
        Feedback,
        HintAction,
        PendingAction,
        SignalTarget,
        UploadSlot,
        WorkflowClient,
        WorkflowDescription,
        WorkflowHandle,
        WorkflowStatus,
        open_client,
        split_answer,
    )

__all__ = [
    "PENDING_ACTION_KINDS",
    "REVIEW_DECISIONS",
    "REVIEW_SIGNAL",
    "ROW_ACTION",
    "SLOT_STATUSES",
    "AnswerPolicy",
    "ClientOptions",
    "Column",
    "Dataset",
    "DisplayHint",
    "DrillChild",
    "Feedback",
    "Gate",
    "GateClosedError",
    "GateNotFoundError",
    "HintAction",
    "PendingAction",
    "RunWatcher",
    "SignalTarget",
    "StepChange",
    "UploadSlot",
    "WorkflowClient",
    "WorkflowDescription",
    "WorkflowHandle",
    "WorkflowStatus",
    "answer_gate",
    "correction",
    "document_answer",
    "drive",
    "gate_is_open",
    "open_client",
    "open_gates",
    "pick_reviews",
    "pick_upload",
    "review_answer",
    "row_action",
    "split_answer",
    "upload_answer",
]

_LAZY = {
    "AnswerPolicy": "ntro.client._driver",
    "RunWatcher": "ntro.client._driver",
    "StepChange": "ntro.client._driver",
    "drive": "ntro.client._driver",
    "Gate": "ntro.client._gates",
    "GateClosedError": "ntro.client._gates",
    "GateNotFoundError": "ntro.client._gates",
    "answer_gate": "ntro.client._gates",
    "correction": "ntro.client._gates",
    "gate_is_open": "ntro.client._gates",
    "document_answer": "ntro.client._gates",
    "open_gates": "ntro.client._gates",
    "pick_reviews": "ntro.client._gates",
    "pick_upload": "ntro.client._gates",
    "review_answer": "ntro.client._gates",
    "row_action": "ntro.client._gates",
    "upload_answer": "ntro.client._gates",
    "PENDING_ACTION_KINDS": "ntro.runtime.protocol",
    "REVIEW_DECISIONS": "ntro.runtime.protocol",
    "REVIEW_SIGNAL": "ntro.runtime.protocol",
    "ROW_ACTION": "ntro.runtime.protocol",
    "SLOT_STATUSES": "ntro.runtime.protocol",
    "ClientOptions": "ntro.runtime.protocol",
    "Column": "ntro.runtime.protocol",
    "Dataset": "ntro.runtime.protocol",
    "DisplayHint": "ntro.runtime.protocol",
    "DrillChild": "ntro.runtime.protocol",
    "Feedback": "ntro.runtime.protocol",
    "HintAction": "ntro.runtime.protocol",
    "PendingAction": "ntro.runtime.protocol",
    "SignalTarget": "ntro.runtime.protocol",
    "UploadSlot": "ntro.runtime.protocol",
    "WorkflowClient": "ntro.runtime.protocol",
    "WorkflowDescription": "ntro.runtime.protocol",
    "WorkflowHandle": "ntro.runtime.protocol",
    "WorkflowStatus": "ntro.runtime.protocol",
    "open_client": "ntro.runtime.protocol",
    "split_answer": "ntro.runtime.protocol",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)

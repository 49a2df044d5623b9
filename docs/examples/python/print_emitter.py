"""An emitter that prints every observability event, on a runbook whose activity returns an ObservableResult.

From the repository's root: ``python docs/examples/python/print_emitter.py``.
"""

from __future__ import annotations

import asyncio

from ntro.events import ObservedEvent, register_emitter
from ntro.workflow import run_local
from ntro.workflow.bundle import load_bundle

observed = load_bundle("packages/ntro-harness/tests/fixtures/observed")  # its activity returns Counted


class PrintEmitter:
    """Print each event: a real one sends it to your event bus or log pipeline."""

    def emit(self, event: ObservedEvent) -> None:
        """Called once per event, in the process that ran the activity."""
        print(event.event_type, event.workflow_id, event.activity, dict(event.payload))


register_emitter(PrintEmitter())

if __name__ == "__main__":
    print("result:", asyncio.run(run_local(observed.workflow_cls, ["a", "b", "c"], workflow_id="count-1")))

"""Answer an upload with a document: put the file into the store, send its ref; the activity reads it there.

From the repository's root: ``python docs/examples/python/upload_a_document.py``. The store is a
directory here; point the workers and the answering side at ``s3://BUCKET/PREFIX`` instead and the
same code works across machines.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from ntro import documents
from ntro.client import (
    ClientOptions,
    Gate,
    WorkflowClient,
    answer_gate,
    document_answer,
    open_client,
    open_gates,
    review_answer,
)
from ntro.workflow.bundle import load_bundle, parse_input


async def next_gate(client: WorkflowClient, workflow_id: str, kind: str) -> Gate:
    """The first gate of ``kind`` the run waits at, once it waits there."""
    while not (gates := [g for g in await open_gates(client, workflow_id) if g.kind == kind]):
        await client.wait_for_change(timeout=1.0)
    return gates[0]


async def ingest(statement: Path, store: documents.DocumentStore) -> dict[str, Any]:
    """Run document-ingest in-process; answer its upload with ``statement``, its review with approve."""
    bundle = load_bundle("examples/runbooks/document-ingest")
    options = ClientOptions(workflows=[bundle.workflow_cls], activities=bundle.activities)
    async with open_client("local", options) as client:
        handle = await client.start_workflow(bundle.workflow_cls, parse_input(bundle.workflow_cls, None))
        gate = await next_gate(client, handle.id, "submit_file")
        payload = document_answer(gate, statement, store=store)  # the store first, then the signal
        print(f"{gate.describe()}: {payload['filename']} as {payload['document_ref']}")
        await answer_gate(client, gate, payload)
        await answer_gate(client, await next_gate(client, handle.id, "interactive_review"), review_answer("approve"))
        record = await handle.result()
    print(record.status, record.filename, record.total, [line.reference for line in record.line_items])
    return payload


def main() -> None:
    """Make a store and a file, run the runbook, then look at what the store holds."""
    with tempfile.TemporaryDirectory() as tmp:
        store = documents.DocumentStore(f"{tmp}/documents")  # what NTRO_DOCUMENTS or --documents names
        documents.set_default_store(store)  # the activities run in this process: they read this store
        statement = Path(tmp, "october.csv")
        statement.write_text("date,description,reference,amount\n2026-10-05,Coupon received,CPN-77,1234.56\n")

        payload = asyncio.run(ingest(statement, store))

        info = store.stat(payload["document_ref"])
        print(info.filename, info.content_type, info.size)
        print(store.put(statement.read_bytes(), "again.csv") == payload["document_ref"])  # stored once


if __name__ == "__main__":
    main()

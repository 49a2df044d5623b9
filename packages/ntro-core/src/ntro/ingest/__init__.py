"""ntro.ingest: ntro 0.1.2's ingest models, field for field.

:class:`IngestOutcome` (with :class:`IngestProgressSnapshot` and
:class:`IngestIssueSummary`) is the feedback an ingesting runbook shows people;
``ntro.workflow`` exports the three too. A runbook passes one to
``NtroWorkflow.set_user_feedback(kind="ingest", payload=...)`` while its
upload gate is open::

    from ntro.workflow import IngestOutcome

    self.set_user_feedback(
        kind="ingest",
        payload=IngestOutcome(
            source_ref="expenses-may.csv",
            parsed_rows=12,
            accepted_rows=11,
            rejected_rows=1,
            status="partial",
            message="1 row has no amount",
            reasons=[{"reason": "no amount", "count": 1}],
            progress={"accepted_rows": 11, "target_rows": 20},
        ),
        level="warning",
    )

``set_user_feedback`` stores the model's JSON form. :meth:`IngestOutcome.from_counts`
fills the counts and the status from two numbers.

:class:`SubmittedRecord`, :class:`SubmittedDocument` and
:class:`ExtractedDocument` are 0.1.2's records of submitted rows, uploaded
files and their extractions. The submodules are 0.1.2's too
(``ntro.ingest.outcome``, ``.records``, ``.documents``). 0.1.2's database
helpers (``insert_submitted_record``, ``fetch_submitted_document_by_id``,
``fetch_latest_submitted_document``, ``insert_submitted_document``,
``insert_extracted_document``, ``list_submitted_documents``) used the hosted
platform's database and are not carried over: importing one raises an
``ImportError`` that says so.
"""

from __future__ import annotations

from typing import Any

from ntro.ingest._not_carried import not_carried_over
from ntro.ingest.documents import ExtractedDocument, SubmittedDocument
from ntro.ingest.outcome import IngestIssueSummary, IngestOutcome, IngestProgressSnapshot, IngestStatus
from ntro.ingest.records import SubmittedRecord

__all__ = [
    "ExtractedDocument",
    "IngestIssueSummary",
    "IngestOutcome",
    "IngestProgressSnapshot",
    "IngestStatus",
    "SubmittedDocument",
    "SubmittedRecord",
]


def __getattr__(name: str) -> Any:
    not_carried_over(__name__, name)

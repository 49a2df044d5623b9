"""Scenarios for document-ingest, run by ``ntro workflow test`` beside the built-in happy and reject_all."""

from ntro.testing import REAL, Scenario

SCENARIOS = [
    Scenario(
        "corrected",
        corrections={"review_extraction": [{"field": "document_date", "new_value": "2026-10-31"}]},
        description="the reviewer corrects a header field before approving",
    ),
    Scenario(
        "real-activities",
        mocks={
            "document_ingest.parse_document": REAL,
            "document_ingest.extract_fields": REAL,
            "document_ingest.commit_extraction": REAL,
        },
        description="a real parse, extraction and commit of the bundled sample statement",
    ),
]

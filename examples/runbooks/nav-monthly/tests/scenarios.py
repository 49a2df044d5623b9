"""Scenarios for nav-monthly, run by ``ntro workflow test`` beside the built-in happy and reject_all."""

from ntro.testing import REAL, Scenario

SCENARIOS = [
    Scenario(
        "documents-ok-nav-rejected",
        review_overrides={"review": "reject"},
        description="the documents are approved, the closing NAV is sent back",
    ),
    Scenario(
        "real-activities",
        mocks={
            name: REAL
            for name in (
                "nav_monthly.open_period",
                "nav_monthly.check_trial_balance",
                "nav_monthly.roll_forward_nav",
                "nav_monthly.close_period",
                "document_ingest.parse_document",
                "document_ingest.extract_fields",
                "document_ingest.commit_extraction",
            )
        },
        description="every activity runs for real, on the bundled sample files",
    ),
]

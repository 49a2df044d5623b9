"""Scenarios for expense-processor, run by ``ntro workflow test`` beside the built-in happy and reject_all."""

from ntro.testing import Scenario

SCENARIOS = [
    Scenario(
        "corrected-category",
        corrections={"review": [{"expense_id": "auto-mock", "field": "category", "new_value": "travel"}]},
        description="the reviewer re-categorises an expense before approving",
    ),
]

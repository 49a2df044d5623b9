"""The templates of the invoice-approval runbook: its workflow, activities and models."""

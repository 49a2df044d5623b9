"""The templates of the misnamed runbook."""

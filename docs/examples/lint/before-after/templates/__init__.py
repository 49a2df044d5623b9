"""The templates of the before-after runbook."""

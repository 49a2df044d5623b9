"""The templates of the wall-clock runbook."""

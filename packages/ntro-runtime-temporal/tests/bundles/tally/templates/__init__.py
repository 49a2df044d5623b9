"""tally: a running total changed by updates."""

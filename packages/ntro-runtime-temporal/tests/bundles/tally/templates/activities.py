"""tally has no activities: updates change its state."""

"""One run: the task group, pacing, retries, the state and the single writer of outcomes."""

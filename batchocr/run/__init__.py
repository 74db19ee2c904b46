"""One run: the task group, pacing, retries, the state and the single writer of outcomes.

::

    runner      one ``batchocr run``: config → lock → state → engine → reports
    engine      the task group: sources → prepare → submit → classify → record
    feed        items pulled and files read in the walker thread
    submit      the send path: pace, send, retry, record
    control     how a run stops: halt latch, first-request gate, signals
    limiter  pacing  retry   the rate limiter, adaptive pacing, the retry policy (pure)
    recorder    the single writer of outcomes
    state  schema  lock  sinks   OUT: the SQLite state (and its schema), its lock, the files
    progress    the live line on stderr
"""

__all__ = [
    "control", "engine", "feed", "limiter", "lock", "pacing", "progress", "recorder", "retry",
    "runner", "schema", "sinks", "state", "submit",
]  # fmt: skip

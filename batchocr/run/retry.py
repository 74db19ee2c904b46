"""The retry policy, composed from tenacity's pieces with every effect injected.

An attempt that fails transiently raises :class:`Transient`; tenacity waits
(exponential backoff with jitter, capped per wait) and tries again until one
of the stop conditions holds: ``max_attempts`` reached, the per-item deadline
would be passed by the next wait, the run-wide :class:`RetryBudget` is spent,
or the engine is halting. A cancellation is never retried: only
:class:`Transient` is.

>>> import random
>>> wait = Backoff(initial=1.0, cap=8.0, rng=random.Random(0))
>>> [round(wait.bound(n), 1) for n in range(1, 6)]
[1.0, 2.0, 4.0, 8.0, 8.0]
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from ..errors import BatchOCRError
from .limiter import Clock, Sleep


class Transient(Exception):
    """A failure worth another attempt; ``error`` is what the report shows if none succeeds."""

    def __init__(self, error: BatchOCRError, code: int | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.code = code


class Backoff(wait_base):
    """Exponential backoff with "equal jitter": uniform in [bound/2, bound].

    ``bound(n) = min(cap, initial * 2**(n-1))`` after the n-th failed attempt.
    Half the wait is fixed so retries never pile up at zero delay; the other
    half is random so many items failing together do not retry in lockstep.
    """

    def __init__(self, initial: float, cap: float, rng: random.Random) -> None:
        self.initial = initial
        self.cap = cap
        self.rng = rng

    def bound(self, attempt: int) -> float:
        return float(min(self.cap, self.initial * 2 ** (attempt - 1)))

    def __call__(self, retry_state: RetryCallState) -> float:
        bound = self.bound(retry_state.attempt_number)
        return self.rng.uniform(bound / 2, bound)


@dataclass(slots=True)
class RetryBudget:
    """Caps retries at ``minimum + ratio * first attempts`` over the whole run.

    In a sustained outage every item would otherwise multiply its load by
    ``max_attempts``; with the budget spent, failing items are left for the
    next run instead of hammering a service that is down.

    >>> b = RetryBudget(ratio=0.5, minimum=1)
    >>> b.first_attempts = 4
    >>> [b.try_spend() for _ in range(4)]
    [True, True, True, False]
    """

    ratio: float = 0.2
    minimum: int = 10
    first_attempts: int = 0
    retries: int = 0

    def try_spend(self) -> bool:
        if self.retries >= self.minimum + self.ratio * self.first_attempts:
            return False
        self.retries += 1
        return True


class _Stop(stop_base):
    def __init__(
        self,
        max_attempts: int,
        deadline: float,
        clock: Clock,
        budget: RetryBudget,
        halting: Callable[[], bool],
    ) -> None:
        self.max_attempts = max_attempts
        self.deadline = deadline
        self.clock = clock
        self.budget = budget
        self.halting = halting
        self.started = clock()

    def __call__(self, retry_state: RetryCallState) -> bool:
        if retry_state.attempt_number >= self.max_attempts or self.halting():
            return True
        if self.clock() - self.started + retry_state.upcoming_sleep > self.deadline:
            return True
        return not self.budget.try_spend()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Everything that shapes one item's retries; effects are injected."""

    max_attempts: int
    backoff_initial: float
    backoff_max: float
    item_deadline: float
    sleep: Sleep
    clock: Clock
    rng: random.Random

    def retrying(self, budget: RetryBudget, halting: Callable[[], bool]) -> AsyncRetrying:
        """A fresh tenacity controller for one item."""
        return AsyncRetrying(
            stop=_Stop(self.max_attempts, self.item_deadline, self.clock, budget, halting),
            wait=Backoff(self.backoff_initial, self.backoff_max, self.rng),
            retry=retry_if_exception_type(Transient),
            sleep=self.sleep,
            reraise=True,
        )

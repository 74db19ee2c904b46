"""The retry policy: backoff schedule, stop conditions, budget; no real waiting."""

from __future__ import annotations

import random

import pytest
from fakes import InstantSleep

from batchocr.errors import TransportError
from batchocr.run.retry import Backoff, RetryBudget, RetryPolicy, Transient


def policy(sleep: InstantSleep, *, attempts: int = 5, deadline: float = 300.0) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=attempts,
        backoff_initial=1.0,
        backoff_max=8.0,
        item_deadline=deadline,
        sleep=sleep,
        clock=sleep.clock,
        rng=random.Random(7),
    )


async def run_failing(p: RetryPolicy, budget: RetryBudget, fail_times: int) -> int:
    """Run an attempt that fails `fail_times` times; return the attempts made."""
    calls = 0
    async for attempt in p.retrying(budget, lambda: False):
        with attempt:
            calls += 1
            if calls <= fail_times:
                raise Transient(TransportError("boom"))
    return calls


def test_backoff_bounds_double_and_cap() -> None:
    """Each wait lies in [bound/2, bound], the bound doubling from `initial` up to `cap`."""
    wait = Backoff(initial=1.0, cap=8.0, rng=random.Random(1))
    assert [wait.bound(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


@pytest.mark.asyncio
async def test_schedule_of_waits_is_jittered_exponential() -> None:
    """Four failures then success: four waits, each within its jitter band, no real sleep."""
    sleep = InstantSleep()
    calls = await run_failing(policy(sleep), RetryBudget(minimum=100), fail_times=4)
    assert calls == 5
    assert len(sleep.waits) == 4
    for wait, bound in zip(sleep.waits, [1.0, 2.0, 4.0, 8.0], strict=True):
        assert bound / 2 <= wait <= bound


@pytest.mark.asyncio
async def test_same_seed_same_schedule() -> None:
    """The injected random generator makes the schedule reproducible."""
    a, b = InstantSleep(), InstantSleep()
    await run_failing(policy(a), RetryBudget(minimum=100), fail_times=3)
    await run_failing(policy(b), RetryBudget(minimum=100), fail_times=3)
    assert a.waits == b.waits


@pytest.mark.asyncio
async def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    """After max_attempts transient failures the Transient is re-raised, not wrapped."""
    sleep = InstantSleep()
    with pytest.raises(Transient, match="boom"):
        await run_failing(policy(sleep, attempts=3), RetryBudget(minimum=100), fail_times=99)
    assert len(sleep.waits) == 2


@pytest.mark.asyncio
async def test_deadline_stops_before_a_wait_that_would_pass_it() -> None:
    """With a 5 s per-item deadline the waits never add up past it."""
    sleep = InstantSleep()
    with pytest.raises(Transient):
        await run_failing(policy(sleep, attempts=50, deadline=5.0), RetryBudget(minimum=100), 99)
    assert sum(sleep.waits) <= 5.0
    assert len(sleep.waits) >= 2


@pytest.mark.asyncio
async def test_budget_spent_means_no_more_retries() -> None:
    """Once the run-wide budget is used up, a failing item gives up at once."""
    budget = RetryBudget(ratio=0.0, minimum=2)
    sleep = InstantSleep()
    with pytest.raises(Transient):
        await run_failing(policy(sleep), budget, fail_times=99)
    assert (budget.retries, len(sleep.waits)) == (2, 2)


@pytest.mark.asyncio
async def test_other_exceptions_are_never_retried() -> None:
    """Only Transient is retried: any other error (a bug, a cancellation) passes straight out."""
    sleep = InstantSleep()
    calls = 0
    with pytest.raises(KeyError):
        async for attempt in policy(sleep).retrying(RetryBudget(), lambda: False):
            with attempt:
                calls += 1
                raise KeyError("x")
    assert (calls, sleep.waits) == (1, [])


@pytest.mark.asyncio
async def test_halting_stops_retries() -> None:
    """When the engine is halting, a failed attempt is not retried."""
    sleep = InstantSleep()
    calls = 0
    with pytest.raises(Transient):
        async for attempt in policy(sleep).retrying(RetryBudget(), lambda: True):
            with attempt:
                calls += 1
                raise Transient(TransportError("down"))
    assert calls == 1

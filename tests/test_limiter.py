"""The rate limiter: the window bound, no start-up burst, bursts only after idling."""

from __future__ import annotations

import itertools

import anyio
import pytest
from fakes import VirtualClock

from batchocr.run.limiter import RateLimiter


def max_starts_in_window(starts: list[float], window: float) -> int:
    """The most starts found in any closed window of the given length."""
    starts = sorted(starts)
    best = 0
    j = 0
    for i, t in enumerate(starts):
        while starts[j] < t - window - 1e-9:
            j += 1
        best = max(best, i - j + 1)
    return best


async def _hammer(qps: float, burst: int, tasks: int, each: int) -> list[float]:
    vc = VirtualClock()
    limiter = RateLimiter(qps, burst, clock=vc.clock, sleep=vc.sleep)
    starts: list[float] = []

    async def worker() -> None:
        for _ in range(each):
            await limiter.acquire()
            starts.append(vc.now)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(tasks):
                tg.start_soon(worker)

    await vc.run(main)
    return starts


@pytest.mark.asyncio
@pytest.mark.parametrize(("qps", "burst"), [(5.0, 1), (5.0, 4), (0.5, 1), (33.0, 10)])
async def test_window_bound_holds_for_every_window(qps: float, burst: int) -> None:
    """In any window of length t, at most qps*t + burst requests start."""
    starts = await _hammer(qps, burst, tasks=8, each=25)
    assert len(starts) == 200
    for t in (0.0, 0.1, 0.5, 1.0, 2.0, 7.3):
        assert max_starts_in_window(starts, t) <= qps * t + burst, t


@pytest.mark.asyncio
async def test_no_burst_at_start_up() -> None:
    """Even with burst=10, the first second sees one start per interval, not ten at once."""
    starts = await _hammer(10.0, 10, tasks=20, each=1)
    assert sorted(starts)[:3] == pytest.approx([0.0, 0.1, 0.2])
    assert max_starts_in_window(starts, 0.0) == 1


@pytest.mark.asyncio
async def test_sustained_rate_is_the_configured_rate() -> None:
    """Many concurrent callers are paced at exactly qps on average."""
    starts = await _hammer(5.0, 1, tasks=8, each=25)
    assert max(starts) == pytest.approx(199 / 5.0)


@pytest.mark.asyncio
async def test_burst_is_allowed_after_idle_time() -> None:
    """After a quiet period the bucket refills to `burst` and those start together."""
    vc = VirtualClock()
    limiter = RateLimiter(2.0, 3, clock=vc.clock, sleep=vc.sleep)
    starts: list[float] = []

    async def main() -> None:
        await limiter.acquire()
        await vc.sleep(10.0)
        for _ in range(4):
            await limiter.acquire()
            starts.append(vc.now)

    await vc.run(main)
    assert starts == pytest.approx([10.0, 10.0, 10.0, 10.5])


def test_rejects_nonsense_settings() -> None:
    """A zero rate or a burst below one is a programming error, caught at construction."""
    with pytest.raises(ValueError, match="qps must be > 0"):
        RateLimiter(0, 1)
    with pytest.raises(ValueError, match="burst >= 1"):
        RateLimiter(1, 0)


@pytest.mark.asyncio
async def test_a_late_start_pushes_the_next_one_back() -> None:
    """A sleep that overshoots by 30 ms never lets the next start come sooner than 1/qps."""
    vc = VirtualClock()

    async def oversleep(seconds: float) -> None:
        await vc.sleep(seconds + 0.03)

    limiter = RateLimiter(20.0, 1, clock=vc.clock, sleep=oversleep)
    starts: list[float] = []

    async def worker() -> None:
        for _ in range(10):
            await limiter.acquire()
            starts.append(vc.now)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(worker)

    await vc.run(main)
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.05 - 1e-9


@pytest.mark.asyncio
async def test_a_new_rate_applies_from_the_next_start_without_a_burst() -> None:
    """set_rate(5) after 10 starts at 20 qps: the later starts are 0.2 s apart, none closer."""
    vc = VirtualClock()
    limiter = RateLimiter(20, 1, clock=vc.clock, sleep=vc.sleep)
    starts: list[float] = []

    async def main() -> None:
        for i in range(20):
            if i == 10:
                limiter.set_rate(5)
            await limiter.acquire()
            starts.append(vc.now)

    await vc.run(main)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    assert gaps[:9] == [0.05] * 9
    assert all(g >= 0.05 for g in gaps[9:10]) and gaps[10:] == [0.2] * 9
    assert limiter.qps == 5

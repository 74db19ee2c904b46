"""Tests for batchocr.run.pacing: the adaptive pacer, driven by a deterministic simulation of
the engine against a provider that counts requests in a sliding 1-second window."""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass, field

from batchocr.run.pacing import Pacer, Verdict, start_rate


@dataclass
class Provider:
    """Refuses (10012) a request when ``cap`` were admitted in the last second; after
    ``quota`` admissions, refuses everything (the plan's quota is used up)."""

    cap: float
    quota: int | None = None
    admitted: deque[float] = field(default_factory=deque)
    total: int = 0

    def admit(self, t: float) -> bool:
        while self.admitted and self.admitted[0] <= t - 1.0:
            self.admitted.popleft()
        if len(self.admitted) >= self.cap or (self.quota is not None and self.total >= self.quota):
            return False
        self.admitted.append(t)
        self.total += 1
        return True


@dataclass
class Outcome:
    done: int = 0
    requests: int = 0
    refused: int = 0
    stopped_at: float | None = None
    starts: list[float] = field(default_factory=list)  # of admitted requests
    end: float = 0.0


def simulate(qps: float, provider: Provider, images: int = 150, concurrency: int = 8,
             seed: int = 1, learned: float | None = None,
             **tuning: float) -> tuple[Outcome, Pacer]:  # fmt: skip
    """The engine in miniature: workers take images, the limiter spaces request starts at
    the pacer's rate, answers take 100 ± 30 ms, a refused image is sent again."""
    rng = random.Random(seed)
    pacer = Pacer(ceiling=qps, learned=learned, **tuning)
    out = Outcome()
    next_slot = 0.0
    todo = images
    events: list[tuple[float, int, str, bool, float]] = []  # time, order, kind, admitted, sent
    order = 0
    for _ in range(concurrency):
        heapq.heappush(events, (0.0, order, "free", False, 0.0))
        order += 1
    while events:
        t, _, kind, admitted, sent = heapq.heappop(events)
        if kind == "answer":
            if admitted:
                pacer.on_success(t)
                out.done += 1
            elif pacer.on_refusal(t, sent) is Verdict.QUOTA:
                out.stopped_at = t
                break
            else:
                todo += 1  # sent again
            kind = "free"
        if kind == "free":
            if todo == 0:
                continue
            todo -= 1
            start = max(t, next_slot)
            next_slot = start + 1.0 / pacer.rate
            ok = provider.admit(start)
            out.requests += 1
            out.refused += not ok
            if ok:
                out.starts.append(start)
            out.end = max(out.end, start)
            heapq.heappush(events, (start + rng.uniform(0.07, 0.13), order, "answer", ok, start))
            order += 1
    return out, pacer


def rate_over(starts: list[float], since: float, until: float) -> float:
    n = sum(since <= s <= until for s in starts)
    return n / (until - since)


def test_three_times_the_real_limit_finishes_with_few_refusals_near_the_cap() -> None:
    """Configured 30 against a sliding-window cap of 10: every image done, ≤ 10 % of requests
    refused, and the second half of the run at ≥ 0.9 × the cap."""
    for seed in range(5):
        out, pacer = simulate(30, Provider(cap=10), images=150, seed=seed)
        assert out.stopped_at is None and out.done == 150
        assert out.refused <= 0.10 * out.requests, (seed, out.refused, out.requests)
        half = out.starts[len(out.starts) // 2]
        assert rate_over(out.starts, half, out.end) >= 0.9 * 10, seed
        assert pacer.refusals == out.refused


def test_at_exactly_the_cap_no_request_is_refused_and_little_is_given_up() -> None:
    """Configured = cap = 30, sliding window: no refusal, ≥ 0.97 × the cap."""
    for seed in range(5):
        out, _ = simulate(30, Provider(cap=30), images=600, seed=seed)
        assert out.refused == 0
        assert rate_over(out.starts, 1.0, out.end) >= 0.97 * 30


def test_under_the_cap_the_configured_rate_is_kept() -> None:
    """Configured 5 against a cap of 30: 5 qps (less the 1.5 % margin), no refusal."""
    out, pacer = simulate(5, Provider(cap=30), images=100)
    assert out.refused == 0 and pacer.rate == start_rate(5, None) == 4.925
    assert 0.97 * 5 <= rate_over(out.starts, 1.0, out.end) <= 5


def test_a_quota_that_runs_out_stops_the_run_within_a_few_refusals() -> None:
    """After 60 admissions everything is refused: the pacer calls it quota after 2 s of
    refusals, slowing down meanwhile (about as many refused requests as 3 items x 5 attempts
    and the in-flight ones cost before adaptive pacing)."""
    out, pacer = simulate(30, Provider(cap=100, quota=60), images=500)
    assert out.stopped_at is not None
    assert out.done == 60
    assert out.refused <= 35, out.refused
    assert pacer.refusals <= out.refused  # the rest were still in flight at the stop


def test_a_learned_rate_starts_the_next_run_near_the_limit() -> None:
    """Starting from the rate a previous run learned, the cap is met from the start: few
    refusals at all."""
    first, pacer = simulate(30, Provider(cap=10), images=150)
    again, _ = simulate(30, Provider(cap=10), images=150, learned=pacer.rate)
    assert again.refused <= 3 < first.refused
    assert rate_over(again.starts, 1.0, again.end) >= 0.9 * 10


def test_refusals_of_requests_already_in_flight_cut_the_rate_once() -> None:
    """Within ``hold`` seconds of a cut, further refusals are counted but do not cut again."""
    pacer = Pacer(ceiling=20)
    pacer.on_refusal(1.0)
    after_first = pacer.rate
    for t in (1.1, 1.2, 1.5):
        assert pacer.on_refusal(t) is Verdict.SLOWER
    assert (pacer.rate, pacer.refusals) == (after_first, 4)

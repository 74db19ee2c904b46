"""Adaptive pacing: find the provider's real limit under the configured ``qps`` (pure).

``qps`` is a ceiling, not a promise: providers count in windows we cannot see (a sliding
second, a fixed one) and users rarely know their key's limit. :class:`Pacer` is told when a
request was refused for its rate (10011/10012) and when one succeeded, and answers with the
rate the limiter should use now. No I/O, no sleeping: times are passed in, so tests drive it
with a fake clock and scripted answers.

* **Multiplicative decrease.** A refusal cuts the rate, once per ``hold`` seconds (the
  refusals of requests already in flight belong to the same excess and do not cut again):
  the first cut of a run takes it to a third; later ones go to ``decrease`` x the lower of the rate
  and what the provider admitted over the last second (once a second has been seen), which
  is the limit itself under a sliding or fixed window.
  Tuned with ``tests/test_pacing.py``'s simulation (sliding cap 10, configured 30, seeds
  0-7): 150 images refuse ≤ 8 % of requests, 1,000 images 2.6 %, the second half at ≥ 9.1.
* **Additive increase, careful near the limit.** Successes raise the rate by ``fast`` x
  ceiling per second while it is well under the last rate that was refused, then by ``slow``
  x ceiling per second: the sawtooth stays close under the limit, refusing rarely.
* **Margin.** The pace never exceeds ``(1 - margin)`` x ceiling, so a provider counting any
  sliding second sees no refusal at exactly the configured cap.
* **Rate or quota.** Refusals that go on with no success for ``quota_after`` seconds, while
  the rate keeps falling, are not about rate: the quota is used up. :meth:`on_refusal` then
  says :attr:`Verdict.QUOTA` and the run stops (exit 3) as it always did.

>>> p = Pacer(ceiling=30.0)
>>> p.rate
29.55
>>> p.on_refusal(now=10.0), round(p.rate, 2)
(<Verdict.SLOWER: 'slower'>, 9.75)
>>> p.on_refusal(now=10.2), round(p.rate, 2)  # the same excess: no second cut
(<Verdict.SLOWER: 'slower'>, 9.75)
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field

__all__ = ["Pacer", "Verdict", "start_rate"]


class Verdict(enum.StrEnum):
    """What a refusal means for the run."""

    SLOWER = "slower"  # a rate refusal: paced down, the request is sent again
    QUOTA = "quota"  # refusals persist however slow we go: stop, resumable


def start_rate(ceiling: float, learned: float | None, margin: float = 0.015) -> float:
    """Where a run starts: a previous run's learned rate on the same OUT, never above the
    ceiling (less the margin).

    >>> start_rate(30, None), start_rate(30, 9.6), start_rate(5, 9.6)
    (29.55, 9.6, 4.925)
    """
    top = ceiling * (1 - margin)
    return min(top, learned) if learned else top


@dataclass(slots=True)
class Pacer:
    """The rate to pace at, from the answers so far; see the module docstring."""

    ceiling: float
    learned: float | None = None  # a previous run's rate on the same OUT
    margin: float = 0.015
    decrease: float = 0.9
    first_cut: float = 0.33  # the first cut of a run, when nothing is known yet
    fast: float = 0.05  # x ceiling per second, well under the last refused rate
    slow: float = 0.01  # x ceiling per second, near it
    near: float = 0.9  # "near" = above this fraction of the last refused rate
    hold: float = 1.0  # seconds after a cut during which refusals do not cut again
    quota_after: float = 2.0  # seconds of refusals with no success in between
    floor_share: float = 0.02  # the lowest rate, as a share of the ceiling
    rate: float = field(init=False)
    refusals: int = field(init=False, default=0)
    _refused_at_rate: float | None = field(init=False, default=None)
    _hold_until: float = field(init=False, default=float("-inf"))
    _cut_at: float = field(init=False, default=float("-inf"))
    _last_success: float | None = field(init=False, default=None)
    _streak_since: float | None = field(init=False, default=None)
    _grown_at: float | None = field(init=False, default=None)
    _first_success: float | None = field(init=False, default=None)
    _recent: deque[float] = field(init=False, default_factory=deque)  # successes, last second

    def __post_init__(self) -> None:
        self.rate = start_rate(self.ceiling, self.learned, self.margin)
        if self.learned and self.learned < self.top:
            self._refused_at_rate = self.learned / self.decrease  # probe gently from there

    @property
    def top(self) -> float:
        return self.ceiling * (1 - self.margin)

    @property
    def floor(self) -> float:
        return max(self.ceiling * self.floor_share, 0.05)

    def on_success(self, now: float) -> float:
        """A request was answered (not refused for its rate): climb back; returns the rate."""
        self._last_success, self._streak_since = now, None
        if self._first_success is None:
            self._first_success = now
        self._recent.append(now)
        self._forget(now)
        if self._grown_at is None or now < self._hold_until:
            self._grown_at = max(now, self._hold_until)
            return self.rate
        elapsed, self._grown_at = now - self._grown_at, now
        limit = self._refused_at_rate
        step = self.slow if limit is not None and self.rate >= self.near * limit else self.fast
        self.rate = min(self.top, self.rate + step * self.ceiling * elapsed)
        return self.rate

    def on_refusal(self, now: float, sent_at: float | None = None) -> Verdict:
        """A request was refused for its rate (10011/10012): slow down, or call it quota.

        ``sent_at``, when known, is when the refused request started: one sent before the
        last cut belongs to the excess already dealt with, one sent after it means the new
        rate is still too fast (cut again at once). Without it, ``hold`` seconds decide.
        """
        self.refusals += 1
        if self._streak_since is None:
            self._streak_since = now
        fresh = now >= self._hold_until if sent_at is None else sent_at >= self._cut_at
        if fresh:
            self._cut(now)
        if now - self._streak_since >= self.quota_after and self.refusals >= 3:
            return Verdict.QUOTA
        return Verdict.SLOWER

    def _forget(self, now: float) -> None:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()

    def _cut(self, now: float) -> None:
        self._forget(now)
        seen_a_second = self._first_success is not None and now - self._first_success >= 1.0
        if self._refused_at_rate is None and not self.learned:
            # The first excess of a run: get well under it fast.
            limit, factor = self.rate, self.first_cut
        else:
            admitted = float(len(self._recent)) if seen_a_second else self.rate
            limit, factor = min(self.rate, max(admitted, self.floor)), self.decrease
        self._refused_at_rate = limit
        self.rate = max(self.floor, limit * factor)
        self._hold_until = now + self.hold
        self._cut_at = now
        self._grown_at = None

    def to_remember(self) -> float | None:
        """The rate a next run on the same OUT should start from: this run's, if the provider
        refused anything (or it started from a learned one below the ceiling), else None."""
        if self.refusals or (self.learned and self.rate < self.top):
            return round(self.rate, 3)
        return None

    def snapshot(self) -> dict[str, float | int]:
        """What summary.json and the run state keep: the ceiling, the rate now, refusals."""
        return {"ceiling": self.ceiling, "rate": round(self.rate, 3), "refusals": self.refusals}

"""How a run stops: the halt latch, the first-request gate, interruptible naps, signals.

Two latches stop a run. *Closing* (``--limit`` reached) lets started items finish, retries
included. *Halting* (an account-level error, a service-wide stop, a signal) also stops every
new request, retries included; in-flight requests still finish and are recorded. The first
request of a run goes alone (the *gate*): a bad key costs one request, not a burst.

>>> from batchocr.models import Counters
>>> c = Control(anyio.sleep, Counters())
>>> c.halt(Halt.LIMIT, "--limit 3 reached"); (c.closing, c.halted)
(True, False)
>>> c.halt(Halt.ABORT, "bad key", 10001); (c.halted, c.reason, c.code)
(True, <Halt.ABORT: 'abort'>, 10001)
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass, field

import anyio
from anyio.abc import TaskGroup

from ..exits import Halt
from ..models import Counters
from .limiter import Sleep

log = logging.getLogger("batchocr")

__all__ = ["Control", "Halted"]


class Halted(Exception):
    """Raised instead of sending once the run is halting."""


@dataclass(slots=True)
class Control:
    """The run's stop state; every worker consults it before sending."""

    sleep: Sleep
    counters: Counters  # ``retrying`` counts the workers in a backoff nap now
    reason: Halt | None = None
    message: str = ""
    code: int | None = None  # the service code the run stopped on, as data
    closing: bool = False
    gate: anyio.Event = field(default_factory=anyio.Event)
    _probe: str | None = None
    _naps: set[anyio.CancelScope] = field(default_factory=set)

    @property
    def halted(self) -> bool:
        return self.reason is not None and self.reason is not Halt.LIMIT

    def halt(self, reason: Halt, message: str, code: int | None = None) -> None:
        """Stop sending; the first reason given is the one the run reports."""
        if self.reason is None or (self.reason is Halt.LIMIT and reason is not Halt.LIMIT):
            self.reason, self.message, self.code = reason, message, code
            log.warning("%s", message)
        self.closing = True
        if reason is not Halt.LIMIT:
            self.gate.set()  # wake the workers waiting behind the first request
            for scope in list(self._naps):
                scope.cancel()

    async def nap(self, seconds: float) -> None:
        """A backoff sleep that ends early when the run halts."""
        self.counters.retrying += 1
        try:
            with anyio.CancelScope() as scope:
                self._naps.add(scope)
                try:
                    await self.sleep(seconds)
                finally:
                    self._naps.discard(scope)
        finally:
            self.counters.retrying -= 1

    async def pass_gate(self, sha: str) -> None:
        """Let the run's first request go alone; raise Halted once the run is halting."""
        if not self.gate.is_set():
            if self._probe is None:
                self._probe = sha
            if self._probe != sha:
                await self.gate.wait()
        if self.halted:
            raise Halted

    def done_probing(self, sha: str) -> None:
        """The first request's item is answered (or gave up): open the gate for the rest."""
        if self._probe == sha:
            self.gate.set()

    async def watch_signals(self, outer: TaskGroup) -> None:
        """SIGINT/SIGTERM halt the run; a second one stops it at once."""
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for signum in signals:
                if self.halted:
                    log.warning("second signal: stopping now")
                    outer.cancel_scope.cancel()
                    return
                which = Halt.SIGINT if signum == signal.SIGINT else Halt.SIGTERM
                self.halt(which, f"{signal.Signals(signum).name}: finishing requests in flight")

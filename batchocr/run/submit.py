"""The send path: prepare an image, pace and send it, retry, and record what came back.

A :class:`Submitter` owns everything between a prepared image and its recorded outcome: the
rate limiter and the adaptive pacer (for paced backends), the retry policy and the run's
retry budget, the ``--limit`` count, and the verdict on each answer. It stops through the
run's :class:`~batchocr.run.control.Control` and writes only through the
:class:`~batchocr.run.recorder.Recorder`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Protocol

import anyio
from PIL import Image

from ..config import Config
from ..documents.prepare import Limits, prepare
from ..documents.qr import InvoiceQr, read_qr
from ..errors import InputError, ServiceError, TransportError, Verdict, classify, describe
from ..exits import Halt
from ..models import Counters, InputKind, Item, PreparedImage, Reply, Stage
from ..records import BackendName
from .control import Control, Halted
from .limiter import Clock, RateLimiter, Sleep, Unlimited
from .pacing import Pacer
from .pacing import Verdict as PaceVerdict
from .recorder import Recorder
from .retry import RetryBudget, RetryPolicy, Transient

__all__ = ["RATE_CODES", "Backend", "Submitter"]

RATE_CODES = frozenset({10011, 10012})  # refused for the request rate: pace down, send again


class Backend(Protocol):
    """Anything that can recognize an encoded image (see ``recognize.client.JuheClient``)."""

    backend: BackendName
    paced: bool  # requests go through the run's rate limiter (and adaptive pacing)
    billed: bool  # a successful answer costs quota

    def encode(self, image: bytes) -> bytes: ...

    async def send(self, body: bytes) -> Reply: ...

    async def aclose(self) -> None: ...


@dataclass(slots=True)
class _Tries:
    sent: int = 0
    started: float = 0.0  # when the latest request of this item left


@dataclass(slots=True)
class Submitter:
    """Sends prepared images and records their outcomes; see the module docstring."""

    config: Config
    control: Control
    recorder: Recorder
    counters: Counters
    clock: Clock
    sleep: Sleep
    limits: Limits
    dry_run: bool = False
    limit: int | None = None
    learned_qps: float | None = None  # the rate a previous run on this OUT ended at
    backend: Backend | None = None
    pacer: Pacer | None = None
    limiter: RateLimiter | Unlimited = field(default_factory=Unlimited)
    budget: RetryBudget = field(default_factory=RetryBudget)
    policy: RetryPolicy | None = None
    dry_seen: set[str] = field(default_factory=set)
    gave_up: set[str] = field(default_factory=set)  # contents that used up retries this run
    _sent_items: int = 0
    _outage_streak: int = 0

    def use_backend(self, backend: Backend | None) -> None:
        """Set the backend; one that is paced gets the limiter, at the pacer's rate."""
        self.backend = backend
        if backend is not None and backend.paced:
            self.pacer = Pacer(self.config.qps, learned=self.learned_qps)
            self.limiter = RateLimiter(
                self.pacer.rate, self.config.burst, clock=self.clock, sleep=self.sleep
            )
        else:
            self.pacer = None
            self.limiter = Unlimited()

    async def prepare_and_send(self, item: Item, sha: str, data: bytes) -> None:
        try:
            prepared, qr = await anyio.to_thread.run_sync(_prepare_with_qr, data, self.limits)
        except InputError as exc:
            self.recorder.failure(sha, Stage.INPUT, str(exc), kind=exc.kind)
            return
        if qr is not None and not qr.is_air:  # told apart before anything is sent
            reason = f"not a flight itinerary: {qr.kind_name} {qr.number} (from its QR code)"
            self.recorder.failure(sha, Stage.INPUT, reason, kind=InputKind.OTHER_INVOICE)
            return
        if self.dry_run or self.backend is None:
            self.dry_seen.add(sha)
            self.counters.would_send += 1
            return
        limit = self.limit
        if limit is not None and self._sent_items >= limit:
            self.control.halt(Halt.LIMIT, f"--limit {limit} reached: the rest stays pending")
            self.recorder.pending(sha, "not sent: --limit reached")
            return
        self._sent_items += 1
        self.budget.first_attempts += 1
        await self._submit(item, sha, prepared, qr)

    async def _submit(
        self, item: Item, sha: str, prepared: PreparedImage, qr: InvoiceQr | None = None
    ) -> None:
        assert self.backend is not None and self.policy is not None
        body = await anyio.to_thread.run_sync(self.backend.encode, prepared.data)
        tries = _Tries()
        try:
            async for attempt in self.policy.retrying(self.budget, lambda: self.control.halted):
                with attempt:
                    reply = await self._attempt(sha, body, tries)
        except Transient as exc:
            self._exhausted(sha, exc, tries.sent)
            return
        except Halted:
            self.recorder.pending(
                sha, f"not sent: {self.control.message}", tries.sent, self.control.code
            )
            return
        finally:
            self.control.done_probing(sha)
        self._answered(item, sha, reply, tries.sent, qr)

    async def _attempt(self, sha: str, body: bytes, tries: _Tries) -> Reply:
        """One attempt of the retry policy. A refusal for rate (10011/10012) is not a failed
        attempt and never counts toward ``stop_after``: the pacer slows down and the same
        request is sent again, until the pacer says the refusals are about quota (then the
        run stops, resumable)."""
        while True:
            reply = await self._send_once(sha, body, tries)
            code = reply.error_code
            if code not in RATE_CODES or code not in self.config.codes.retry or not self.pacer:
                break
            if self.control.halted:
                break
            if self.pacer.on_refusal(self.clock(), tries.started) is PaceVerdict.QUOTA:
                what = describe(code, reply.reason)
                self.control.halt(Halt.STOP, "the service keeps refusing however slowly we send"
                                     f" (quota used up?): {what}", code)  # fmt: skip
                break  # recorded as a retryable failure: the next run sends it again
            self._pace()
        verdict = self._verdict(reply.error_code)
        if verdict is not Verdict.ABORT:
            self.control.gate.set()
        if verdict is Verdict.RETRY:
            raise Transient(ServiceError(reply.error_code, reply.reason), reply.error_code)
        if self.pacer is not None:
            self.pacer.on_success(self.clock())
            self._pace()
        return reply

    def _pace(self) -> None:
        assert self.pacer is not None
        if isinstance(self.limiter, RateLimiter):
            self.limiter.set_rate(self.pacer.rate)
        self.counters.pace_qps = self.pacer.rate
        self.counters.rate_refusals = self.pacer.refusals

    async def _send_once(self, sha: str, body: bytes, tries: _Tries) -> Reply:
        assert self.backend is not None
        await self.control.pass_gate(sha)
        await self.limiter.acquire()
        if self.control.halted:
            raise Halted
        tries.sent += 1  # only requests that really leave count as attempts
        tries.started = self.clock()
        c = self.counters
        c.requests += 1
        c.retries += tries.sent > 1
        c.in_flight += 1
        c.max_in_flight = max(c.max_in_flight, c.in_flight)
        c.last_request_at = self.clock()
        if c.first_request_at is None:
            c.first_request_at = c.last_request_at
        try:
            return await self.backend.send(body)
        except TransportError as exc:
            raise Transient(exc) from None
        finally:
            c.in_flight -= 1

    def _verdict(self, code: int) -> Verdict:
        return classify(code, self.config.codes)

    def _answered(
        self, item: Item, sha: str, reply: Reply, attempts: int, qr: InvoiceQr | None = None
    ) -> None:
        verdict = self._verdict(reply.error_code)
        what = describe(reply.error_code, reply.reason)
        if verdict is Verdict.DONE:
            # Only the paid service bills; the local engine answers the same protocol for free.
            self.counters.billable += self.backend is not None and self.backend.billed
            self._outage_streak = 0
            self.recorder.result(item, sha, reply, attempts, qr=qr)
        elif verdict is Verdict.ABORT:
            self.control.halt(
                Halt.ABORT, f"the service refused the account: {what}", reply.error_code
            )
            self.recorder.pending(
                sha, f"not recognized: run aborted on {what}", attempts, reply.error_code
            )
        elif verdict is Verdict.STOP:
            self.control.halt(Halt.STOP, f"the service is unavailable: {what}", reply.error_code)
            self.recorder.pending(
                sha, f"not recognized: run stopped on {what}", attempts, reply.error_code
            )
        else:
            self.recorder.failure(
                sha, Stage.SERVICE, what, code=reply.error_code, attempts=attempts
            )

    def _exhausted(self, sha: str, exc: Transient, attempts: int) -> None:
        self.gave_up.add(sha)
        stage = Stage.TRANSPORT if isinstance(exc.error, TransportError) else Stage.SERVICE
        reason = str(exc.error)
        if self.control.halted:
            reason += f" (then the run stopped: {self.control.message})"
        self.recorder.failure(sha, stage, reason, code=exc.code, retryable=True, attempts=attempts)
        if self.control.halted:
            return
        self._outage_streak += 1
        if self._outage_streak >= self.config.stop_after:
            self.control.halt(
                Halt.STOP,
                f"{self._outage_streak} items in a row used up their retries"
                f" (last: {reason}); stopping so a later run can resume",
            )


def _prepare_with_qr(data: bytes, limits: Limits) -> tuple[PreparedImage, InvoiceQr | None]:
    """Prepare the image and read its invoice QR code, if it has one, in the same thread."""
    prepared = prepare(data, limits)
    with Image.open(io.BytesIO(prepared.data)) as image:
        return prepared, read_qr(image)

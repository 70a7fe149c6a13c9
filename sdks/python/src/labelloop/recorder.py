"""PredictionRecorder: record() on the caller's thread, sending on a background thread."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol, Sequence

from labelloop.envelope import envelope_headers
from labelloop.gen.labelloop.inference.v1 import prediction_pb2
from labelloop.validation import validate_prediction

OverflowPolicy = Literal["drop-newest", "drop-oldest"]


@dataclass(frozen=True)
class EncodedPrediction:
    """One prediction as it goes on the wire: Kafka key (model id), protobuf value, CloudEvents headers."""

    event: prediction_pb2.PredictionEvent
    key: str
    value: bytes
    headers: list[tuple[str, bytes]]


class PermanentError(Exception):
    """A transport refused these events for good (e.g. HTTP 400): they are rejected, not retried."""


class RetryableError(Exception):
    """A transport failed for now; `retry_after` seconds is the server's hint, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Transport(Protocol):
    """Sends a batch; returns the events that still need sending (empty: all acknowledged)."""

    def send(self, batch: Sequence[EncodedPrediction]) -> Sequence[EncodedPrediction]: ...

    def close(self) -> None: ...


@dataclass
class RecorderStats:
    """Counters since the recorder was created. recorded = sent + dropped + rejected + refused + buffered, at all times."""

    recorded: int = 0
    sent: int = 0
    dropped_overflow: int = 0
    dropped_closed: int = 0
    rejected: int = 0
    refused: int = 0
    send_errors: int = 0
    buffered: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> int:
        return self.dropped_overflow + self.dropped_closed


def encode_prediction(event: prediction_pb2.PredictionEvent, source: str, recorded_ns: int | None = None) -> EncodedPrediction | str:
    """
    Fills the event id (random UUID) and timestamp (`recorded_ns`, default now, to the
    millisecond) when unset, validates, encodes; a problem comes back as a string.
    """
    if not isinstance(event, prediction_pb2.PredictionEvent):
        return f"not a PredictionEvent: {type(event).__name__}"
    if not event.event_id:
        event.event_id = str(uuid.uuid4())
    if not event.HasField("timestamp"):
        event.timestamp.FromNanoseconds((time.time_ns() if recorded_ns is None else recorded_ns) // 1_000_000 * 1_000_000)
    problem = validate_prediction(event)
    if problem:
        return problem
    # deterministic: map entries in key order (the TypeScript SDK writes them in insertion order).
    value = event.SerializeToString(deterministic=True)
    return EncodedPrediction(event, event.model_id, value, envelope_headers(event, source))


class PredictionRecorder:
    """
    Records PredictionEvents from a production inference service without slowing it down.

    record() appends the event and the time of the call to a bounded in-memory buffer and does
    nothing else on the caller's thread: no validation, no encoding, no I/O. The recorder keeps
    the object and reads it later: do not change an event after recording it. A background
    thread takes the buffer in batches (batch_size, or what arrived within linger_s), fills the
    event id and timestamp when unset, validates (an invalid event is counted in `rejected` and
    reported to on_error), encodes with the CloudEvents headers, and sends the batch through the
    transport, retrying failures with exponential
    backoff (and the server's Retry-After) until they succeed or close() gives up. When the
    buffer is full the overflow policy drops an event and counts it: drop-newest (default)
    refuses the new event, drop-oldest evicts the oldest waiting one. flush() waits until
    everything recorded so far is sent; close() flushes within a timeout, then drops the rest
    (counted as dropped_closed).
    """

    def __init__(
        self,
        transport: Transport,
        source: str,
        *,
        max_buffer_size: int = 10_000,
        batch_size: int = 500,
        linger_s: float = 0.05,
        overflow: OverflowPolicy = "drop-newest",
        max_backoff_s: float = 5.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        if overflow not in ("drop-newest", "drop-oldest"):
            raise ValueError(f"unknown overflow policy {overflow!r}")
        if max_buffer_size < 1 or batch_size < 1:
            raise ValueError("max_buffer_size and batch_size must be positive")
        self._transport = transport
        self._source = source
        self._capacity = max_buffer_size
        self._batch_size = batch_size
        self._linger_s = linger_s
        self._overflow = overflow
        self._max_backoff_s = max_backoff_s
        self._on_error = on_error
        # (event, time.time_ns() of record()): what record() appends; the sender encodes it.
        self._queue: deque[tuple[prediction_pb2.PredictionEvent, int]] = deque()
        self._in_flight = 0
        self._cond = threading.Condition(threading.Lock())
        self._closed = False
        self._stopping = False
        self._stats = RecorderStats()
        self._thread = threading.Thread(target=self._run, name="labelloop-recorder", daemon=True)
        self._thread.start()

    def record(self, event: prediction_pb2.PredictionEvent) -> None:
        """
        Queues one prediction; never blocks on I/O, never raises for bad data. On the caller's
        thread it only reads the clock and appends to the buffer (or counts a drop: buffer full,
        or closed); the sender thread validates and encodes, and may fill in event_id and
        timestamp (the time of this call).
        """
        now = time.time_ns()
        with self._cond:
            stats = self._stats
            stats.recorded += 1
            if self._closed:
                stats.dropped_closed += 1
                return
            queue = self._queue
            if len(queue) + self._in_flight >= self._capacity:
                stats.dropped_overflow += 1
                if self._overflow == "drop-newest" or not queue:
                    return
                queue.popleft()
            queue.append((event, now))
            # Wake the sender for the first event of a batch (it lingers) and for a full one.
            n = len(queue)
            if n == 1 or n >= self._batch_size:
                self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until every event recorded so far is sent (or dropped); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._cond.notify_all()
            while self._queue or self._in_flight:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left if left is not None else 0.1)
            return True

    def close(self, timeout: float = 10.0) -> None:
        """Stops taking events, sends what it holds for up to `timeout` s, drops the rest (dropped_closed), closes the transport."""
        with self._cond:
            self._closed = True
        self.flush(timeout)
        with self._cond:
            self._stopping = True
            # What is still waiting, or still in a send that did not finish in time, is counted
            # as dropped (a stuck send that completes later is not counted as sent).
            self._stats.dropped_closed += len(self._queue) + self._in_flight
            self._queue.clear()
            self._in_flight = 0
            self._cond.notify_all()
        self._thread.join(timeout=max(1.0, timeout))
        self._transport.close()

    def stats(self) -> RecorderStats:
        """A copy of the counters."""
        with self._cond:
            s = RecorderStats(**{**self._stats.__dict__, "errors": list(self._stats.errors)})
            s.buffered = len(self._queue) + self._in_flight
            return s

    def _report(self, message: str) -> None:
        self._stats.errors = (self._stats.errors + [message])[-20:]
        if self._on_error:
            try:
                self._on_error(message)
            except Exception:  # noqa: BLE001 - a faulty callback must not stop the recorder
                pass

    def _take_batch(self) -> list[tuple[prediction_pb2.PredictionEvent, int]] | None:
        with self._cond:
            while not self._queue and not self._stopping:
                self._cond.wait(0.5)
            if self._stopping:
                return None
            # Linger for a fuller batch, unless one is full or someone waits in flush()/close().
            if len(self._queue) < self._batch_size and not self._closed:
                self._cond.wait(self._linger_s)
            n = min(self._batch_size, len(self._queue))
            batch = [self._queue.popleft() for _ in range(n)]
            self._in_flight = n
            return batch

    def _encode(self, recorded: list[tuple[prediction_pb2.PredictionEvent, int]]) -> list[EncodedPrediction]:
        """Encodes a batch taken from the buffer; counts and reports the invalid events, which leave it."""
        batch: list[EncodedPrediction] = []
        problems: list[str] = []
        for event, recorded_ns in recorded:
            try:
                encoded = encode_prediction(event, self._source, recorded_ns)
            except Exception as e:  # noqa: BLE001 - e.g. a value protobuf cannot encode
                encoded = f"cannot encode: {e}"
            if isinstance(encoded, str):
                problems.append(f"invalid prediction {getattr(event, 'event_id', '')}: {encoded}")
            else:
                batch.append(encoded)
        if problems:
            with self._cond:
                self._stats.rejected += len(problems)
                self._in_flight -= len(problems)
                for p in problems:
                    self._report(p)
        return batch

    def _run(self) -> None:
        while True:
            taken = self._take_batch()
            if taken is None:
                return
            batch = self._encode(taken)
            attempt = 0
            while batch:
                try:
                    left = list(self._transport.send(batch))
                    with self._cond:
                        if self._stopping:
                            return  # close() gave up on this batch and counted it
                        self._stats.sent += len(batch) - len(left)
                        self._in_flight = len(left)
                    batch = left
                    if not batch:
                        break
                    wait = None
                except PermanentError as e:
                    with self._cond:
                        self._stats.refused += len(batch)
                        self._report(f"refused {len(batch)} events: {e}")
                    break
                except Exception as e:  # noqa: BLE001 - every other failure is retried
                    wait = e.retry_after if isinstance(e, RetryableError) else None
                    with self._cond:
                        self._stats.send_errors += 1
                        self._report(f"send failed (attempt {attempt + 1}): {e}")
                attempt += 1
                backoff = min(self._max_backoff_s, 0.1 * 2**attempt) * (0.5 + random.random() / 2)
                with self._cond:
                    if self._stopping:
                        self._stats.dropped_closed += len(batch)
                        batch = []
                        break
                    self._cond.wait(max(backoff, wait or 0))
            with self._cond:
                self._in_flight = 0
                self._cond.notify_all()

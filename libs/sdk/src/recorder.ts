import { Kafka, logLevel, Message, Partitioners, Producer } from 'kafkajs';
import { Counter, Gauge, Registry } from 'prom-client';
import { Topics } from '@labelloop/contracts';
import { backoffMs, envelopeHeaders, sleep } from '@labelloop/messaging';
import { BoundedBuffer, OverflowPolicy } from './bounded-buffer';
import { encodePrediction, PredictionEventInit } from './encode';
import { directBytes, Recorded } from './recorded';

/**
 * Events the sender encodes in one go before it lets other work run (~1 ms): encoding a whole
 * batch at once would hold the caller's event loop for several milliseconds.
 */
const ENCODE_SLICE = 64;

/** Why an event did not reach Kafka although it was valid. */
export type DropReason = 'overflow' | 'closed';

/** What `onError` reports. */
export type RecorderErrorKind =
  /** An event failed validation or could not be encoded, found by the sender (counted in `rejected`). */
  | 'invalid'
  /** The buffer became full and started dropping events (reported once per episode; each drop is counted). */
  | 'overflow'
  /** Sending a batch failed; it stays buffered and is retried with backoff (counted in `sendErrors`). */
  | 'send'
  /** Events were dropped because the recorder was closing or closed (counted in `dropped`). */
  | 'closed';

/** An error reported through `onError`; never thrown from `record()`. */
export class RecorderError extends Error {
  constructor(
    readonly kind: RecorderErrorKind,
    message: string,
    /** The event concerned, for `invalid`. */
    readonly eventId?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'RecorderError';
  }
}

/** PredictionRecorder settings. */
export interface PredictionRecorderOptions {
  /** Broker addresses; the recorder creates its own kafkajs client. Give this or `kafka`. */
  brokers?: string[];
  /** A kafkajs client to create the producer from (TLS, SASL, logging are then yours). */
  kafka?: Kafka;
  /** CloudEvents `ce_source` of every event, e.g. `inference/fraud-scorer`. */
  source: string;
  /** Topic to write to. Default: `labelloop.prediction.recorded.v1`. */
  topic?: string;
  /** Most events held in memory (being sent + waiting). Default 10 000. */
  maxBufferSize?: number;
  /**
   * Most bytes held in memory (being sent + waiting), counted as on the wire (value + key +
   * headers): estimated when recorded, exact once the sender has encoded the event.
   * Default 32 MiB (the Java producer's `buffer.memory`).
   */
  maxBufferBytes?: number;
  /** Most events per `sendBatch`; a full batch is sent at once. Default 500. */
  batchSize?: number;
  /** How long a partial batch waits for more events before it is sent. Default 50 ms. */
  lingerMs?: number;
  /**
   * Most bytes (values + keys + headers) per `sendBatch`, kept under the broker's
   * `message.max.bytes` (1 MiB by default; all events of one model land in one record batch).
   * An event larger than this on its own is rejected. Default 512 KiB.
   */
  maxBatchBytes?: number;
  /** What a full buffer drops. Default `drop-newest`. */
  overflow?: OverflowPolicy;
  /** Called for invalid events (from the sender), overflow, send failures; exceptions it throws are ignored. */
  onError?: (error: RecorderError) => void;
}

/** Counters since the recorder was created. `recorded = sent + dropped + rejected + buffered` at all times. */
export interface RecorderStats {
  /** Events passed to `record()`. */
  recorded: number;
  /** Events acknowledged by Kafka (acks=all). */
  sent: number;
  /** Events that will never be sent: buffer overflow, or recorded/left over at close (they are not validated). */
  dropped: number;
  /** Events refused by validation or encoding. */
  rejected: number;
  /** Events in memory now (being sent + waiting). */
  buffered: number;
  /** Failed send attempts (each retried). */
  sendErrors: number;
}

/**
 * Records PredictionEvents from a production inference service without slowing it down.
 *
 * `record()` is synchronous and never touches the network: it appends the caller's object, with
 * the time, to a bounded in-memory buffer. A background loop validates and encodes the buffered
 * events and sends them to Kafka in batches with an idempotent producer (acks=all), retrying
 * failures with backoff. When the buffer is full the overflow policy drops events and counts
 * them. `flush()` waits until everything recorded so far is acknowledged (or counted as
 * dropped or rejected); `close()` flushes and disconnects.
 */
export class PredictionRecorder {
  private readonly source: string;
  private readonly topic: string;
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly lingerMs: number;
  private readonly onError?: (error: RecorderError) => void;
  private readonly buffer: BoundedBuffer<Recorded>;
  /** Wire bytes of an event beyond its `directBytes` (maps, field tags, headers), a running mean. */
  private extraBytes = 256;
  private readonly producer: Producer;
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;
  private readonly counts = { recorded: 0, sent: 0, rejected: 0, sendErrors: 0 };
  private readonly drops: Record<DropReason, number> = { overflow: 0, closed: 0 };
  private waiters: { seq: number; resolve: () => void }[] = [];
  private wakeup?: () => void;
  private wakeOnAny = false;
  /** A batch is being sent: the events behind it are encoded meanwhile, in slices. */
  private sending = false;
  private encodeScheduled = false;
  private connected = false;
  private overflowing = false;
  private closing?: Promise<void>;
  private stopped = false;
  private closedReported = false;

  /** Validates the options (throws on bad ones) and starts the background sender. */
  constructor(opts: PredictionRecorderOptions) {
    const {
      maxBufferSize = 10_000,
      maxBufferBytes = 32 * 1024 * 1024,
      batchSize = 500,
      maxBatchBytes = 512 * 1024,
      lingerMs = 50,
      overflow = 'drop-newest',
    } = opts;
    if (!opts.kafka === !opts.brokers?.length) throw new Error('give exactly one of `brokers` or `kafka`');
    if (overflow !== 'drop-newest' && overflow !== 'drop-oldest') throw new Error(`unknown overflow policy ${JSON.stringify(overflow)}`);
    for (const [name, v] of Object.entries({ maxBufferSize, maxBufferBytes, batchSize, maxBatchBytes })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
    if (!(lingerMs >= 0)) throw new RangeError(`lingerMs must be >= 0, got ${lingerMs}`);
    // Checks `source` against the CloudEvents spec now rather than rejecting every event later.
    envelopeHeaders({ id: 'probe', type: 'probe', source: opts.source, time: new Date().toISOString() }, new Uint8Array());
    this.source = opts.source;
    this.topic = opts.topic ?? Topics.predictionRecorded;
    this.batchSize = Math.min(batchSize, maxBufferSize);
    this.maxBatchBytes = maxBatchBytes;
    this.lingerMs = lingerMs;
    this.onError = opts.onError;
    this.buffer = new BoundedBuffer<Recorded>(maxBufferSize, overflow, maxBufferBytes);
    const kafka =
      opts.kafka ??
      new Kafka({
        clientId: 'labelloop-sdk',
        brokers: opts.brokers ?? [],
        // Failures reach onError and stats(); the loop below does the long-term retrying.
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
      });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.loop = this.run();
  }

  /**
   * Queues one prediction for Kafka and returns at once; never waits on the network and
   * never throws. The recorder keeps the object and reads it later, in the background sender:
   * do not modify it after the call. The sender fills `eventId` (random UUID) and `timestamp`
   * (the time of this call) when empty, validates with `validatePredictionEvent`, encodes
   * protobuf + CloudEvents headers (key = model id). An invalid event is counted in `rejected`
   * and reported to `onError` then. When the buffer is full the overflow policy drops an
   * event, counted in `dropped{reason="overflow"}`.
   */
  record(prediction: PredictionEventInit): void {
    this.counts.recorded++;
    if (this.closing) return this.drop('closed', 1);
    // The one check made here: there must be an object to keep (and to estimate the size of).
    if (typeof prediction !== 'object' || prediction === null) return this.reject(`invalid prediction event: ${prediction} is not an object`);
    try {
      const direct = directBytes(prediction);
      const dropped = this.buffer.push(new Recorded(prediction, Date.now(), direct), direct + (this.extraBytes | 0));
      if (dropped > 0) this.drop('overflow', dropped);
      if (this.wakeup && (this.wakeOnAny || this.buffer.pendingSize >= this.batchSize)) this.wake();
      if (this.sending && !this.encodeScheduled) this.scheduleEncode();
    } catch (err) {
      // Not reachable by design (a getter on the caller's object could throw); the caller's
      // hot path must survive it all the same.
      this.reject(`record failed: ${(err as Error).message}`, undefined, err);
    }
  }

  /**
   * Resolves when every event recorded before the call is acknowledged by Kafka (or was
   * counted as dropped or rejected). While the broker is unreachable it keeps waiting; use
   * `close({ timeoutMs })` to bound a shutdown.
   */
  flush(): Promise<void> {
    const seq = this.buffer.lastSeq;
    if (this.buffer.settled(seq)) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      this.wake();
    });
  }

  /**
   * Flushes, stops the sender and disconnects. With `timeoutMs`, events still unsent when it
   * elapses are discarded and counted as `dropped{reason="closed"}`. Events recorded after
   * `close()` was called are dropped the same way. Calling it again returns the same promise.
   */
  close(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(opts.timeoutMs ?? Infinity);
    return this.closing;
  }

  /** Current counters. */
  stats(): RecorderStats {
    return { ...this.counts, dropped: this.drops.overflow + this.drops.closed, buffered: this.buffer.size };
  }

  /**
   * Adds this recorder's metrics to a prom-client registry (once per registry):
   * `labelloop_sdk_events_recorded_total`, `labelloop_sdk_events_sent_total`,
   * `labelloop_sdk_events_dropped_total{reason}`, `labelloop_sdk_events_rejected_total`,
   * `labelloop_sdk_send_errors_total` and the gauge `labelloop_sdk_events_buffered`.
   * Values are read at scrape time, so recording costs nothing extra.
   */
  registerMetrics(registry: Registry): void {
    const counter = (name: string, help: string, value: () => number) =>
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    counter('labelloop_sdk_events_recorded_total', 'Prediction events passed to record()', () => this.counts.recorded);
    counter('labelloop_sdk_events_sent_total', 'Prediction events acknowledged by Kafka', () => this.counts.sent);
    counter('labelloop_sdk_events_rejected_total', 'Prediction events refused by validation', () => this.counts.rejected);
    counter('labelloop_sdk_send_errors_total', 'Failed batch sends (retried)', () => this.counts.sendErrors);
    const drops = this.drops;
    new Counter({
      name: 'labelloop_sdk_events_dropped_total',
      help: 'Prediction events dropped before reaching Kafka, by reason',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const reason of Object.keys(drops) as DropReason[]) this.inc({ reason }, drops[reason]);
      },
    });
    const buffer = this.buffer;
    new Gauge({
      name: 'labelloop_sdk_events_buffered',
      help: 'Prediction events held in memory (being sent + waiting)',
      registers: [registry],
      collect() {
        this.set(buffer.size);
      },
    });
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.flush(), timedOut]);
    clearTimeout(timer);
    this.stopped = true;
    this.abort.abort();
    this.wake();
    await this.loop;
    // Only after the loop ended: a batch in flight may still have been acknowledged.
    const left = this.buffer.clear();
    if (left > 0) {
      this.closedReported = false;
      this.drop('closed', left);
    }
    this.settleWaiters();
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
  }

  /** The background sender: one batch at a time (keeps per-key order), retried until acknowledged. */
  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      if (this.buffer.inFlight.length === 0) {
        await this.waitForBatch();
        if (this.stopped) break;
        if (this.buffer.pendingSize === 0) continue;
        await this.fillBatch();
        if (this.stopped) break;
        if (this.buffer.inFlight.length === 0) {
          this.settleWaiters(); // every pending event was rejected
          continue;
        }
      }
      const messages = this.buffer.inFlight.map((r) => r.message as Message);
      try {
        this.sending = true;
        if (!this.encodeScheduled) this.scheduleEncode();
        if (!this.connected) {
          await this.producer.connect();
          this.connected = true;
        }
        await this.producer.sendBatch({ acks: -1, topicMessages: [{ topic: this.topic, messages }] });
        this.sending = false;
        this.counts.sent += this.buffer.ack();
        attempt = 0;
        if (this.buffer.size < this.buffer.capacity && this.buffer.weight < this.buffer.maxWeight) this.overflowing = false;
      } catch (err) {
        this.sending = false;
        this.counts.sendErrors++;
        const msg = `sending ${messages.length} events failed (attempt ${attempt + 1}), will retry: ${(err as Error).message}`;
        this.report(new RecorderError('send', msg, undefined, err));
        await sleep(backoffMs(attempt++, 100, 5000), this.abort.signal);
      }
      this.settleWaiters();
    }
  }

  /**
   * Forms the in-flight batch: up to `batchSize` events and `maxBatchBytes` (at least one
   * event). Encodes what is not encoded yet in slices, letting other work run in between;
   * invalid events leave the buffer as rejected. An event encoded but left for the next batch
   * keeps its encoding, and a batch keeps its bytes across retries.
   */
  private async fillBatch(): Promise<void> {
    while (this.encodeSlice()) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) return;
    }
    const buffer = this.buffer;
    let bytes = 0;
    for (let r = buffer.at(0); r !== undefined && buffer.inFlight.length < this.batchSize; r = buffer.at(0)) {
      if (!r.done) this.encode(r, 0); // came into the window as invalid ones left it
      if (r.failure) {
        buffer.discardHead();
        this.reject(r.failure.reason, r.failure.eventId);
        continue;
      }
      const weight = buffer.weightAt(0);
      if (bytes + weight > this.maxBatchBytes && buffer.inFlight.length > 0) break;
      bytes += weight;
      buffer.takeHead();
    }
  }

  private scheduleEncode(): void {
    this.encodeScheduled = true;
    setImmediate(this.encodeAhead);
  }

  /** While a batch is in flight, encodes the next one, a slice per turn of the event loop. */
  private readonly encodeAhead = (): void => {
    this.encodeScheduled = false;
    if (this.encodeSlice() && this.sending) this.scheduleEncode();
  };

  /**
   * Encodes up to ENCODE_SLICE events among the next `batchSize` pending ones that are not
   * encoded yet; true when some are left.
   */
  private encodeSlice(): boolean {
    const window = Math.min(this.buffer.pendingSize, this.batchSize);
    let n = 0;
    for (let k = 0; k < window; k++) {
      const r = this.buffer.at(k) as Recorded;
      if (r.done) continue;
      if (n++ === ENCODE_SLICE) return true;
      this.encode(r, k);
    }
    return false;
  }

  /** Encodes the `k`-th pending event, or marks why it cannot be sent. */
  private encode(r: Recorded, k: number): void {
    const e = encodePrediction(r.prediction as PredictionEventInit, this.source, r.recordedAtMs);
    if (!e.ok) return r.failed(`invalid prediction event: ${e.reason}`, e.eventId);
    if (e.record.value.length > this.maxBatchBytes) {
      return r.failed(`prediction event too large: ${e.record.value.length} bytes > maxBatchBytes`, e.eventId);
    }
    r.encoded(e.record);
    const exact = recordBytes(e.record);
    this.buffer.reweigh(k, exact);
    this.extraBytes += (exact - r.directBytes - this.extraBytes) / 16;
  }

  /** Waits for a first event, then for a full batch, `lingerMs`, a flush or close. */
  private async waitForBatch(): Promise<void> {
    if (this.buffer.pendingSize === 0) await this.waitForWake(true);
    if (this.stopped || this.waiters.length > 0 || this.buffer.pendingSize >= this.batchSize) return;
    await this.waitForWake(false, this.lingerMs);
  }

  private waitForWake(onAnyEvent: boolean, ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake(), ms);
      this.wakeOnAny = onAnyEvent;
      this.wakeup = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const w = this.wakeup;
    this.wakeup = undefined;
    w?.();
  }

  private drop(reason: DropReason, n: number): void {
    this.drops[reason] += n;
    // Reported once per episode: a full buffer, recording after close(), the discard at a close timeout.
    if (reason === 'closed' && !this.closedReported) {
      this.closedReported = true;
      this.report(new RecorderError('closed', `${n} prediction event(s) dropped: the recorder is closed`));
    } else if (reason === 'overflow' && !this.overflowing) {
      this.overflowing = true;
      this.report(new RecorderError('overflow', `buffer full (${this.buffer.capacity} events): dropping events (${this.buffer.policy})`));
    }
    if (this.waiters.length > 0) this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: { seq: number; resolve: () => void }[] = [];
    for (const w of this.waiters) {
      if (this.buffer.settled(w.seq)) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private reject(reason: string, eventId?: string, cause?: unknown): void {
    this.counts.rejected++;
    this.report(new RecorderError('invalid', reason, eventId, cause));
  }

  private report(error: RecorderError): void {
    try {
      this.onError?.(error);
    } catch {
      // onError must not break record() or the sender.
    }
  }
}

/** Bytes of one record as the broker counts them, near enough (record framing is a few bytes more). */
function recordBytes(m: Message): number {
  let n = (m.value as Buffer).length + String(m.key).length;
  for (const k in m.headers) n += k.length + String(m.headers[k]).length;
  return n;
}

import { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { LoggerService } from '@nestjs/common';
import { decoderOf, dlqTopic, unstorableField } from '@labelloop/contracts';
import { context as otelContext, contextFromTraceparent, currentTraceparent, Metrics, SpanKind, trace, tracer, tracesExported } from '@labelloop/observability';
import { EnvelopeError, Envelope, headerString, readEnvelope } from './envelope';
import { PoisonMessageError } from './errors';
import { classifyFailure, failureReason, sqlState } from './failure';
import { Outbox, RawOutboxRecord } from './outbox';
import { CompactInbox } from './compact-inbox';
import { inboxRows } from './inbox.repository';
import { backoffMs, sleep } from './backoff';

/** One decoded event handed to a handler. */
export interface ConsumedEvent<T> {
  /** CloudEvents id (ce_id): the idempotency key of this event. */
  id: string;
  envelope: Envelope;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  message: T;
  /** The message's bytes as consumed (what `message` was decoded from). */
  value: Buffer;
  /** traceparent of this event's processing span: pass it to `Outbox.emit` for what it causes. */
  traceparent?: string;
}

/** Handles the events of one topic, a batch at a time, inside one database transaction. */
export interface EventHandler<D extends DescMessage = DescMessage> {
  topic: string;
  schema: D;
  /**
   * Returns a reason when the message is invalid (it goes to the DLQ), undefined when valid.
   * Runs before the transaction; must be pure.
   */
  validate?(message: MessageShape<D>): string | undefined;
  /**
   * Applies the events' effects with `em` (one transaction; the inbox has already filtered
   * out redeliveries). Throw PoisonMessageError to dead-letter one event; any other error
   * rolls the whole batch back and it is retried.
   */
  handle(events: ConsumedEvent<MessageShape<D>>[], em: EntityManager): Promise<void>;
}

/** EventConsumer settings. */
export interface EventConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  groupId: string;
  handlers: EventHandler[];
  outbox: Outbox;
  /** Max messages per database transaction. */
  txBatch: number;
  metrics?: Metrics;
  logger?: LoggerService;
  /** Fetch size per partition (bounds memory: about partitions x this). */
  maxBytesPerPartition?: number;
  /** Partitions processed at once by this consumer (default 3). */
  partitionConcurrency?: number;
  /** Consumer group session timeout (ms). */
  sessionTimeoutMs?: number;
  /** Start from the earliest offset when the group has none (default true: lose nothing). */
  fromBeginning?: boolean;
  /**
   * How redeliveries are recognised. `rows` (default): an inbox row per event id. `chunks`: the
   * consumed offset and one row per chunk (see CompactInbox), for high-volume streams; an
   * event re-sent by its producer is recognised within the last `inboxHorizon` ids of its
   * partition (default 20,000).
   */
  inbox?: 'rows' | 'chunks';
  inboxHorizon?: number;
  /**
   * Gather a partition's messages across fetches into transactions of up to `txBatch`
   * (default false: a transaction never spans two fetches). For streams read with small
   * fetches, so what kafkajs fetched dies young instead of living through every transaction
   * of a large fetch: the handed-over offset is resolved at once (kafkajs fetches on), and
   * Kafka is told an offset only after the transaction that applied it committed. What
   * waits is applied when its partition is caught up, when `txBatch` is reached, or after
   * `lingerMs`.
   */
  coalesce?: boolean;
  /** With `coalesce`: how long fewer than `txBatch` messages may wait (default 100 ms). */
  lingerMs?: number;
}

/** A partition's messages waiting for their transaction (`coalesce`). */
interface Waiting {
  topic: string;
  partition: number;
  msgs: KafkaMessage[];
  highWatermark: string;
  timer?: NodeJS.Timeout;
  /** The partition's work, one at a time and in offset order: a batch's, or the linger's. */
  turn: Promise<void>;
  /** The next offset not applied, to commit to Kafka (undefined: nothing new since the last commit). */
  applied?: string;
}

/** What a chunk's retry loop needs from whoever fetched it. */
interface ChunkControl {
  isRunning(): boolean;
  heartbeat(): Promise<void>;
}

/** Header the DLQ replay tool sets on replayed messages. */
export const REPLAY_HEADER = 'labelloop-replay';

/** `v` as text PostgreSQL can store (no NUL, valid UTF-8), or undefined. */
function storableText(v: Buffer | string): string | undefined {
  const text = Buffer.isBuffer(v) ? v.toString('utf8') : v;
  if (text.includes('\u0000')) return undefined;
  if (Buffer.isBuffer(v) && !Buffer.from(text, 'utf8').equals(v)) return undefined;
  return text;
}

/** Replayed from the DLQ (header labelloop-replay). */
const isReplay = (d: Decoded) => headerString(d.ok ? undefined : d.raw.headers, REPLAY_HEADER) !== undefined || (d.ok && d.replay);

type Decoded =
  | { ok: true; event: ConsumedEvent<unknown>; inboxId: string; span?: ReturnType<typeof tracer.startSpan>; replay: boolean }
  | { ok: false; inboxId: string; reason: string; raw: KafkaMessage; headers?: Record<string, string> };

/** Why an event is dead-lettered, once known (and extra dead-letter headers, such as its SQLSTATE). */
interface Poison {
  reason: string;
  headers?: Record<string, string>;
}

/**
 * Attempts a batch may fail with an error of unknown cause (`suspect`) before it is split to
 * see whether one event alone causes it.
 */
const SUSPECT_ATTEMPTS = 3;

/**
 * The one Kafka consumer loop every LabelLoop stage uses. At-least-once delivery with
 * exactly-once effects:
 *  - offsets are committed only after the PostgreSQL transaction that applied the batch
 *    committed;
 *  - that transaction records every event id in the inbox (ON CONFLICT DO NOTHING), so a
 *    redelivered event has no second effect (with `inbox: 'chunks'`: the consumed offset and
 *    one row of ids per chunk, see CompactInbox);
 *  - what the handler emits goes to the outbox in the same transaction;
 *  - a message that cannot be decoded or fails validation is written (through the same
 *    outbox, so exactly once) to `<topic>.dlq` with the reason in headers, and the
 *    partition keeps flowing;
 *  - any other failure (database down, ...) is retried with backoff and never skipped.
 */
export class EventConsumer {
  private consumer?: Consumer;
  private readonly byTopic = new Map<string, EventHandler>();
  /** Each handler's decoder (a specialised one for PredictionEvent, see decoderOf). */
  private readonly decoders = new Map<EventHandler, (bytes: Uint8Array) => unknown>();
  private readonly abort = new AbortController();
  /** False while the consumer is crashed or retrying a failing batch (exposed in /readyz). */
  healthy = false;
  private readonly chunks?: CompactInbox;
  private readonly waiting = new Map<string, Waiting>();
  private lastKafkaCommit = 0;

  constructor(private readonly opts: EventConsumerOptions) {
    for (const h of opts.handlers) this.byTopic.set(h.topic, h);
    if (opts.inbox === 'chunks') this.chunks = new CompactInbox(opts.groupId, opts.inboxHorizon ?? 20_000);
  }

  async start(): Promise<void> {
    const c = this.opts.kafka.consumer({
      groupId: this.opts.groupId,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.opts.sessionTimeoutMs ?? 30_000) / 3)),
      maxBytesPerPartition: this.opts.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: 4 * (this.opts.maxBytesPerPartition ?? 4 * 1024 * 1024),
      retry: { retries: 10, restartOnFailure: async () => true },
    });
    this.consumer = c;
    c.on(c.events.CRASH, (e) => {
      this.healthy = false;
      this.opts.logger?.error({ msg: 'kafka consumer crashed', error: e.payload.error?.message, restart: e.payload.restart }, 'EventConsumer');
    });
    c.on(c.events.GROUP_JOIN, () => (this.healthy = true));
    // Partitions may move: what waits was not applied nor committed, so it is fetched again
    // by whoever owns its partition next.
    c.on(c.events.REBALANCING, () => this.dropWaiting());
    await c.connect();
    await c.subscribe({ topics: [...this.byTopic.keys()], fromBeginning: this.opts.fromBeginning ?? true });
    await c.run({
      // Offsets are resolved only after the batch's transaction committed; kafkajs then
      // commits resolved offsets at most every second (a lost commit means a redelivery,
      // which the inbox makes harmless), instead of a broker round trip per transaction.
      // With coalesce, resolved offsets run ahead of what was applied: Kafka is told only
      // applied offsets, by commitApplied.
      autoCommit: !this.opts.coalesce,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      // Partitions are independent (per-key state lives in one partition): overlapping
      // their database round trips is where the throughput is.
      partitionsConsumedConcurrently: this.opts.partitionConcurrency ?? 3,
      eachBatch: (p) => this.onBatch(p),
    });
  }

  /** Stops fetching, lets the in-flight transaction finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    this.abort.abort();
    // (coalesce) A transaction in flight commits or rolls back first; then Kafka is told what
    // was applied. What still waits is dropped: it was neither applied nor committed.
    await Promise.all([...this.waiting.values()].map((w) => w.turn));
    if (this.opts.coalesce) await this.commitApplied();
    await this.consumer?.stop().catch(() => undefined);
    this.dropWaiting();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private dropWaiting(): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.timer = undefined;
      w.msgs = [];
    }
  }

  private async onBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const handler = this.byTopic.get(batch.topic);
    if (!handler) return;
    if (this.opts.coalesce) return this.coalesceBatch(p, handler);
    const msgs = batch.messages;
    for (let i = 0; i < msgs.length; i += this.opts.txBatch) {
      if (!p.isRunning() || p.isStale()) return;
      const chunk = msgs.slice(i, i + this.opts.txBatch);
      const ok = await this.applyWithRetry(handler, batch.topic, batch.partition, chunk, p, batch.highWatermark);
      if (!ok) return; // stopping: the chunk was not applied and will be redelivered
      p.resolveOffset(chunk[chunk.length - 1].offset);
      await p.commitOffsetsIfNecessary();
      await p.heartbeat();
    }
  }

  /**
   * `coalesce`: adds the batch to its partition's waiting messages and hands it back to kafkajs
   * at once (resolved), applying full chunks, or all of it when the partition is caught up.
   */
  private async coalesceBatch(p: EachBatchPayload, handler: EventHandler): Promise<void> {
    const { batch } = p;
    if (batch.messages.length === 0) return;
    const waiting = this.waitingOf(batch.topic, batch.partition);
    await this.inTurn(waiting, async () => {
      if (this.abort.signal.aborted || !p.isRunning() || p.isStale()) return;
      const last = waiting.msgs[waiting.msgs.length - 1];
      // Offsets at or before what waits: kafkajs went back to the committed offset (a
      // rebalance kept this partition here). What waits comes again in this batch.
      if (last && BigInt(batch.messages[0].offset) <= BigInt(last.offset)) waiting.msgs = [];
      for (const m of batch.messages) waiting.msgs.push(m);
      waiting.highWatermark = batch.highWatermark;
      p.resolveOffset(batch.messages[batch.messages.length - 1].offset);
      const caughtUp = batch.offsetLag() === '0';
      if (!(await this.applyWaiting(handler, waiting, p, caughtUp))) return;
      if (waiting.msgs.length > 0) this.linger(handler, waiting);
      // Caught up: Kafka hears it now (lag reads 0). Otherwise at most once a second.
      if (caughtUp || Date.now() - this.lastKafkaCommit >= 1000) await this.commitApplied();
      await p.heartbeat();
    });
  }

  private waitingOf(topic: string, partition: number): Waiting {
    const key = `${topic}|${partition}`;
    let w = this.waiting.get(key);
    if (!w) this.waiting.set(key, (w = { topic, partition, msgs: [], highWatermark: '0', turn: Promise.resolve() }));
    return w;
  }

  /** Applies the waiting messages in chunks of `txBatch` (a last, short one too if `all`). False when stopping. */
  private async applyWaiting(handler: EventHandler, w: Waiting, control: ChunkControl, all: boolean): Promise<boolean> {
    while (w.msgs.length >= this.opts.txBatch || (all && w.msgs.length > 0)) {
      if (this.abort.signal.aborted || !control.isRunning()) return false;
      const chunk = w.msgs.slice(0, this.opts.txBatch);
      const ok = await this.applyWithRetry(handler, w.topic, w.partition, chunk, control, w.highWatermark);
      if (!ok) return false; // not applied, not committed: fetched again after a restart
      // A rebalance during the transaction dropped what waited; keep it dropped.
      if (w.msgs[0] === chunk[0]) w.msgs = w.msgs.slice(chunk.length);
      w.applied = (BigInt(chunk[chunk.length - 1].offset) + 1n).toString();
    }
    clearTimeout(w.timer);
    w.timer = undefined;
    return true;
  }

  /** Applies a partition's last few messages if no fetch has done so within `lingerMs`. */
  private linger(handler: EventHandler, w: Waiting): void {
    if (w.timer) return;
    w.timer = setTimeout(() => {
      w.timer = undefined;
      const control: ChunkControl = { isRunning: () => !this.abort.signal.aborted, heartbeat: async () => undefined };
      void this.inTurn(w, async () => {
        if (this.abort.signal.aborted || w.msgs.length === 0) return;
        if (await this.applyWaiting(handler, w, control, true)) await this.commitApplied();
      }).catch((err: Error) =>
        this.opts.logger?.error({ msg: 'applying waiting messages failed', topic: w.topic, partition: w.partition, error: err.message }, 'EventConsumer'),
      );
    }, this.opts.lingerMs ?? 100);
    w.timer.unref?.();
  }

  /** Runs `work` once the partition's earlier work is done. */
  private inTurn(w: Waiting, work: () => Promise<void>): Promise<void> {
    const run = w.turn.then(work);
    w.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Tells Kafka the applied offsets. A lost commit (a rebalance under way) only means those
   * messages are fetched again, and the inbox skips them.
   */
  private async commitApplied(): Promise<void> {
    const offsets = [];
    for (const w of this.waiting.values()) {
      if (w.applied === undefined) continue;
      offsets.push({ topic: w.topic, partition: w.partition, offset: w.applied });
      w.applied = undefined;
    }
    this.lastKafkaCommit = Date.now();
    if (offsets.length === 0 || !this.consumer) return;
    await this.consumer.commitOffsets(offsets).catch((err: Error) => {
      this.opts.logger?.warn({ msg: 'offset commit failed, those messages may be fetched again', error: err.message }, 'EventConsumer');
    });
  }

  /**
   * Applies a chunk; retries transient failures with backoff until it commits or the consumer
   * stops. A failure the data causes (see classifyFailure) never stops the partition: the chunk
   * is split until the one event that causes it is alone, that event is dead-lettered with the
   * SQLSTATE and message in its headers, and the rest is applied.
   */
  private async applyWithRetry(
    handler: EventHandler,
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
    p: ChunkControl,
    highWatermark: string,
    poison = new Map<string, Poison>(),
    isolating = false,
  ): Promise<boolean> {
    // While isolating (a part of a chunk that failed the same way), a suspect failure is not
    // retried again first: the split goes on at once, so one poison event costs a few retries
    // and log2(chunk) transactions, not retries at every level.
    let suspectFailures = isolating ? SUSPECT_ATTEMPTS - 1 : 0;
    for (let attempt = 0; ; attempt++) {
      const decoded = chunk.map((m) => this.decode(handler, topic, partition, m, poison));
      const started = process.hrtime.bigint();
      try {
        await this.apply(handler, topic, partition, decoded, highWatermark);
        this.healthy = true;
        const secs = Number(process.hrtime.bigint() - started) / 1e9;
        this.opts.metrics?.processingSeconds.observe({ topic }, secs);
        return true;
      } catch (err) {
        if (err instanceof PoisonMessageError) {
          // Roll back, mark the event, apply the chunk again without it.
          poison.set(err.eventId, { reason: err.reason });
          attempt--;
          continue;
        }
        const kind = classifyFailure(err);
        if (kind === 'permanent' || (kind === 'suspect' && ++suspectFailures >= SUSPECT_ATTEMPTS)) {
          const live = decoded.flatMap((d, i) => (d.ok ? [i] : []));
          if (live.length === 1) {
            // Isolated: this event alone makes the transaction fail. Dead-letter it, apply the rest.
            const state = sqlState(err);
            poison.set(decoded[live[0]].inboxId, { reason: failureReason(err), headers: state ? { 'dlq-sqlstate': state } : undefined });
            this.opts.logger?.warn(
              {
                msg: 'event refused by the database, dead-lettering it',
                topic,
                partition,
                offset: chunk[live[0]].offset,
                sqlstate: state,
                error: (err as Error).message,
              },
              'EventConsumer',
            );
            attempt--;
            continue;
          }
          if (live.length > 1) {
            // Split between live events; each half is applied (and split further) on its own, in offset order.
            const cut = live[live.length >> 1];
            this.opts.logger?.warn(
              {
                msg: 'batch refused by the database, splitting it to find the event',
                topic,
                partition,
                events: live.length,
                kind,
                error: (err as Error).message,
              },
              'EventConsumer',
            );
            if (!(await this.applyWithRetry(handler, topic, partition, chunk.slice(0, cut), p, highWatermark, poison, true))) return false;
            return this.applyWithRetry(handler, topic, partition, chunk.slice(cut), p, highWatermark, poison, true);
          }
        }
        this.healthy = false;
        this.opts.metrics?.eventsFailed.inc({ topic, reason: kind === 'transient' ? 'transient' : 'suspect' });
        this.opts.logger?.warn({ msg: 'batch failed, will retry', topic, partition, attempt, kind, error: (err as Error).message }, 'EventConsumer');
        if (this.abort.signal.aborted || !p.isRunning()) return false;
        await p.heartbeat().catch(() => undefined);
        await sleep(backoffMs(attempt, 200, 10_000), this.abort.signal);
        if (this.abort.signal.aborted || !p.isRunning()) return false;
      } finally {
        for (const d of decoded) if (d.ok) d.span?.end();
      }
    }
  }

  private decode(handler: EventHandler, topic: string, partition: number, m: KafkaMessage, poison: Map<string, Poison>): Decoded {
    let envelope: Envelope;
    try {
      envelope = readEnvelope(m.headers, handler.schema.typeName);
    } catch (e) {
      const reason = e instanceof EnvelopeError ? e.reason : `bad envelope: ${(e as Error).message}`;
      return { ok: false, inboxId: `kafka:${topic}/${partition}/${m.offset}`, reason, raw: m };
    }
    const inboxId = envelope.id;
    const known = poison.get(inboxId);
    if (known) return { ok: false, inboxId, reason: known.reason, raw: m, headers: known.headers };
    if (!m.value) return { ok: false, inboxId, reason: 'empty value', raw: m };
    let message: unknown;
    try {
      let decode = this.decoders.get(handler);
      if (!decode) this.decoders.set(handler, (decode = decoderOf(handler.schema)));
      message = decode(m.value);
    } catch (e) {
      return { ok: false, inboxId, reason: `undecodable protobuf: ${(e as Error).message}`, raw: m };
    }
    const invalid = handler.validate?.(message as never) ?? unstorableField(handler.schema, message);
    if (invalid) return { ok: false, inboxId, reason: `invalid: ${invalid}`, raw: m };
    // A processing span per message only when spans go somewhere; otherwise the event carries
    // the producer's trace context on as it came (what it causes joins the same trace).
    let span: ReturnType<typeof tracer.startSpan> | undefined;
    let traceparent = envelope.traceparent;
    if (tracesExported()) {
      const parent = contextFromTraceparent(envelope.traceparent);
      span = tracer.startSpan(
        `${topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': topic,
            'messaging.message.id': inboxId,
            'messaging.kafka.offset': Number(m.offset),
          },
        },
        parent,
      );
      traceparent = currentTraceparent(trace.setSpan(parent, span));
    }
    return {
      ok: true,
      inboxId,
      span,
      replay: headerString(m.headers, REPLAY_HEADER) !== undefined,
      event: {
        id: inboxId,
        envelope,
        topic,
        partition,
        offset: m.offset,
        key: m.key ? m.key.toString('utf8') : null,
        message,
        value: m.value,
        traceparent,
      },
    };
  }

  private async apply(handler: EventHandler, topic: string, partition: number, decoded: Decoded[], highWatermark: string): Promise<void> {
    let committed: (() => void) | undefined;
    let fresh: Decoded[] = [];
    await this.opts.dataSource.transaction(async (em) => {
      if (this.chunks) {
        const claim = await this.chunks.claim(
          em,
          topic,
          partition,
          decoded.map((d) => ({ id: d.inboxId, offset: d.ok ? d.event.offset : d.raw.offset, dead: !d.ok, replay: isReplay(d) })),
          highWatermark,
        );
        if (claim.restarted) {
          this.opts.logger?.warn(
            { msg: 'partition log ends before the stored offset (topic recreated?): applying it from its first message', topic, partition, ...claim.restarted },
            'EventConsumer',
          );
        }
        fresh = decoded.filter((_, i) => claim.fresh[i]);
        committed = claim.committed;
      } else {
        fresh = await this.claimRows(em, topic, partition, decoded);
      }
      const dead: RawOutboxRecord[] = [];
      const good: ConsumedEvent<unknown>[] = [];
      for (const d of fresh) {
        if (d.ok) good.push(d.event);
        else dead.push(this.deadLetter(topic, d.raw, d.reason, d.headers));
      }
      if (good.length > 0) {
        // Handlers run inside the first event's span so what they log carries a trace id.
        const first = decoded.find((d) => d.ok && d.event === good[0]);
        let ctx = otelContext.active();
        if (first?.ok) ctx = first.span ? trace.setSpan(ctx, first.span) : contextFromTraceparent(first.event.traceparent);
        await otelContext.with(ctx, () => handler.handle(good as never, em));
      }
      await this.opts.outbox.insert(em, dead);
    });
    committed?.();
    // Counted once the transaction committed (a retried chunk is not counted twice).
    const m = this.opts.metrics;
    if (m) {
      const consumed = fresh.filter((d) => d.ok).length;
      if (decoded.length > fresh.length) m.duplicatesSkipped.inc({ topic }, decoded.length - fresh.length);
      if (consumed) m.eventsConsumed.inc({ topic }, consumed);
      if (fresh.length > consumed) m.dlqMessages.inc({ topic }, fresh.length - consumed);
    }
    for (const d of decoded) {
      if (!d.ok) this.opts.logger?.warn({ msg: 'message dead-lettered', topic, offset: d.raw.offset, reason: d.reason }, 'EventConsumer');
    }
  }

  /**
   * The inbox decides what is new: one statement for the whole chunk, a row per event id.
   * A message replayed from the DLQ (header labelloop-replay) may re-apply an id whose earlier
   * outcome was dead-lettered — once: after it is applied, further replays are duplicates.
   * Returns the new messages, each id once (a chunk can hold the same id twice: a producer retry).
   */
  private async claimRows(em: EntityManager, topic: string, partition: number, decoded: Decoded[]): Promise<Decoded[]> {
    const insert = async (rows: Decoded[], replayed: boolean): Promise<{ event_id: string }[]> =>
      rows.length === 0
        ? []
        : inboxRows.claim(em, replayed, this.opts.groupId, {
            eventIds: rows.map((d) => d.inboxId),
            topics: rows.map(() => topic),
            partitions: rows.map(() => partition),
            offsets: rows.map((d) => (d.ok ? d.event.offset : d.raw.offset)),
            outcomes: rows.map((d) => (d.ok ? 'applied' : 'dead-lettered')),
          });
    const inserted = [
      ...(await insert(
        decoded.filter((d) => !isReplay(d)),
        false,
      )),
      ...(await insert(decoded.filter(isReplay), true)),
    ];
    const fresh = new Set(inserted.map((r) => r.event_id));
    const seen = new Set<string>();
    return decoded.filter((d) => {
      if (!fresh.has(d.inboxId) || seen.has(d.inboxId)) return false;
      seen.add(d.inboxId);
      return true;
    });
  }

  /**
   * The dead letter of `m`: its bytes as they came, with the reason in headers. Header values
   * and a key that cannot be stored as text (a NUL, bytes that are not UTF-8) are kept in
   * base64, named in `dlq-base64-headers` (and `dlq-original-key-base64`), so the DLQ path never
   * fails on the bytes that made the event poison.
   */
  private deadLetter(topic: string, m: KafkaMessage, reason: string, extra?: Record<string, string>): RawOutboxRecord {
    const headers: Record<string, string> = {};
    const base64: string[] = [];
    for (const [k, v] of Object.entries(m.headers ?? {})) {
      const first = Array.isArray(v) ? v[0] : v;
      if (first === undefined || storableText(k) === undefined) continue;
      const text = storableText(first);
      if (text !== undefined) headers[k] = text;
      else {
        headers[k] = Buffer.from(first).toString('base64');
        base64.push(k);
      }
    }
    const key = m.key ? (storableText(m.key) ?? null) : null;
    if (m.key && key === null) headers['dlq-original-key-base64'] = m.key.toString('base64');
    if (base64.length > 0) headers['dlq-base64-headers'] = base64.join(',');
    Object.assign(headers, extra, {
      // JSON escapes make any character of the reason storable (a field name may hold a NUL).
      'dlq-reason': reason.replaceAll('\u0000', '\\u0000').slice(0, 1000),
      'dlq-original-topic': topic,
      'dlq-original-offset': m.offset,
      'dlq-consumer-group': this.opts.groupId,
      'dlq-failed-at': new Date().toISOString(),
    });
    return { topic: dlqTopic(topic), key, headers, payload: m.value ?? Buffer.alloc(0) };
  }
}

import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { LoggerService } from '@nestjs/common';
import { decoderOf } from '@labelloop/contracts';
import { context as otelContext, contextFromTraceparent, currentTraceparent, Metrics, SpanKind, trace, tracer, tracesExported } from '@labelloop/observability';
import { PoisonMessageError } from './errors';
import { classifyFailure } from './failure';
import { Outbox, RawOutboxRecord } from './outbox';
import { CompactInbox } from './compact-inbox';
import type { Inbox } from './inbox';
import { RowInbox } from './row-inbox';
import { CoalescingScheduler, ChunkControl } from './coalescing-scheduler';
import { Decoded, deadLetter, decodeMessage, inboxEntryOf, Poison, refusedByDatabase, Route } from './decode';
import type { ConsumedEvent, EventHandler } from './event-handler';
import { backoffMs, sleep } from './backoff';

export type { ConsumedEvent, EventHandler } from './event-handler';
export { REPLAY_HEADER } from './decode';

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
 *
 * The parts: an Inbox (RowInbox or CompactInbox, chosen by `inbox`) decides what is new; the
 * decode module (decode.ts) turns a message into an event or a dead letter; with `coalesce`,
 * a CoalescingScheduler decides which messages go into which transaction. This class runs the
 * Kafka consumer and the transactions, and retries or splits a chunk that fails.
 */
export class EventConsumer {
  private consumer?: Consumer;
  /** Each topic's handler and its decoder (a specialised one for PredictionEvent, see decoderOf). */
  private readonly byTopic = new Map<string, Route>();
  private readonly abort = new AbortController();
  /** False while the consumer is crashed or retrying a failing batch (exposed in /readyz). */
  healthy = false;
  private readonly inbox: Inbox;
  private readonly coalescer?: CoalescingScheduler;

  constructor(private readonly opts: EventConsumerOptions) {
    for (const h of opts.handlers) this.byTopic.set(h.topic, { handler: h, decode: decoderOf(h.schema) });
    this.inbox = opts.inbox === 'chunks' ? new CompactInbox(opts.groupId, opts.inboxHorizon ?? 20_000) : new RowInbox(opts.groupId);
    if (opts.coalesce) {
      this.coalescer = new CoalescingScheduler({
        txBatch: opts.txBatch,
        lingerMs: opts.lingerMs ?? 100,
        signal: this.abort.signal,
        commitOffsets: async (offsets) => {
          await this.consumer?.commitOffsets(offsets);
        },
        logger: opts.logger,
      });
    }
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
    c.on(c.events.REBALANCING, () => this.coalescer?.drop());
    await c.connect();
    await c.subscribe({ topics: [...this.byTopic.keys()], fromBeginning: this.opts.fromBeginning ?? true });
    await c.run({
      // Offsets are resolved only after the batch's transaction committed; kafkajs then
      // commits resolved offsets at most every second (a lost commit means a redelivery,
      // which the inbox makes harmless), instead of a broker round trip per transaction.
      // With coalesce, resolved offsets run ahead of what was applied: Kafka is told only
      // applied offsets, by the CoalescingScheduler.
      autoCommit: !this.coalescer,
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
    await this.coalescer?.settle();
    await this.consumer?.stop().catch(() => undefined);
    this.coalescer?.drop();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async onBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const route = this.byTopic.get(batch.topic);
    if (!route) return;
    if (this.coalescer) {
      return this.coalescer.add(p, (chunk, highWatermark, control) => this.applyWithRetry(route, batch.topic, batch.partition, chunk, control, highWatermark));
    }
    const msgs = batch.messages;
    for (let i = 0; i < msgs.length; i += this.opts.txBatch) {
      if (!p.isRunning() || p.isStale()) return;
      const chunk = msgs.slice(i, i + this.opts.txBatch);
      const ok = await this.applyWithRetry(route, batch.topic, batch.partition, chunk, p, batch.highWatermark);
      if (!ok) return; // stopping: the chunk was not applied and will be redelivered
      p.resolveOffset(chunk[chunk.length - 1].offset);
      await p.commitOffsetsIfNecessary();
      await p.heartbeat();
    }
  }

  /**
   * Applies a chunk; retries transient failures with backoff until it commits or the consumer
   * stops. A failure the data causes (see classifyFailure) never stops the partition: the chunk
   * is split until the one event that causes it is alone, that event is dead-lettered with the
   * SQLSTATE and message in its headers, and the rest is applied.
   */
  private async applyWithRetry(
    route: Route,
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
      const decoded = chunk.map((m) => this.decode(route, topic, partition, m, poison));
      const started = process.hrtime.bigint();
      try {
        await this.apply(route.handler, topic, partition, decoded, highWatermark);
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
            const refused = refusedByDatabase(err);
            poison.set(decoded[live[0]].inboxId, refused);
            this.opts.logger?.warn(
              {
                msg: 'event refused by the database, dead-lettering it',
                topic,
                partition,
                offset: chunk[live[0]].offset,
                sqlstate: refused.headers?.['dlq-sqlstate'],
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
            if (!(await this.applyWithRetry(route, topic, partition, chunk.slice(0, cut), p, highWatermark, poison, true))) return false;
            return this.applyWithRetry(route, topic, partition, chunk.slice(cut), p, highWatermark, poison, true);
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

  /** Decodes `m`; when spans are exported, the event gets a processing span, which what it causes joins. */
  private decode(route: Route, topic: string, partition: number, m: KafkaMessage, poison: Map<string, Poison>): Decoded {
    const d = decodeMessage(route, topic, partition, m, poison);
    // Otherwise the event carries the producer's trace context on as it came.
    if (!d.ok || !tracesExported()) return d;
    const parent = contextFromTraceparent(d.event.traceparent);
    d.span = tracer.startSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.message.id': d.inboxId,
          'messaging.kafka.offset': Number(m.offset),
        },
      },
      parent,
    );
    d.event.traceparent = currentTraceparent(trace.setSpan(parent, d.span));
    return d;
  }

  private async apply(handler: EventHandler, topic: string, partition: number, decoded: Decoded[], highWatermark: string): Promise<void> {
    let committed: (() => void) | undefined;
    let fresh: Decoded[] = [];
    await this.opts.dataSource.transaction(async (em) => {
      const claim = await this.inbox.claim(em, topic, partition, decoded.map(inboxEntryOf), highWatermark);
      if (claim.restarted) {
        this.opts.logger?.warn(
          { msg: 'partition log ends before the stored offset (topic recreated?): applying it from its first message', topic, partition, ...claim.restarted },
          'EventConsumer',
        );
      }
      fresh = decoded.filter((_, i) => claim.fresh[i]);
      committed = claim.committed;
      const dead: RawOutboxRecord[] = [];
      const good: ConsumedEvent<unknown>[] = [];
      for (const d of fresh) {
        if (d.ok) good.push(d.event);
        else dead.push(deadLetter(d.raw, { topic, group: this.opts.groupId, reason: d.reason, headers: d.headers }));
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
}

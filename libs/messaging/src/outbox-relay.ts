import type { Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import type { LoggerService } from '@nestjs/common';
import type { Metrics } from '@labelloop/observability';
import { backoffMs, sleep } from './backoff';
import { OutboxRow, outboxRows, relayLock } from './outbox.repository';
import { chunksByBytes, RECORD_BATCH_OVERHEAD, recordBytes } from './record-bytes';

/** Outbox relay settings. */
export interface OutboxRelayOptions {
  dataSource: DataSource;
  kafka: Kafka;
  /** Lock name; one active relay per service schema keeps per-key order. */
  lockName: string;
  batchSize: number;
  pollMs: number;
  /**
   * Most bytes per `sendBatch` (default 512 KiB). Kept under the broker's `message.max.bytes`
   * (1 MiB by default, the limit of one partition's record batch): all the rows of one
   * partition in a send are one record batch. kafkajs itself sets no limit.
   */
  maxBatchBytes?: number;
  metrics?: Metrics;
  logger?: LoggerService;
}

/** What one read of the outbox did: rows acknowledged by the broker, rows parked. */
interface Outcome {
  sent: OutboxRow[];
  parked: { row: OutboxRow; reason: string }[];
}

const rowBytes = (r: OutboxRow) => recordBytes({ key: r.msg_key, value: r.payload, headers: r.headers });

/** True when Kafka refused a record (batch) for its size: retrying the same bytes cannot help. */
function isTooLarge(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}

/**
 * Publishes outbox rows to Kafka with an idempotent producer and deletes them only after
 * the broker acknowledged them (acks=all). A crash between send and delete re-sends the
 * rows: consumers recognise the repeated `ce_id` in their inbox, so the effect is once.
 *
 * Rows are deleted rather than read past a high-water mark: sequence values are taken
 * before commit, so `id > last_seen` would skip a row whose transaction committed late.
 * Only the replica holding the advisory lock relays, which keeps per-key order.
 *
 * Sends are capped by bytes (`maxBatchBytes`), so a burst of large rows cannot make a request
 * the broker refuses as a whole. A row the broker refuses alone for its size is parked
 * (`status = 'oversize'`, counted in `labelloop_outbox_parked_total`, logged with topic, key
 * and size) and the rows behind it go on, in order; it stays in the outbox for an operator.
 */
export class OutboxRelay {
  private producer?: Producer;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private leader?: QueryRunner;
  /** True when the last attempt to publish failed (exposed in /readyz). */
  healthy = true;

  constructor(private readonly opts: OutboxRelayOptions) {}

  async start(): Promise<void> {
    await this.connectProducer();
    this.loop = this.run();
  }

  private async connectProducer(): Promise<void> {
    this.producer = this.opts.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
  }

  /** Stops after the in-flight batch; rows not yet published stay in the outbox. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.leader?.release().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }

  /** Publishes everything currently in the outbox (tests and shutdown use it). */
  async drain(): Promise<void> {
    while ((await this.publishBatch()) > 0);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (!(await this.ensureLeader())) {
          await sleep(1000, this.abort.signal);
          continue;
        }
        const n = await this.publishBatch();
        failures = 0;
        this.healthy = true;
        if (n < this.opts.batchSize) await sleep(this.opts.pollMs, this.abort.signal);
      } catch (err) {
        this.healthy = false;
        failures++;
        this.opts.logger?.warn({ msg: 'outbox relay failed, retrying', error: (err as Error).message, attempt: failures }, 'OutboxRelay');
        await this.leader?.release().catch(() => undefined);
        this.leader = undefined;
        await sleep(backoffMs(failures, 200, 5000), this.abort.signal);
      }
    }
  }

  /** Holds a session advisory lock on a dedicated connection while this replica relays. */
  private async ensureLeader(): Promise<boolean> {
    if (this.leader && !this.leader.isReleased) return true;
    const qr = this.opts.dataSource.createQueryRunner();
    await qr.connect();
    if (!(await relayLock.tryAcquire(qr, this.opts.lockName))) {
      await qr.release();
      return false;
    }
    this.leader = qr;
    return true;
  }

  private async publishBatch(): Promise<number> {
    const qr = this.leader ?? this.opts.dataSource.createQueryRunner();
    const owned = !this.leader;
    await qr.startTransaction();
    try {
      const rows = await outboxRows.lockPending(qr, this.opts.batchSize);
      const done: Outcome = { sent: [], parked: [] };
      let failure: unknown;
      try {
        for (const chunk of chunksByBytes(rows, (this.opts.maxBatchBytes ?? 512 * 1024) - RECORD_BATCH_OVERHEAD, rowBytes)) await this.publish(chunk, done);
      } catch (err) {
        failure = err; // what the broker already acknowledged is still deleted below
      }
      if (done.sent.length > 0)
        await outboxRows.deleteSent(
          qr,
          done.sent.map((r) => r.id),
        );
      for (const { row, reason } of done.parked) await outboxRows.park(qr, row.id, reason);
      await qr.commitTransaction();
      this.report(done);
      if (failure) throw failure;
      if (this.opts.metrics) {
        // A short read means the outbox was drained; only count when it may be backing up.
        const backlog = rows.length < this.opts.batchSize ? 0 : await outboxRows.pendingCount(qr);
        this.opts.metrics.outboxBacklog.set(backlog);
      }
      return rows.length;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      if (owned) await qr.release();
    }
  }

  /**
   * Sends `rows` in order. When the broker refuses them for their size, sends each half in
   * turn until the row it refuses alone is found, and parks that one.
   */
  private async publish(rows: OutboxRow[], done: Outcome): Promise<void> {
    try {
      await this.send(rows);
      done.sent.push(...rows);
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      if (rows.length === 1) {
        done.parked.push({ row: rows[0], reason: (err as Error).message });
        return;
      }
      // The request may have been written to some partitions while one refused it, and kafkajs
      // then rewinds the sequence numbers of all: a new producer id keeps the idempotent
      // producer's resend from being refused as out of sequence (it may be a duplicate, which
      // consumers recognise by ce_id).
      await this.producer?.disconnect().catch(() => undefined);
      await this.connectProducer();
      const half = Math.ceil(rows.length / 2);
      await this.publish(rows.slice(0, half), done);
      await this.publish(rows.slice(half), done);
    }
  }

  /** Counts what was published and what was parked (after the outbox transaction committed). */
  private report(done: Outcome): void {
    for (const r of done.sent) this.opts.metrics?.eventsProduced.inc({ topic: r.topic });
    for (const { row, reason } of done.parked) {
      this.opts.metrics?.outboxParked.inc({ topic: row.topic });
      this.opts.logger?.error(
        {
          msg: 'outbox row too large for the broker, parked',
          topic: row.topic,
          key: row.msg_key,
          bytes: row.payload.length,
          recordBytes: rowBytes(row),
          outboxId: row.id,
          ceId: row.headers.ce_id,
          error: reason,
        },
        'OutboxRelay',
      );
    }
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const r of rows) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.msg_key, value: r.payload, headers: r.headers });
      byTopic.set(r.topic, list);
    }
    if (!this.producer) throw new Error('outbox relay: send() before start()');
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}

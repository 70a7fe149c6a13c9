import type { Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import type { LoggerService } from '@nestjs/common';
import type { Metrics } from '@labelloop/observability';
import { backoffMs, sleep } from './backoff';

/** Outbox relay settings. */
export interface OutboxRelayOptions {
  dataSource: DataSource;
  kafka: Kafka;
  /** Lock name; one active relay per service schema keeps per-key order. */
  lockName: string;
  batchSize: number;
  pollMs: number;
  metrics?: Metrics;
  logger?: LoggerService;
}

interface OutboxRow {
  id: string;
  topic: string;
  msg_key: string | null;
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * Publishes outbox rows to Kafka with an idempotent producer and deletes them only after
 * the broker acknowledged them (acks=all). A crash between send and delete re-sends the
 * rows: consumers recognise the repeated `ce_id` in their inbox, so the effect is once.
 *
 * Rows are deleted rather than read past a high-water mark: sequence values are taken
 * before commit, so `id > last_seen` would skip a row whose transaction committed late.
 * Only the replica holding the advisory lock relays, which keeps per-key order.
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
    this.producer = this.opts.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
    this.loop = this.run();
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
    const [{ locked }] = await qr.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.opts.lockName]);
    if (!locked) {
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
      const rows: OutboxRow[] = await qr.query(
        'SELECT id, topic, msg_key, headers, payload FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [this.opts.batchSize],
      );
      if (rows.length > 0) {
        await this.send(rows);
        await qr.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      }
      await qr.commitTransaction();
      if (rows.length > 0) {
        for (const r of rows) this.opts.metrics?.eventsProduced.inc({ topic: r.topic });
      }
      if (this.opts.metrics) {
        // A short read means the outbox was drained; only count when it may be backing up.
        const backlog = rows.length < this.opts.batchSize ? 0 : (await qr.query('SELECT count(*)::int AS n FROM outbox'))[0].n;
        this.opts.metrics.outboxBacklog.set(backlog);
      }
      return rows.length;
    } catch (err) {
      await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      if (owned) await qr.release();
    }
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const r of rows) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.msg_key, value: r.payload, headers: r.headers });
      byTopic.set(r.topic, list);
    }
    await this.producer!.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}

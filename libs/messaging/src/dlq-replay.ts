import type { IHeaders, Kafka } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { REPLAY_HEADER } from './event-consumer';

/** What a replay did. */
export interface ReplayReport {
  replayed: number;
  skipped: number;
  /** Dead letters seen, by reason. */
  reasons: Record<string, number>;
}

/** Replay settings. */
export interface ReplayOptions {
  /** The dead-letter topic, `<topic>.dlq`. */
  dlqTopic: string;
  /** Consumer group of the replayer: a message is replayed once per group (default `labelloop-dlq-replay`). */
  groupId?: string;
  /** Only count and list reasons; publish nothing, commit nothing. */
  dryRun?: boolean;
  /** Replay only dead letters whose reason matches. */
  reasonFilter?: RegExp;
  log?: (line: string) => void;
}

/**
 * Sends dead letters back to their original topic, after the cause was fixed. Safe to run
 * again: its consumer group remembers what was replayed, the original `ce_id` is kept so
 * consumers recognise an event they already applied, and the `labelloop-replay` header lets a
 * consumer re-apply an id it had dead-lettered (once). Reads up to the end offsets taken at
 * start, so it stops by itself.
 */
export async function replayDlq(kafka: Kafka, opts: ReplayOptions): Promise<ReplayReport> {
  if (!opts.dlqTopic.endsWith('.dlq')) throw new Error(`${opts.dlqTopic} is not a dead-letter topic (<topic>.dlq)`);
  const original = opts.dlqTopic.slice(0, -'.dlq'.length);
  const log = opts.log ?? (() => undefined);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = opts.groupId ?? 'labelloop-dlq-replay';
  const ends = new Map((await admin.fetchTopicOffsets(opts.dlqTopic)).map((o) => [o.partition, BigInt(o.high)]));
  const committed = new Map(
    (await admin.fetchOffsets({ groupId, topics: [opts.dlqTopic] }))[0].partitions.map((p) => [p.partition, BigInt(p.offset === '-1' ? '0' : p.offset)]),
  );
  await admin.disconnect();
  const report: ReplayReport = { replayed: 0, skipped: 0, reasons: {} };
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: opts.dlqTopic, fromBeginning: true });
  // Partitions with dead letters this group has not replayed yet.
  const remaining = new Set([...ends].filter(([p, e]) => e > (committed.get(p) ?? 0n)).map(([p]) => p));
  try {
    await new Promise<void>((resolve, reject) => {
      if (remaining.size === 0) return resolve();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
            const out: { key: Buffer | null; value: Buffer | null; headers: IHeaders }[] = [];
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= (ends.get(batch.partition) ?? 0n)) break;
              const headers: IHeaders = {};
              let reason = '(no reason)';
              let from = original;
              for (const [k, v] of Object.entries(m.headers ?? {})) {
                const s = String(Array.isArray(v) ? v[0] : v);
                if (k === 'dlq-reason') reason = s;
                else if (k === 'dlq-original-topic') from = s;
                else if (!k.startsWith('dlq-')) headers[k] = s;
              }
              report.reasons[reason] = (report.reasons[reason] ?? 0) + 1;
              if (from !== original || (opts.reasonFilter && !opts.reasonFilter.test(reason))) report.skipped++;
              else {
                headers[REPLAY_HEADER] = new Date().toISOString();
                out.push({ key: m.key, value: m.value, headers });
              }
              resolveOffset(m.offset);
            }
            if (!opts.dryRun) {
              if (out.length) await producer.send({ topic: original, acks: -1, messages: out });
              // Commit only after the broker acknowledged the replayed copies.
              await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(batch.messages[batch.messages.length - 1].offset) + 1n).toString() }] }] });
            }
            report.replayed += opts.dryRun ? 0 : out.length;
            log(`${opts.dlqTopic}[${batch.partition}] up to ${batch.lastOffset()}: ${out.length} ${opts.dryRun ? 'would be replayed' : 'replayed'}`);
            if (BigInt(batch.lastOffset()) + 1n >= (ends.get(batch.partition) ?? 0n)) remaining.delete(batch.partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  return report;
}

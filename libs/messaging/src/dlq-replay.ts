import { createHash } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { REPLAY_HEADER } from './decode';

/** What a replay did. */
export interface ReplayReport {
  /** The consumer group the run used (see `replayGroupId`). */
  groupId: string;
  replayed: number;
  skipped: number;
  /** Dead letters seen, by reason. */
  reasons: Record<string, number>;
}

/** Replay settings. */
export interface ReplayOptions {
  /** The dead-letter topic, `<topic>.dlq`. */
  dlqTopic: string;
  /**
   * Consumer group of the replayer (default `labelloop-dlq-replay`); with `reasonFilter`, the
   * group of that filter is derived from it (`replayGroupId`). A message is replayed once per group.
   */
  groupId?: string;
  /** Only count and list reasons; publish nothing, commit nothing. */
  dryRun?: boolean;
  /** Replay only dead letters whose reason matches. */
  reasonFilter?: RegExp;
  log?: (line: string) => void;
}

/**
 * The consumer group a replay run uses: `base` without a reason filter, else a group of that
 * filter's own (`<base>.reason-<hash of the regex>`). What a filtered run skipped is committed
 * only in its own group, so a run with another filter, or none, still finds it.
 */
export function replayGroupId(base = 'labelloop-dlq-replay', reasonFilter?: RegExp): string {
  if (!reasonFilter) return base;
  return `${base}.reason-${createHash('sha256').update(`/${reasonFilter.source}/${reasonFilter.flags}`).digest('hex').slice(0, 12)}`;
}

/**
 * Sends dead letters back to their original topic, after the cause was fixed. Safe to run
 * again: its consumer group remembers what was replayed, the original `ce_id` is kept so
 * consumers recognise an event they already applied, and the `labelloop-replay` header lets a
 * consumer re-apply an id it had dead-lettered (once). Reads up to the end offsets taken at
 * start, so it stops by itself; it commits an offset only once every dead letter below it was
 * replayed (the broker acknowledged the copy) or skipped by the filter, so what arrives during
 * a run is left to the next one.
 */
export async function replayDlq(kafka: Kafka, opts: ReplayOptions): Promise<ReplayReport> {
  if (!opts.dlqTopic.endsWith('.dlq')) throw new Error(`${opts.dlqTopic} is not a dead-letter topic (<topic>.dlq)`);
  const original = opts.dlqTopic.slice(0, -'.dlq'.length);
  const log = opts.log ?? (() => undefined);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = replayGroupId(opts.groupId, opts.reasonFilter);
  const ends = new Map((await admin.fetchTopicOffsets(opts.dlqTopic)).map((o) => [o.partition, BigInt(o.high)]));
  const committed = new Map(
    (await admin.fetchOffsets({ groupId, topics: [opts.dlqTopic] }))[0].partitions.map((p) => [p.partition, BigInt(p.offset === '-1' ? '0' : p.offset)]),
  );
  await admin.disconnect();
  log(`${opts.dlqTopic}: group ${groupId}, ${[...ends].map(([p, e]) => `partition ${p} from ${committed.get(p) ?? 0n} to ${e}`).join(', ')}`);
  const report: ReplayReport = { groupId, replayed: 0, skipped: 0, reasons: {} };
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
            const end = ends.get(batch.partition) ?? 0n;
            // The offset after the last dead letter replayed or skipped (undefined: none in this batch).
            let next: string | undefined;
            for (const m of batch.messages) {
              // Arrived after the run started: left to the next run, not resolved, not committed.
              if (BigInt(m.offset) >= end) break;
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
              next = (BigInt(m.offset) + 1n).toString();
            }
            if (!opts.dryRun && next !== undefined) {
              if (out.length) await producer.send({ topic: original, acks: -1, messages: out });
              // Commit only after the broker acknowledged the replayed copies.
              await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
            }
            report.replayed += opts.dryRun ? 0 : out.length;
            if (next !== undefined)
              log(`${opts.dlqTopic}[${batch.partition}] up to ${BigInt(next) - 1n}: ${out.length} ${opts.dryRun ? 'would be replayed' : 'replayed'}`);
            if (BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(batch.partition);
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

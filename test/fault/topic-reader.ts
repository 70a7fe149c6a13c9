import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/** A record read back from a topic. */
export interface TopicRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads `topic` from `from` (default: its first offset) to its last offset as of now (the high
 * watermarks are fetched first, so the read ends by itself) and keeps the records `keep`
 * accepts. The topics are shared with other tests: `keep` filters this run's records.
 */
export async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  keep: (r: TopicRecord) => boolean,
  opts: { from?: { partition: number; offset: string }[]; timeoutMs?: number } = {},
): Promise<{ records: TopicRecord[]; scanned: number }> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const groupId = `fault-reader-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  // Start where the run started (a seek once the consumer runs), or at the beginning.
  const start = new Map((opts.from ?? []).map((f) => [f.partition, BigInt(f.offset)]));
  await admin.disconnect();
  // Last offset to read per partition (high watermark - 1); partitions with nothing to read are done already.
  const last = new Map<number, bigint>();
  for (const o of offsets) {
    const first = start.get(o.partition) ?? BigInt(o.low);
    if (BigInt(o.high) > first && BigInt(o.high) > BigInt(o.low)) last.set(o.partition, BigInt(o.high) - 1n);
  }
  const records: TopicRecord[] = [];
  let scanned = 0;
  if (last.size === 0) return { records, scanned };
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 8 * 1024 * 1024 });
  const remaining = new Set(last.keys());
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    timer = setTimeout(() => finish(), timeoutMs);
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = last.get(batch.partition);
        const first = start.get(batch.partition) ?? 0n;
        for (const m of batch.messages) {
          if (end === undefined || BigInt(m.offset) > end) break;
          if (BigInt(m.offset) < first) continue; // fetched before the seek took effect
          scanned++;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) {
            const h = Array.isArray(v) ? v[0] : v;
            if (h !== undefined) headers[k] = Buffer.isBuffer(h) ? h.toString('utf8') : String(h);
          }
          const r = { key: m.key?.toString('utf8') ?? null, value: m.value, headers, partition: batch.partition, offset: m.offset };
          if (keep(r)) records.push(r);
          if (BigInt(m.offset) >= end) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) finish();
          }
        }
      },
    });
    // Jump to where the run started (seek is only allowed once the consumer runs).
    for (const [partition, offset] of start) if (last.has(partition)) consumer.seek({ topic, partition, offset: offset.toString() });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  if (remaining.size > 0) throw new Error(`${topic}: did not reach the end of partitions ${[...remaining].join(',')} in ${timeoutMs} ms`);
  return { records, scanned };
}

/** What `recordBytes` weighs: a record as handed to kafkajs (or read from the outbox). */
export interface WeighedRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** Bytes of a Kafka record batch (format v2) before its records. */
export const RECORD_BATCH_OVERHEAD = 61;

const byteLength = (v: Buffer | string | null | undefined) => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

/**
 * An upper bound of the bytes a record takes in a Kafka record batch (format v2): key, value
 * and headers in UTF-8, plus the framing the broker also counts (record length, attributes,
 * timestamp and offset deltas, varint lengths: at most 21 bytes, and 10 per header). The sum
 * over a batch plus RECORD_BATCH_OVERHEAD is what the broker compares with the topic's
 * `max.message.bytes` when nothing is compressed.
 */
export function recordBytes(r: WeighedRecord): number {
  let n = 21 + byteLength(r.key) + byteLength(r.value);
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) n += 10 + Buffer.byteLength(k) + byteLength(one);
  }
  return n;
}

/**
 * Splits `items`, in order, into consecutive runs whose weights add up to at most `maxBytes`.
 * A run always holds at least one item, so an item heavier than `maxBytes` is a run of its own
 * (the broker then decides whether it fits).
 */
export function chunksByBytes<T>(items: readonly T[], maxBytes: number, weigh: (item: T) => number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let weight = 0;
  for (const item of items) {
    const w = weigh(item);
    if (run.length > 0 && weight + w > maxBytes) {
      runs.push(run);
      run = [];
      weight = 0;
    }
    run.push(item);
    weight += w;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

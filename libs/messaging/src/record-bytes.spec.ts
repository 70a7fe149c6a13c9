import fc from 'fast-check';
import { chunksByBytes, RECORD_BATCH_OVERHEAD, recordBytes, WeighedRecord } from './record-bytes';

// kafkajs's own record batch encoder (format v2): what it writes is what the broker measures.
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (b: { records: unknown[] }) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: {
  offsetDelta: number;
  timestampDelta: number;
  key: unknown;
  value: unknown;
  headers: unknown;
}) => unknown;

const encodedBatchBytes = async (records: WeighedRecord[]) =>
  (
    await RecordBatch({
      records: records.map((r, i) => Record({ offsetDelta: i, timestampDelta: 1000 * i, key: r.key ?? null, value: r.value, headers: r.headers ?? {} })),
    })
  ).buffer.length;

const record = fc.record({
  key: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null }),
  value: fc.uint8Array({ maxLength: 5000 }).map((a) => Buffer.from(a)),
  headers: fc.dictionary(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 200 }), { maxKeys: 8 }),
});

describe('recordBytes', () => {
  it('never weighs a batch lighter than kafkajs encodes it, and is within 32 bytes a record of it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 30 }), async (records) => {
        const encoded = await encodedBatchBytes(records);
        const weighed = RECORD_BATCH_OVERHEAD + records.reduce((n, r) => n + recordBytes(r), 0);
        expect(weighed).toBeGreaterThanOrEqual(encoded);
        expect(weighed - encoded).toBeLessThanOrEqual(32 * records.length + 10 * records.reduce((n, r) => n + Object.keys(r.headers).length, 0));
      }),
      { numRuns: 200 },
    );
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(recordBytes({ key: 'é', value: '€', headers: { k: '日本' } }) - recordBytes({ key: '', value: '', headers: { k: '' } })).toBe(2 + 3 + 6);
  });
});

describe('chunksByBytes', () => {
  it('keeps the order, stays under the cap, and gives an item over the cap a run of its own', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 2000 }), (weights, cap) => {
        const runs = chunksByBytes(weights, cap, (w) => w);
        expect(runs.flat()).toEqual(weights);
        for (const run of runs) {
          expect(run.length).toBeGreaterThan(0);
          const total = run.reduce((a, b) => a + b, 0);
          if (run.length > 1) expect(total).toBeLessThanOrEqual(cap);
        }
        // Greedy: no run could have taken the next run's first item.
        for (let i = 0; i + 1 < runs.length; i++) expect(runs[i].reduce((a, b) => a + b, 0) + runs[i + 1][0]).toBeGreaterThan(cap);
      }),
    );
  });

  it('splits 600 dead letters of 3.4 KiB into sends under 512 KiB', () => {
    const runs = chunksByBytes(new Array(600).fill(3500), 512 * 1024, (w) => w);
    expect(runs.map((r) => r.length)).toEqual([149, 149, 149, 149, 4]);
  });
});

/**
 * Fuzzed predictions for the SDK's tests, and the check that what the recorder put on the wire
 * is what the encode path `record()` used before (encodePrediction at the time of the call)
 * gives for the same event, byte for byte.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { Timestamp, timestampMs } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { PredictionEventSchema } from '@labelloop/contracts';
import { encodePrediction, PredictionEventInit } from '../src/encode';

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
const unit = fc.double({ min: 0, max: 1, noNaN: true });
/** Mostly fine numbers, now and then one that validation refuses. */
const someDouble = fc.oneof(
  { weight: 30, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -0) },
);
const timestamp = fc.oneof(
  { weight: 30, arbitrary: fc.record({ seconds: fc.bigInt({ min: 0n, max: 253402300799n }), nanos: fc.integer({ min: 0, max: 999_999_999 }) }) },
  // Beyond year 9999: the CloudEvents time cannot be written, so the event cannot be encoded.
  { weight: 1, arbitrary: fc.record({ seconds: fc.constant(10n ** 15n), nanos: fc.constant(0) }) },
);

/** A prediction as a service could pass it: ids and timestamp sometimes left to the SDK, about one in four invalid. */
export const predictionArb = (modelIds: fc.Arbitrary<string> = fc.constantFrom('m-1', 'm-2', '')): fc.Arbitrary<PredictionEventInit> =>
  fc.record(
    {
      eventId: fc.oneof(fc.constant(''), fc.uuid(), text),
      modelId: modelIds,
      modelVersion: fc.oneof({ weight: 30, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) }, { weight: 1, arbitrary: fc.constant('') }),
      timestamp,
      inputUri: text,
      contentHash: fc.oneof({ weight: 30, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) }, { weight: 1, arbitrary: fc.constant('') }),
      numericFeatures: fc.dictionary(text, someDouble, { maxKeys: 4 }),
      categoricalFeatures: fc.dictionary(text, text, { maxKeys: 3 }),
      embedding: fc.array(
        fc.oneof({ weight: 100, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) }),
        { maxLength: 8 },
      ),
      predictedLabel: text,
      classProbabilities: fc.dictionary(text, fc.oneof({ weight: 30, arbitrary: unit }, { weight: 1, arbitrary: fc.constant(1.5) }), { maxKeys: 3 }),
      confidence: fc.oneof({ weight: 30, arbitrary: unit }, { weight: 1, arbitrary: fc.constantFrom(-0.1, 2, Number.NaN) }),
      groundTruth: fc.record({ label: text, source: fc.integer({ min: 0, max: 2 }), observedAt: timestamp }, { requiredKeys: ['label'] }),
      metadata: fc.dictionary(text, text, { maxKeys: 3 }),
    },
    { requiredKeys: ['modelId'] },
  );

/** What went to Kafka for one event, as the producer or a consumer sees it. */
export interface WireRecord {
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
}

/** Whether the encode path used before deferred encoding accepts `p` at all. */
export const oldPathAccepts = (p: PredictionEventInit, source: string): boolean => encodePrediction(p, source).ok;

/**
 * Checks that `sent` is what encodePrediction, called when `record()` was (between
 * `recordedFrom` and `recordedTo`, ms), gives for `p`: same key, value bytes and headers. An
 * event id or timestamp the SDK generated is read from `sent` (the id is random, the time
 * must fall in the window), then the old path encodes with them.
 */
export function expectSameAsOldPath(sent: WireRecord, p: PredictionEventInit, source: string, recordedFrom: number, recordedTo: number): void {
  const ev = fromBinary(PredictionEventSchema, sent.value);
  let nowMs = recordedFrom;
  if (!p.timestamp) {
    expect(ev.timestamp).toBeDefined();
    nowMs = timestampMs(ev.timestamp as Timestamp);
    expect(nowMs).toBeGreaterThanOrEqual(recordedFrom);
    expect(nowMs).toBeLessThanOrEqual(recordedTo);
  }
  const old = encodePrediction(p.eventId ? p : { ...p, eventId: ev.eventId }, source, nowMs);
  if (!old.ok) throw new Error(`the old path refuses an event that was sent: ${old.reason}`);
  expect(sent.key).toBe(old.record.key);
  expect(Buffer.from(sent.value).equals(old.record.value)).toBe(true);
  expect(sent.headers).toEqual(old.record.headers);
}

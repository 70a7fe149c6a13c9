/**
 * Recorder logic without Kafka: validation, encoding, overflow accounting, batching, retry and
 * flush, against an in-memory stand-in for the kafkajs producer. The real broker is exercised
 * in recorder.integration-spec.ts.
 */
import { create, fromBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Kafka, Message, ProducerBatch } from 'kafkajs';
import { Registry } from 'prom-client';
import { PredictionEvent, PredictionEventSchema } from '@labelloop/contracts';
import { readEnvelope } from '@labelloop/messaging';
import { expectSameAsOldPath, oldPathAccepts, predictionArb } from '../test/predictions.factory';
import { encodePrediction, PredictionEventInit } from './encode';
import { PredictionRecorder, PredictionRecorderOptions, RecorderError } from './recorder';

/** Fields of a prediction, to override in `valid()`. */
type Fields = Partial<Omit<PredictionEvent, '$typeName' | '$unknown'>>;
const valid = (i: number, extra: Fields = {}): PredictionEventInit => ({
  eventId: `e-${i}`,
  modelId: 'm-1',
  modelVersion: 'v1',
  contentHash: `sha256:${i}`,
  predictedLabel: 'cat',
  confidence: 0.9,
  ...extra,
});

/** A kafkajs stand-in: records batches, fails the next `failures` sends, sends only when released. */
class FakeProducer {
  batches: ProducerBatch[] = [];
  failures = 0;
  connects = 0;
  disconnected = false;
  private gate?: Promise<void>;
  private open?: () => void;
  readonly options: unknown[] = [];
  hold() {
    this.gate = new Promise((r) => (this.open = r));
  }
  release() {
    this.open?.();
    this.gate = undefined;
  }
  kafka(): Kafka {
    return { producer: (o: unknown) => (this.options.push(o), this) } as unknown as Kafka;
  }
  async connect() {
    this.connects++;
  }
  async disconnect() {
    this.disconnected = true;
  }
  async sendBatch(b: ProducerBatch) {
    await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('broker unavailable');
    }
    this.batches.push(b);
  }
  batchSizes(): number[] {
    return this.batches.map((b) => (b.topicMessages ?? []).reduce((n, t) => n + t.messages.length, 0));
  }
  sent(): Message[] {
    return this.batches.flatMap((b) => (b.topicMessages ?? []).flatMap((t) => t.messages));
  }
  sentIds(): string[] {
    return this.sent().map((m) => String(m.headers?.ce_id));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('encodePrediction', () => {
  it('fills event id and timestamp, encodes protobuf, CloudEvents headers and the model id as key', () => {
    const r = encodePrediction(valid(1, { eventId: '' }), 'inference/test');
    if (!r.ok) throw new Error(r.reason);
    expect(r.eventId).toMatch(/^[0-9a-f-]{36}$/);
    const decoded = fromBinary(PredictionEventSchema, r.record.value);
    expect(decoded.eventId).toBe(r.eventId);
    expect(decoded.contentHash).toBe('sha256:1');
    expect(decoded.timestamp).toBeDefined();
    expect(r.record.key).toBe('m-1');
    const env = readEnvelope(r.record.headers, PredictionEventSchema.typeName);
    expect(env).toMatchObject({ id: r.eventId, source: 'inference/test', type: 'labelloop.inference.v1.PredictionEvent' });
  });

  it('keeps a given timestamp as the event time and ce_time', () => {
    const r = encodePrediction(valid(1, { timestamp: timestampFromMs(Date.UTC(2024, 0, 2)) }), 's');
    if (!r.ok) throw new Error(r.reason);
    expect(r.record.headers.ce_time).toBe('2024-01-02T00:00:00.000Z');
  });

  it('does not modify a message passed in', () => {
    const msg = create(PredictionEventSchema, valid(1, { eventId: '' }));
    const r = encodePrediction(msg, 's');
    expect(r.ok).toBe(true);
    expect(msg.eventId).toBe('');
    expect(msg.timestamp).toBeUndefined();
  });

  it.each([
    ['no model id', { modelId: '' }, 'model_id is required'],
    ['confidence 1.5', { confidence: 1.5 }, 'confidence must be in [0, 1]'],
    ['a NaN feature', { numericFeatures: { x: Number.NaN } }, 'numeric_features.x is not finite'],
    ['a timestamp beyond year 9999', { timestamp: { seconds: 10n ** 15n, nanos: 0 } }, 'timestamp is out of range'],
  ] as [string, Fields, string][])('refuses an event with %s, giving the reason', (_what, extra, reason) => {
    const r = encodePrediction(valid(1, extra), 's');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('PredictionRecorder (no Kafka)', () => {
  let fake: FakeProducer;
  let errors: RecorderError[];
  const recorders: PredictionRecorder[] = [];
  const make = (o: Partial<PredictionRecorderOptions> = {}) => {
    const r = new PredictionRecorder({ kafka: fake.kafka(), source: 'inference/test', onError: (e) => errors.push(e), ...o });
    recorders.push(r);
    return r;
  };
  beforeEach(() => {
    fake = new FakeProducer();
    errors = [];
  });
  afterEach(async () => {
    fake.release();
    await Promise.all(recorders.splice(0).map((r) => r.close({ timeoutMs: 10 })));
  });

  it('configures an idempotent producer and sends with acks=all', async () => {
    const r = make();
    r.record(valid(1));
    await r.flush();
    expect(fake.options[0]).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
    expect(fake.batches[0]).toMatchObject({ acks: -1, topicMessages: [{ topic: 'labelloop.prediction.recorded.v1' }] });
  });

  it('counts invalid events as rejected, reports them, and never throws', async () => {
    const r = make({
      onError: () => {
        throw new Error('a broken onError must not reach the caller');
      },
    });
    expect(() => r.record(valid(1, { confidence: -1 }))).not.toThrow();
    expect(() => r.record({ modelId: 42 } as unknown as PredictionEventInit)).not.toThrow();
    expect(() => r.record(undefined as unknown as PredictionEventInit)).not.toThrow();
    r.record(valid(2));
    await r.flush();
    expect(r.stats()).toMatchObject({ recorded: 4, rejected: 3, sent: 1, buffered: 0 });
  });

  it('validates in the sender: an invalid event does not call onError inside record(), flush() settles it', async () => {
    const r = make();
    r.record(valid(7, { modelVersion: '' }));
    expect(errors).toHaveLength(0);
    await r.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'invalid', eventId: 'e-7' });
    expect(errors[0].message).toContain('model_version is required');
  });

  it('drop-newest: counts exactly the refused events and sends the first ones', async () => {
    const r = make({ maxBufferSize: 10, batchSize: 4 });
    for (let i = 0; i < 25; i++) r.record(valid(i));
    expect(r.stats()).toMatchObject({ recorded: 25, dropped: 15, buffered: 10 });
    expect(errors.filter((e) => e.kind === 'overflow')).toHaveLength(1); // once per episode
    await r.flush();
    expect(fake.sentIds()).toEqual(Array.from({ length: 10 }, (_, i) => `e-${i}`));
    expect(r.stats()).toMatchObject({ sent: 10, dropped: 15, buffered: 0 });
  });

  it('drop-oldest: counts exactly the evicted events and sends the last ones', async () => {
    const r = make({ maxBufferSize: 10, batchSize: 4, overflow: 'drop-oldest' });
    for (let i = 0; i < 25; i++) r.record(valid(i));
    await r.flush();
    expect(fake.sentIds()).toEqual(Array.from({ length: 10 }, (_, i) => `e-${i + 15}`));
    expect(r.stats()).toMatchObject({ recorded: 25, sent: 10, dropped: 15, buffered: 0 });
  });

  it('drop-oldest never drops the batch being sent', async () => {
    const r = make({ maxBufferSize: 4, batchSize: 2, overflow: 'drop-oldest', lingerMs: 0 });
    fake.hold();
    for (let i = 0; i < 4; i++) r.record(valid(i));
    await tick();
    await tick(); // batch [e-0, e-1] is in flight now
    for (let i = 4; i < 8; i++) r.record(valid(i));
    fake.release();
    await r.flush();
    expect(fake.sentIds()).toEqual(['e-0', 'e-1', 'e-6', 'e-7']);
    expect(r.stats()).toMatchObject({ recorded: 8, sent: 4, dropped: 4 });
  });

  it('sends a full batch at once and a partial one after lingerMs', async () => {
    const r = make({ batchSize: 3, lingerMs: 200 });
    for (let i = 0; i < 4; i++) r.record(valid(i));
    for (let i = 0; i < 5 && fake.batches.length === 0; i++) await tick();
    expect(fake.batchSizes()).toEqual([3]);
    await new Promise((res) => setTimeout(res, 60));
    expect(fake.batches).toHaveLength(1); // the single leftover is lingering
    await new Promise((res) => setTimeout(res, 250));
    expect(fake.batchSizes()).toEqual([3, 1]);
  });

  it('splits batches at maxBatchBytes and rejects an event larger than that alone', async () => {
    const r = make({ batchSize: 100, maxBatchBytes: 2000 });
    const padded = (i: number, n: number) => valid(i, { inputUri: 'x'.repeat(n) });
    for (let i = 0; i < 6; i++) r.record(padded(i, 500)); // ~750 bytes each with headers
    r.record(padded(99, 3000));
    await r.flush();
    expect(fake.batchSizes()).toEqual([2, 2, 2]);
    expect(r.stats()).toMatchObject({ recorded: 7, sent: 6, rejected: 1 });
    expect(errors.find((e) => e.kind === 'invalid')?.message).toMatch(/too large/);
  });

  it('retries a failed batch with backoff, keeping it buffered, and flush waits for the ack', async () => {
    const r = make({ batchSize: 5 });
    fake.failures = 2;
    for (let i = 0; i < 5; i++) r.record(valid(i));
    await r.flush();
    expect(r.stats()).toMatchObject({ sent: 5, sendErrors: 2, buffered: 0 });
    expect(fake.sentIds()).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4']);
    expect(errors.filter((e) => e.kind === 'send')).toHaveLength(2);
  });

  it('flush resolves only for what was recorded before the call', async () => {
    const r = make({ batchSize: 2, lingerMs: 1000 });
    r.record(valid(1));
    const flushed = r.flush();
    r.record(valid(2));
    await flushed;
    expect(fake.sentIds()).toContain('e-1');
    await r.flush();
    expect(fake.sentIds()).toEqual(['e-1', 'e-2']);
  });

  it('close(timeoutMs) counts what could not be sent as dropped, then events after close too', async () => {
    const r = make({ batchSize: 2 });
    fake.failures = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) r.record(valid(i));
    await r.close({ timeoutMs: 50 });
    r.record(valid(99));
    expect(r.stats()).toMatchObject({ recorded: 6, sent: 0, dropped: 6, buffered: 0 });
    expect(fake.disconnected).toBe(true);
    // Reported once (the discard); the late event is counted without a second report.
    expect(errors.filter((e) => e.kind === 'closed').map((e) => e.message)).toEqual(['5 prediction event(s) dropped: the recorder is closed']);
  });

  it('close() without timeout flushes everything first', async () => {
    const r = make({ lingerMs: 10_000 });
    for (let i = 0; i < 3; i++) r.record(valid(i));
    await r.close();
    expect(fake.sentIds()).toEqual(['e-0', 'e-1', 'e-2']);
    expect(r.stats()).toMatchObject({ sent: 3, dropped: 0 });
  });

  it('exposes its counters as Prometheus metrics', async () => {
    const r = make({ maxBufferSize: 2 });
    const registry = new Registry();
    r.registerMetrics(registry);
    r.record(valid(9, { confidence: 7 }));
    for (let i = 0; i < 5; i++) r.record(valid(i));
    let text = await registry.metrics();
    expect(text).toContain('labelloop_sdk_events_recorded_total 6');
    expect(text).toContain('labelloop_sdk_events_dropped_total{reason="overflow"} 4');
    expect(text).toContain('labelloop_sdk_events_buffered 2');
    await r.flush();
    text = await registry.metrics();
    expect(text).toContain('labelloop_sdk_events_rejected_total 1');
    expect(text).toContain('labelloop_sdk_events_sent_total 1');
    expect(text).toContain('labelloop_sdk_events_buffered 0');
  });

  it('bounds the buffer by bytes: estimated at record(), exact once the sender has encoded', async () => {
    // ~1.3 KB each on the wire, nearly all of it in a map that record() does not read.
    const heavy = (i: number) => valid(i, { numericFeatures: Object.fromEntries(Array.from({ length: 80 }, (_, k) => [`feature-${k}`, k])) });
    const r = make({ maxBufferBytes: 20_000, batchSize: 12, lingerMs: 0 });
    fake.hold();
    for (let i = 0; i < 12; i++) r.record(heavy(i)); // estimated small: all accepted
    for (let i = 0; i < 5 && fake.batches.length === 0 && r.stats().buffered > 0; i++) await tick();
    // The sender encoded them (a batch of ~16 KB in flight) and learned the size: room for ~2 more.
    for (let i = 12; i < 40; i++) r.record(heavy(i));
    const s = r.stats();
    expect(s.buffered).toBeLessThanOrEqual(15);
    expect(s.dropped).toBe(40 - s.buffered);
    expect(errors.filter((e) => e.kind === 'overflow')).toHaveLength(1);
    fake.release();
    await r.flush();
    expect(r.stats()).toMatchObject({ recorded: 40, sent: s.buffered, dropped: 40 - s.buffered, buffered: 0 });
    expect(fake.sentIds().slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => `e-${i}`));
  });

  it('refuses an event alone larger than maxBufferBytes, and a full buffer by bytes under drop-oldest evicts enough', async () => {
    const padded = (i: number, n: number) => valid(i, { inputUri: 'x'.repeat(n) });
    const r = make({ maxBufferBytes: 5000, overflow: 'drop-oldest', lingerMs: 1000 });
    r.record(padded(0, 6000));
    expect(r.stats()).toMatchObject({ recorded: 1, dropped: 1, buffered: 0 });
    for (let i = 1; i <= 4; i++) r.record(padded(i, 1000));
    r.record(padded(5, 2500)); // evicts the oldest two or three to fit
    const s = r.stats();
    expect(s.dropped).toBeGreaterThanOrEqual(3);
    await r.flush();
    expect(fake.sentIds().at(-1)).toBe('e-5');
    expect(r.stats()).toMatchObject({ recorded: 6, sent: 6 - s.dropped, buffered: 0 });
  });

  it('close() right after a burst sends everything recorded before it, including a batch in flight', async () => {
    const r = make({ batchSize: 100 });
    fake.hold();
    for (let i = 0; i < 150; i++) r.record(valid(i));
    for (let i = 0; i < 5 && r.stats().buffered === 150; i++) await tick();
    for (let i = 150; i < 3000; i++) r.record(valid(i));
    const closed = r.close();
    fake.release();
    await closed;
    expect(fake.sentIds()).toEqual(Array.from({ length: 3000 }, (_, i) => `e-${i}`));
    expect(r.stats()).toMatchObject({ recorded: 3000, sent: 3000, dropped: 0, rejected: 0, buffered: 0 });
  });

  it('encodes a batch in slices: the event loop gets turns before a batch of 500 is sent', async () => {
    const r = make({ batchSize: 500, lingerMs: 0 });
    let turns = 0;
    let turnsBeforeSend = -1;
    const ticker = () => {
      turns++;
      if (fake.batches.length === 0) setImmediate(ticker);
      else turnsBeforeSend = turns;
    };
    setImmediate(ticker);
    for (let i = 0; i < 500; i++) r.record(valid(i));
    await r.flush();
    for (let i = 0; i < 20 && turnsBeforeSend < 0; i++) await tick();
    // 500 events in slices of 64: at least 7 turns of other work before the send.
    expect(turnsBeforeSend).toBeGreaterThanOrEqual(7);
  });

  it('puts on the wire what the old encode path (encodePrediction at record time) gave, byte for byte (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(predictionArb(), { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), async (events, batchSize) => {
        const f = new FakeProducer();
        const r = new PredictionRecorder({ kafka: f.kafka(), source: 'inference/fuzz', batchSize, lingerMs: 0 });
        const from = Date.now();
        for (const p of events) r.record(p);
        const to = Date.now();
        await new Promise((res) => setTimeout(res, 5)); // encoding later must not move the default timestamp
        await r.close();
        const accepted = events.filter((p) => oldPathAccepts(p, 'inference/fuzz'));
        const sent = f.sent();
        expect(r.stats()).toMatchObject({ recorded: events.length, sent: accepted.length, rejected: events.length - accepted.length, dropped: 0 });
        expect(sent).toHaveLength(accepted.length);
        sent.forEach((m, i) =>
          expectSameAsOldPath(
            { key: String(m.key), value: m.value as Buffer, headers: m.headers as Record<string, string> },
            accepted[i],
            'inference/fuzz',
            from,
            to,
          ),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('refuses bad options when constructed', () => {
    expect(() => new PredictionRecorder({ source: 's' })).toThrow(/brokers/);
    expect(() => new PredictionRecorder({ kafka: fake.kafka(), source: 's', maxBufferSize: 0 })).toThrow(/maxBufferSize/);
    expect(() => new PredictionRecorder({ kafka: fake.kafka(), source: 's', maxBufferBytes: 0.5 })).toThrow(/maxBufferBytes/);
    expect(() => new PredictionRecorder({ kafka: fake.kafka(), source: '' })).toThrow();
    expect(() => new PredictionRecorder({ kafka: fake.kafka(), source: 's', overflow: 'block' as never })).toThrow(/overflow/);
  });
});

import { create, toBinary } from '@bufbuild/protobuf';
import type { KafkaMessage } from 'kafkajs';
import { decoderOf, PredictionEventSchema } from '@labelloop/contracts';
import { deadLetter, decodeMessage, inboxEntryOf, isReplay, Poison, REPLAY_HEADER, refusedByDatabase, Route, storableText } from './decode';
import { envelopeHeaders } from './envelope';
import type { EventHandler } from './event-handler';

const topic = 'labelloop.inference.prediction.v1';
const handler: EventHandler<typeof PredictionEventSchema> = {
  topic,
  schema: PredictionEventSchema,
  validate: (e) => (e.modelId ? undefined : 'model_id is required'),
  handle: async () => undefined,
};
const route: Route = { handler: handler as unknown as EventHandler, decode: decoderOf(PredictionEventSchema) };
const noPoison = new Map<string, Poison>();

/** A message as kafkajs hands it over: header values and key as Buffers. */
function message(value: Buffer | null, opts: { id?: string; headers?: Record<string, string | Buffer>; key?: Buffer; offset?: string } = {}): KafkaMessage {
  const headers: Record<string, Buffer> = {};
  if (opts.id !== undefined) {
    const env = envelopeHeaders(
      { id: opts.id, type: PredictionEventSchema.typeName, source: 'labelloop/test', time: '2026-12-05T10:00:00.000Z' },
      value ?? new Uint8Array(),
    );
    for (const [k, v] of Object.entries(env)) headers[k] = Buffer.from(v);
  }
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  return { key: opts.key ?? null, value, headers, offset: opts.offset ?? '42', timestamp: '0', attributes: 0 } as KafkaMessage;
}

const prediction = (modelId: string) =>
  Buffer.from(toBinary(PredictionEventSchema, create(PredictionEventSchema, { eventId: 'p-1', modelId, confidence: 0.5 })));

describe('decodeMessage', () => {
  it('hands a valid event to the handler with its envelope id, key and offset', () => {
    const d = decodeMessage(route, topic, 3, message(prediction('churn'), { id: 'e-1', key: Buffer.from('churn') }), noPoison);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.event).toMatchObject({ id: 'e-1', topic, partition: 3, offset: '42', key: 'churn', message: { modelId: 'churn', confidence: 0.5 } });
    expect(inboxEntryOf(d)).toEqual({ id: 'e-1', offset: '42', dead: false, replay: false });
  });

  it('dead-letters a payload that is not protobuf: the DLQ record keeps its bytes and says why', () => {
    const junk = Buffer.from([0x0a, 0x05, 0x41]); // field 1 claims 5 bytes, 1 follows
    const m = message(junk, { id: 'e-2', key: Buffer.from('k') });
    const d = decodeMessage(route, topic, 0, m, noPoison);
    expect(d).toMatchObject({ ok: false, inboxId: 'e-2' });
    if (d.ok) return;
    expect(d.reason).toMatch(/^undecodable protobuf: /);
    expect(inboxEntryOf(d)).toEqual({ id: 'e-2', offset: '42', dead: true, replay: false });
    const failedAt = new Date('2026-12-05T11:00:00.000Z');
    const record = deadLetter(d.raw, { topic, group: 'drift', reason: d.reason, headers: d.headers }, failedAt);
    expect(record.topic).toBe(`${topic}.dlq`);
    expect(record.key).toBe('k');
    expect(Buffer.compare(Buffer.from(record.payload), junk)).toBe(0);
    expect(record.headers).toMatchObject({
      ce_id: 'e-2',
      'dlq-reason': d.reason,
      'dlq-original-topic': topic,
      'dlq-original-offset': '42',
      'dlq-consumer-group': 'drift',
      'dlq-failed-at': '2026-12-05T11:00:00.000Z',
    });
  });

  it('dead-letters a message without an envelope under an id naming its offset', () => {
    const d = decodeMessage(route, topic, 3, message(prediction('churn'), { offset: '7' }), noPoison);
    expect(d).toMatchObject({ ok: false, inboxId: `kafka:${topic}/3/7`, reason: 'missing ce_id header' });
  });

  it("dead-letters an empty value and one the handler's validate refuses", () => {
    expect(decodeMessage(route, topic, 0, message(null, { id: 'e-3' }), noPoison)).toMatchObject({ ok: false, reason: 'empty value' });
    expect(decodeMessage(route, topic, 0, message(prediction(''), { id: 'e-4' }), noPoison)).toMatchObject({
      ok: false,
      reason: 'invalid: model_id is required',
    });
  });

  it('without a validate, refuses a string PostgreSQL cannot store', () => {
    const unvalidated: Route = { ...route, handler: { ...route.handler, validate: undefined } };
    const d = decodeMessage(unvalidated, topic, 0, message(prediction('a\u0000b'), { id: 'e-5' }), noPoison);
    expect(d).toMatchObject({ ok: false });
    if (!d.ok) expect(d.reason).toMatch(/^invalid: model_id .*NUL/);
  });

  it('dead-letters an event known as poison, and its dead letter carries the SQLSTATE', () => {
    const poison = new Map([['e-6', refusedByDatabase(Object.assign(new Error('value out of range for type real'), { code: '22003' }))]]);
    const d = decodeMessage(route, topic, 0, message(prediction('churn'), { id: 'e-6' }), poison);
    expect(d).toMatchObject({ ok: false, reason: 'PostgreSQL refused the event (SQLSTATE 22003): value out of range for type real' });
    if (d.ok) return;
    expect(deadLetter(d.raw, { topic, group: 'g', reason: d.reason, headers: d.headers }).headers['dlq-sqlstate']).toBe('22003');
  });
});

describe('isReplay', () => {
  it('recognises a message the DLQ replay tool sent back, valid or still dead', () => {
    const replayed = decodeMessage(
      route,
      topic,
      0,
      message(prediction('churn'), { id: 'e-7', headers: { [REPLAY_HEADER]: '2026-12-05T12:00:00Z' } }),
      noPoison,
    );
    const stillDead = decodeMessage(route, topic, 0, message(null, { id: 'e-8', headers: { [REPLAY_HEADER]: '2026-12-05T12:00:00Z' } }), noPoison);
    const first = decodeMessage(route, topic, 0, message(prediction('churn'), { id: 'e-9' }), noPoison);
    expect([isReplay(replayed), isReplay(stillDead), isReplay(first)]).toEqual([true, true, false]);
    expect(inboxEntryOf(replayed).replay).toBe(true);
  });
});

describe('deadLetter', () => {
  it('keeps a key and header values that are not storable text in base64, and names them', () => {
    const badKey = Buffer.from([0xc3, 0x28]); // not UTF-8
    const m = message(Buffer.from('x'), { key: badKey, headers: { note: 'a\u0000b', plain: 'ok', 'bad\u0000name': 'dropped' } });
    const { key, headers } = deadLetter(m, { topic, group: 'g', reason: `field a\u0000b ${'x'.repeat(2000)}` });
    expect(key).toBeNull();
    expect(headers['dlq-original-key-base64']).toBe(badKey.toString('base64'));
    expect(headers.note).toBe(Buffer.from('a\u0000b').toString('base64'));
    expect(headers['dlq-base64-headers']).toBe('note');
    expect(headers.plain).toBe('ok');
    expect(Object.keys(headers)).not.toContain('bad\u0000name');
    expect(headers['dlq-reason'].startsWith('field a\\u0000b x')).toBe(true);
    expect(headers['dlq-reason']).toHaveLength(1000);
  });
});

describe('storableText', () => {
  it('refuses a NUL and bytes that are not UTF-8', () => {
    expect(storableText('plain')).toBe('plain');
    expect(storableText(Buffer.from('héllo'))).toBe('héllo');
    expect(storableText('a\u0000b')).toBeUndefined();
    expect(storableText(Buffer.from([0xc3, 0x28]))).toBeUndefined();
  });
});

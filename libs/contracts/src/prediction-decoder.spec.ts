/**
 * The specialised PredictionEvent decoder against protobuf-es's fromBinary, the independent
 * implementation it must equal: on generated events (every field, unicode, extreme numbers,
 * repeated and unpacked encodings) and on their bytes mutated at random, both give the same
 * message or both refuse the bytes.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { GroundTruthSchema, PredictionEventSchema } from './gen/labelloop/inference/v1/prediction_pb';
import { decodePredictionEvent } from './prediction-decoder';

/**
 * Node's deep strict equality (prototypes, own keys, NaN equal to NaN): jest's toStrictEqual
 * reads `.constructor`, which a map key "constructor" shadows.
 */
const expectSame = (a: unknown, b: unknown) => {
  if (!isDeepStrictEqual(a, b)) expect(a).toEqual(b); // shows the difference
  expect(isDeepStrictEqual(a, b)).toBe(true);
};

const key = fc.oneof(fc.string({ maxLength: 12 }), fc.fullUnicodeString({ maxLength: 6 }), fc.constantFrom('', 'length', '__proto__', 'constructor'));
const double = fc.oneof(fc.double(), fc.constantFrom(0, -0, 1e300, -5e-324, Number.NaN, Number.POSITIVE_INFINITY));
const timestamp = fc.option(
  fc.record({ seconds: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), nanos: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  { nil: undefined },
);
const event = fc.record({
  eventId: fc.oneof(fc.uuid(), fc.fullUnicodeString({ maxLength: 80 })),
  modelId: fc.string({ maxLength: 20 }),
  modelVersion: fc.string({ maxLength: 5 }),
  timestamp,
  inputUri: fc.oneof(fc.webUrl(), fc.fullUnicodeString({ maxLength: 100 })),
  contentHash: fc.hexaString({ maxLength: 64 }),
  numericFeatures: fc.dictionary(key, double, { maxKeys: 6 }),
  categoricalFeatures: fc.dictionary(key, fc.fullUnicodeString({ maxLength: 70 }), { maxKeys: 4 }),
  embedding: fc.array(fc.float(), { maxLength: 40 }),
  predictedLabel: fc.string({ maxLength: 10 }),
  classProbabilities: fc.dictionary(key, double, { maxKeys: 4 }),
  confidence: double,
  groundTruth: fc.option(fc.record({ label: fc.string({ maxLength: 8 }), source: fc.integer({ min: -3, max: 3 }), observedAt: timestamp }), { nil: undefined }),
  metadata: fc.dictionary(key, fc.string({ maxLength: 20 }), { maxKeys: 4 }),
});

/** The outcome of a decoder: the message, or that it refused the bytes. */
const outcome = (decode: () => unknown) => {
  try {
    return { ok: true, message: decode() };
  } catch {
    return { ok: false };
  }
};
const both = (bytes: Uint8Array) => [outcome(() => decodePredictionEvent(bytes)), outcome(() => fromBinary(PredictionEventSchema, bytes))];

describe('decodePredictionEvent equals protobuf-es fromBinary', () => {
  it('on generated events (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(event, (init) => {
        const bytes = toBinary(PredictionEventSchema, create(PredictionEventSchema, init as never));
        const [fast, reference] = both(bytes);
        expectSame(fast, reference);
        // Own-property shape too: a map key such as "constructor" is data, not the prototype's.
        if (fast.ok)
          expect(Object.keys((fast.message as { numericFeatures: object }).numericFeatures).sort()).toEqual(Object.keys(init.numericFeatures).sort());
      }),
      { seed: 20261204, numRuns: 1000 },
    );
  });

  it('on mutated encodings: flipped bits, cut or spliced bytes (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(event, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.nat(), fc.uint8Array({ maxLength: 12 }), (init, flips, cut, junk) => {
        const bytes = toBinary(PredictionEventSchema, create(PredictionEventSchema, init as never));
        if (bytes.length === 0) return;
        const flipped = Uint8Array.from(bytes);
        for (const f of flips) flipped[f % flipped.length] ^= 1 << (f % 8);
        const at = cut % bytes.length;
        for (const b of [flipped, bytes.subarray(0, at), Uint8Array.from([...bytes.subarray(0, at), ...junk, ...bytes.subarray(at)])]) {
          const [fast, reference] = both(b);
          expectSame(fast, reference);
        }
      }),
      { seed: 20261205, numRuns: 1000 },
    );
  });

  it('reads a repeated message field merged, unpacked floats, and leaves unknown fields to protobuf-es', () => {
    const w = new BinaryWriter();
    w.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(5n).join();
    w.tag(4, WireType.LengthDelimited).fork().tag(2, WireType.Varint).int32(7).join();
    w.tag(9, WireType.Bit32).float(1.5).tag(9, WireType.Bit32).float(-2);
    w.tag(13, WireType.LengthDelimited).bytes(toBinary(GroundTruthSchema, create(GroundTruthSchema, { label: 'ham', source: 2 })));
    const known = w.finish();
    expectSame(decodePredictionEvent(known), fromBinary(PredictionEventSchema, known));
    expect(decodePredictionEvent(known)).toMatchObject({
      timestamp: { seconds: 5n, nanos: 7 },
      embedding: [1.5, -2],
      groundTruth: { label: 'ham', source: 2 },
    });
    const unknown = new BinaryWriter().tag(99, WireType.Varint).int32(1).tag(1, WireType.LengthDelimited).string('e').finish();
    expectSame(decodePredictionEvent(unknown), fromBinary(PredictionEventSchema, unknown));
    expect(decodePredictionEvent(unknown).$unknown).toHaveLength(1);
  });
});

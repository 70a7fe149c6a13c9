import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { PredictionEventSchema } from './gen/labelloop/inference/v1/prediction_pb';
import { AnnotationSubmittedSchema } from './gen/labelloop/annotation/v1/annotation_pb';
import { validatePredictionEvent } from './validation';
import { STORABLE_LIMITS, unstorableField } from './storable';

const valid = () =>
  create(PredictionEventSchema, {
    eventId: 'e-1',
    modelId: 'm',
    modelVersion: '1',
    contentHash: 'sha256:ab',
    confidence: 0.8,
    numericFeatures: { age: 41, income: 1.5 },
    classProbabilities: { spam: 0.8, ham: 0.2 },
    embedding: [0.1, -0.2, 0.3],
  });

describe('validatePredictionEvent', () => {
  it('accepts a complete event, also after a round trip through the wire format', () => {
    expect(validatePredictionEvent(valid())).toBeUndefined();
    expect(validatePredictionEvent(fromBinary(PredictionEventSchema, toBinary(PredictionEventSchema, valid())))).toBeUndefined();
  });

  it.each([
    ['event_id is required', (e: ReturnType<typeof valid>) => (e.eventId = '')],
    ['model_id is required', (e: ReturnType<typeof valid>) => (e.modelId = '')],
    ['confidence must be in [0, 1], got 1.5', (e: ReturnType<typeof valid>) => (e.confidence = 1.5)],
    ['numeric_features.income is not finite', (e: ReturnType<typeof valid>) => (e.numericFeatures.income = Number.NaN)],
    ['numeric_features.age is not finite', (e: ReturnType<typeof valid>) => (e.numericFeatures.age = Number.POSITIVE_INFINITY)],
    ['class_probabilities.ham must be in [0, 1]', (e: ReturnType<typeof valid>) => (e.classProbabilities.ham = -0.1)],
    ['embedding has a non-finite value', (e: ReturnType<typeof valid>) => (e.embedding[2] = Number.NaN)],
  ])('names the field: %s', (reason, spoil) => {
    const e = valid();
    spoil(e);
    expect(validatePredictionEvent(e)).toBe(reason);
  });

  it('reads a feature named __proto__ as the feature, not as the prototype', () => {
    const e = fromBinary(PredictionEventSchema, toBinary(PredictionEventSchema, valid()));
    Object.defineProperty(e.numericFeatures, '__proto__', { value: Number.NaN, enumerable: true });
    expect(validatePredictionEvent(e)).toBe('numeric_features.__proto__ is not finite');
  });
});

describe('validatePredictionEvent refuses what no stage can store', () => {
  type E = ReturnType<typeof valid>;
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
  it.each([
    [
      'a NUL in a categorical feature',
      (e: E) => (e.categoricalFeatures = { country: 'd\u0000e' }),
      'categorical_features.country contains a NUL character (U+0000)',
    ],
    [
      'a NUL in a feature name',
      (e: E) => (e.categoricalFeatures = { 'c\u0000': 'de' }),
      'categorical_features key "c\\u0000" contains a NUL character (U+0000)',
    ],
    ['a NUL in the predicted label', (e: E) => (e.predictedLabel = 'spam\u0000'), 'predicted_label contains a NUL character (U+0000)'],
    ['a NUL in metadata', (e: E) => (e.metadata = { tenant: '\u0000' }), 'metadata.tenant contains a NUL character (U+0000)'],
    [
      'a NUL in the ground truth',
      (e: E) => (e.groundTruth = { $typeName: 'labelloop.inference.v1.GroundTruth', label: 'h\u0000', source: 1 }),
      'ground_truth.label contains a NUL character (U+0000)',
    ],
    [
      'a timestamp of 1e13 seconds',
      (e: E) => (e.timestamp = { $typeName: 'google.protobuf.Timestamp', seconds: 10_000_000_000_000n, nanos: 0 }),
      'timestamp is out of range (10000000000000 s; allowed 1970-01-01 to 9999-12-31)',
    ],
    [
      'a negative timestamp',
      (e: E) => (e.timestamp = { $typeName: 'google.protobuf.Timestamp', seconds: -1n, nanos: 0 }),
      'timestamp is out of range (-1 s; allowed 1970-01-01 to 9999-12-31)',
    ],
    ['100,000 features', (e: E) => (e.numericFeatures = many(100_000)), 'numeric_features has more than 10000 entries'],
    ['an embedding of 20,000 values', (e: E) => (e.embedding = new Array(20_000).fill(0.5)), 'embedding has more than 16384 elements (20000)'],
    ['an event id of 300 characters', (e: E) => (e.eventId = 'x'.repeat(300)), 'event_id is longer than 256 characters (300)'],
  ])('%s', (_, spoil, reason) => {
    const e = valid();
    spoil(e);
    // Also after the wire format: what a consumer decodes is refused the same way.
    expect(validatePredictionEvent(e)).toBe(reason);
    expect(validatePredictionEvent(fromBinary(PredictionEventSchema, toBinary(PredictionEventSchema, e)))).toBe(reason);
  });

  it('accepts the limits themselves', () => {
    const e = valid();
    e.numericFeatures = many(STORABLE_LIMITS.maxMapEntries);
    e.embedding = new Array(STORABLE_LIMITS.maxListLength).fill(0.5);
    e.eventId = 'x'.repeat(STORABLE_LIMITS.maxIdLength);
    e.timestamp = { $typeName: 'google.protobuf.Timestamp', seconds: STORABLE_LIMITS.maxTimestampSeconds, nanos: 999_999_999 };
    expect(validatePredictionEvent(e)).toBeUndefined();
  });
});

describe('unstorableField', () => {
  it('checks every contract by its descriptor: a NUL in a nested span label of a submission', () => {
    const s = create(AnnotationSubmittedSchema, {
      submissionId: 's',
      label: {
        value: {
          case: 'spans',
          value: {
            spans: [
              { start: 0, end: 3, label: 'PER' },
              { start: 4, end: 6, label: 'L\u0000C' },
            ],
          },
        },
      },
    });
    expect(unstorableField(AnnotationSubmittedSchema, s)).toBe('label.spans.spans[1].label contains a NUL character (U+0000)');
    s.label = undefined;
    expect(unstorableField(AnnotationSubmittedSchema, s)).toBeUndefined();
  });
});

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { PredictionEventSchema } from './gen/labelloop/inference/v1/prediction_pb';
import { validatePredictionEvent } from './validation';

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

import { decodeIngestJson, fieldOfProblem } from './ingest-json';

const field = (body: string) => {
  try {
    decodeIngestJson(body);
    return undefined;
  } catch (e) {
    return (e as { field: string }).field;
  }
};

describe('decodeIngestJson', () => {
  it('reads protobuf-JSON predictions, camelCase or snake_case', () => {
    const [a, b] = decodeIngestJson(
      JSON.stringify({
        predictions: [
          { eventId: 'e1', modelId: 'm', numericFeatures: { x: 1.5 }, timestamp: '2026-12-04T10:00:00Z', groundTruth: { label: 'spam', source: 'SOURCE_USER_OVERRIDE' } },
          { event_id: 'e2', model_id: 'm', embedding: [0.5, 'NaN'] },
        ],
      }),
    );
    expect(a).toMatchObject({ eventId: 'e1', modelId: 'm', numericFeatures: { x: 1.5 }, groundTruth: { label: 'spam', source: 1 } });
    expect(Number(a.timestamp?.seconds)).toBe(Date.parse('2026-12-04T10:00:00Z') / 1000);
    expect(b.eventId).toBe('e2');
    expect(b.embedding[1]).toBeNaN(); // refused later, by validatePredictionEvent
  });

  it('names the field at fault', () => {
    expect(field('{')).toBe('body');
    expect(field('[]')).toBe('body');
    expect(field('{"events": []}')).toBe('events');
    expect(field('{"predictions": {}}')).toBe('predictions');
    expect(field('{"predictions": [{"eventId": "a"}, {"confidence": "high"}]}')).toBe('predictions[1].confidence');
    expect(field('{"predictions": [{"numericFeatures": {"x": "1a"}}]}')).toBe('predictions[0].numeric_features');
    expect(field('{"predictions": [{"modelID": "m"}]}')).toBe('predictions[0].modelID');
    expect(field('{"predictions": [{"timestamp": "yesterday"}]}')).toBe('predictions[0]');
  });
});

describe('fieldOfProblem', () => {
  it('takes the field a validation problem starts with', () => {
    expect(fieldOfProblem('predictions[2]', 'confidence must be in [0, 1], got 2')).toMatchObject({ field: 'predictions[2].confidence', problem: 'must be in [0, 1], got 2' });
    expect(fieldOfProblem('predictions[0]', 'numeric_features.len is not finite').field).toBe('predictions[0].numeric_features.len');
    expect(fieldOfProblem('predictions[0]', 'Something else').field).toBe('predictions[0]');
  });
});

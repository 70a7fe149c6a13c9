import { validatePredictionEvent } from '@labelloop/contracts';
import { invalidArgument } from '@labelloop/rpc';
import { decodeIngestJson, itemProblem } from './ingest-json';

const refusal = (body: string) => {
  try {
    decodeIngestJson(body);
    return undefined;
  } catch (e) {
    return e as { field: string; message: string };
  }
};
const field = (body: string) => refusal(body)?.field;

describe('decodeIngestJson', () => {
  it('reads protobuf-JSON predictions, camelCase or snake_case', () => {
    const [a, b] = decodeIngestJson(
      JSON.stringify({
        predictions: [
          {
            eventId: 'e1',
            modelId: 'm',
            numericFeatures: { x: 1.5 },
            timestamp: '2026-12-04T10:00:00Z',
            groundTruth: { label: 'spam', source: 'SOURCE_USER_OVERRIDE' },
          },
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
    // A bad prediction is named by its index, the problem starting with its field, as other services say it.
    expect(refusal('{"predictions": [{"eventId": "a"}, {"confidence": "high"}]}')).toMatchObject({
      field: 'predictions[1]',
      message: expect.stringMatching(/^predictions\[1\]: confidence /),
    });
    expect(refusal('{"predictions": [{"numericFeatures": {"x": "1a"}}]}')?.message).toMatch(/^predictions\[0\]: numeric_features /);
    expect(refusal('{"predictions": [{"modelID": "m"}]}')?.message).toBe('predictions[0]: modelID is not a field of PredictionEvent');
    expect(field('{"predictions": [{"timestamp": "yesterday"}]}')).toBe('predictions[0]');
  });
});

describe('itemProblem', () => {
  it("words a refused prediction as drift-detection's IngestService did: `predictions[i]: <field> <problem>`", () => {
    const problem = validatePredictionEvent({ eventId: 'e', modelId: 'm', modelVersion: '1', contentHash: 'h', confidence: 2 } as never) ?? '';
    const e = itemProblem('predictions[2]', problem);
    expect(e.message).toBe('predictions[2]: confidence must be in [0, 1], got 2');
    expect(e.message).toBe(invalidArgument('predictions[2]', problem).message);
    expect(e.field).toBe('predictions[2]');
  });
});

import { create } from '@bufbuild/protobuf';
import { PredictionEventSchema, Trigger } from '@labelloop/contracts';
import { auditDraw, itemIdOf, select } from './select';

const ev = (eventId: string, confidence: number) =>
  create(PredictionEventSchema, { eventId, modelId: 'm', modelVersion: '1', contentHash: `h-${eventId}`, confidence });

describe('select', () => {
  const policy = { confidenceThreshold: 0.6, auditRate: 0 };

  it('selects low-confidence predictions with least-confidence score', () => {
    const s = select(ev('a', 0.3), policy);
    expect(s).toMatchObject({ trigger: Trigger.LOW_CONFIDENCE, strategy: 'least_confidence', audit: false });
    expect(s!.score).toBeCloseTo(0.7, 12);
  });

  it('leaves confident predictions alone', () => {
    expect(select(ev('b', 0.95), policy)).toBeUndefined();
  });

  it('draws the audit sample from the event id only, at the configured rate', () => {
    const n = 20000;
    let audited = 0;
    for (let i = 0; i < n; i++) if (select(ev(`e${i}`, 0.99), { confidenceThreshold: 0.6, auditRate: 0.05 })?.audit) audited++;
    // Binomial(20000, 0.05): sd ≈ 30.8; ±5 sd.
    expect(Math.abs(audited - 1000)).toBeLessThan(155);
    expect(auditDraw('x')).toBe(auditDraw('x'));
  });

  it('gives one item id per content', () => {
    expect(itemIdOf('sha256:abc')).toBe(itemIdOf('sha256:abc'));
    expect(itemIdOf('sha256:abc')).not.toBe(itemIdOf('sha256:abd'));
  });
});

import { create } from '@bufbuild/protobuf';
import { GroundTruth_Source, PredictionEventSchema, SamplingPolicySchema, Trigger } from '@labelloop/contracts';
import { resolvePolicy } from './policy';
import { emptySignals, fireTriggers, WARMUP } from './triggers';

const defaults = { projectId: 'p', confidenceThreshold: 0.6, auditRate: 0, microBatchSize: 50, strategy: 'least_confidence' as const };
const ev = (i: number, over: Record<string, unknown> = {}) =>
  create(PredictionEventSchema, {
    eventId: `e${i}`,
    modelId: 'm',
    modelVersion: '1',
    contentHash: `h${i}`,
    predictedLabel: i % 3 ? 'ham' : 'spam',
    confidence: 0.9,
    categoricalFeatures: { region: i % 2 ? 'eu' : 'us' },
    ...over,
  });

describe('triggers', () => {
  const policy = resolvePolicy(undefined, defaults);

  it('fires low confidence below the threshold and low margin when enabled', () => {
    const s = emptySignals();
    expect(fireTriggers(ev(1, { confidence: 0.4 }), policy, s)).toEqual([Trigger.LOW_CONFIDENCE]);
    const withMargin = resolvePolicy(create(SamplingPolicySchema, { lowMarginEnabled: true, marginThreshold: 0.2 }), defaults);
    expect(fireTriggers(ev(2, { classProbabilities: { ham: 0.55, spam: 0.45 } }), withMargin, s)).toEqual([Trigger.LOW_MARGIN]);
  });

  it('flags a new predicted class and a new category after warm-up, once', () => {
    const s = emptySignals();
    for (let i = 0; i < WARMUP; i++) fireTriggers(ev(i), policy, s);
    expect(fireTriggers(ev(1000, { predictedLabel: 'phishing' }), policy, s)).toEqual([Trigger.NEW_CLASS]);
    expect(fireTriggers(ev(1001, { predictedLabel: 'phishing' }), policy, s)).toEqual([]);
    expect(fireTriggers(ev(1002, { categoricalFeatures: { region: 'mars' } }), policy, s)).toEqual([Trigger.NEW_CLASS]);
  });

  it('flags disagreement with delayed ground truth as a performance signal', () => {
    const s = emptySignals();
    const gt = { label: 'spam', source: GroundTruth_Source.USER_OVERRIDE };
    expect(fireTriggers(ev(1, { predictedLabel: 'ham', groundTruth: gt }), policy, s)).toEqual([Trigger.PERFORMANCE_DECLINE]);
    expect(fireTriggers(ev(2, { predictedLabel: 'spam', groundTruth: gt }), policy, s)).toEqual([]);
  });

  it('detects an edge-case spike: the low-confidence rate well above its own baseline', () => {
    const s = emptySignals();
    for (let i = 0; i < 3000; i++) fireTriggers(ev(i, { confidence: i % 50 === 0 ? 0.4 : 0.9 }), policy, s); // 2% baseline
    const during = Array.from({ length: 300 }, (_, i) => fireTriggers(ev(5000 + i, { confidence: i % 3 === 0 ? 0.4 : 0.9 }), policy, s)); // 33%
    expect(during.slice(-100).some((t) => t.includes(Trigger.EDGE_CASE_SPIKE))).toBe(true);
    expect(during.slice(0, 5).some((t) => t.includes(Trigger.EDGE_CASE_SPIKE))).toBe(false);
  });

  it('refuses an invalid policy naming the field', () => {
    expect(() => resolvePolicy(create(SamplingPolicySchema, { strategy: 'psychic' }), defaults)).toThrow(/^strategy: must be one of/);
    expect(() => resolvePolicy(create(SamplingPolicySchema, { auditRate: 2 }), defaults)).toThrow(/^audit_rate/);
  });
});

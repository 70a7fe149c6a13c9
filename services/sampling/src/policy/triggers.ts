import { DriftDetected, GroundTruth_Source, PredictionEvent, Trigger } from '@labelloop/contracts';
import type { ResolvedPolicy } from './policy';

/** What the sampler remembers about a model between batches (bounded). */
export interface ModelSignals {
  /** Predicted classes seen so far (at most MAX_KNOWN). */
  classes: string[];
  /** Categories seen per categorical feature (at most MAX_KNOWN each). */
  categories: Record<string, string[]>;
  /** Events seen; the low-confidence rate's long (baseline) and short EWMAs. */
  seen: number;
  lowRateLong: number;
  lowRateShort: number;
}

const MAX_KNOWN = 1000;
/** Events before new-class / spike triggers trust what they learned. */
export const WARMUP = 200;
const LONG_ALPHA = 1 / 2000;
const SHORT_ALPHA = 1 / 100;

/** A fresh signal state. */
export function emptySignals(): ModelSignals {
  return { classes: [], categories: {}, seen: 0, lowRateLong: 0, lowRateShort: 0 };
}

/** Margin between the top two class probabilities (1 when there is one class). */
export function topMargin(probs: Record<string, number>): number {
  const v = Object.values(probs).sort((a, b) => b - a);
  return v.length < 2 ? 1 : v[0] - v[1];
}

/**
 * The model-dependent triggers an event fires, strongest reason first, updating the model's
 * signals. (The random audit is decided separately, from the event id alone.)
 */
export function fireTriggers(e: PredictionEvent, policy: ResolvedPolicy, s: ModelSignals): Trigger[] {
  const out: Trigger[] = [];
  const warm = s.seen >= WARMUP;
  if (policy.newClass.enabled) {
    const newClass = warm && e.predictedLabel !== '' && !s.classes.includes(e.predictedLabel);
    const newCategory = warm && Object.entries(e.categoricalFeatures).some(([f, v]) => !(s.categories[f] ?? []).includes(v));
    if (newClass || newCategory) out.push(Trigger.NEW_CLASS);
  }
  if (policy.performance.enabled && e.groundTruth && e.groundTruth.source !== GroundTruth_Source.UNSPECIFIED && e.groundTruth.label !== e.predictedLabel) {
    out.push(Trigger.PERFORMANCE_DECLINE);
  }
  const low = e.confidence < policy.lowConfidence.threshold;
  if (policy.edgeSpike.enabled && low && warm && s.lowRateShort > policy.edgeSpike.factor * Math.max(s.lowRateLong, 0.005)) {
    out.push(Trigger.EDGE_CASE_SPIKE);
  }
  if (policy.lowConfidence.enabled && low) out.push(Trigger.LOW_CONFIDENCE);
  if (policy.lowMargin.enabled && Object.keys(e.classProbabilities).length >= 2 && topMargin(e.classProbabilities) < policy.lowMargin.threshold) {
    out.push(Trigger.LOW_MARGIN);
  }
  // Learn after deciding, so the first sighting of a class is the one that triggers.
  if (e.predictedLabel && !s.classes.includes(e.predictedLabel) && s.classes.length < MAX_KNOWN) s.classes.push(e.predictedLabel);
  for (const [f, v] of Object.entries(e.categoricalFeatures)) {
    const known = (s.categories[f] ??= []);
    if (!known.includes(v) && known.length < MAX_KNOWN) known.push(v);
  }
  // EWMAs that start as running means (alpha = max(alpha, 1/n)), so the first events do not
  // dominate the baseline.
  const x = low ? 1 : 0;
  const n = s.seen + 1;
  s.lowRateLong += Math.max(LONG_ALPHA, 1 / n) * (x - s.lowRateLong);
  s.lowRateShort += Math.max(SHORT_ALPHA, 1 / n) * (x - s.lowRateShort);
  s.seen++;
  return out;
}

/**
 * Whether a drift alert spends drift labels under the policy. With `needsAccuracyDrop`, an alert
 * whose CBPE test (`estimated_accuracy`, drift detection's label-free accuracy estimate) passed
 * is a covariate shift the model copes with: it spends nothing. An alert without an estimate
 * (no calibration yet, no class probabilities) spends as any alert.
 */
export function alertSpends(policy: Pick<ResolvedPolicy, 'drift'>, alert: Pick<DriftDetected, 'features'>): boolean {
  if (!policy.drift.enabled) return false;
  if (!policy.drift.needsAccuracyDrop) return true;
  const estimate = alert.features.find((f) => f.feature === 'estimated_accuracy');
  return estimate === undefined || estimate.drifted;
}

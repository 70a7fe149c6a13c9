import { bonferroni, chiSquareHomogeneity, ksTwoSample } from '@labelloop/drift-stats';

/** What a window is compared on. */
export interface Sample {
  confidences: number[];
  labelCounts: Record<string, number>;
}

/** One test's outcome. */
export interface TestOutcome {
  feature: string;
  method: string;
  statistic: number;
  pValue: number;
  drifted: boolean;
}

/**
 * Compares a window with the reference on the model's outputs: the confidence distribution
 * (two-sample KS) and the predicted-label distribution (chi-square homogeneity), with a
 * Bonferroni correction so that testing two things does not double the false-alarm rate.
 */
export function testWindow(reference: Sample, window: Sample, alpha: number): TestOutcome[] {
  const ks = ksTwoSample(reference.confidences, window.confidences);
  const labels = new Set([...Object.keys(reference.labelCounts), ...Object.keys(window.labelCounts)]);
  const chi = labels.size >= 2 ? chiSquareHomogeneity(reference.labelCounts, window.labelCounts) : { statistic: 0, pValue: 1 };
  const p = [ks.pValue, chi.pValue];
  const { rejected } = bonferroni(p, alpha);
  return [
    { feature: 'confidence', method: 'ks', statistic: ks.statistic, pValue: ks.pValue, drifted: rejected[0] },
    { feature: 'predicted_label', method: 'chi2', statistic: chi.statistic, pValue: chi.pValue, drifted: rejected[1] },
  ];
}

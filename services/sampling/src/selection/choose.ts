import { classBalancedSelect, hybrid, kCenterGreedy, randomSample, selectTopK, uncertainty, type UncertaintyMeasure } from '@labelloop/active-learning';
import type { Strategy } from '../policy/policy';

/** A candidate item for annotation. */
export interface Candidate {
  probs: Record<string, number>;
  embedding?: number[];
}

const MEASURE: Partial<Record<Strategy, UncertaintyMeasure>> = { least_confidence: 'leastConfidence', margin: 'margin', entropy: 'entropy' };

/** Probabilities of a prediction; with only a confidence, the rest of the mass is "other". */
export function probsOf(predicted: string, confidence: number, probs: Record<string, number>): Record<string, number> {
  return Object.keys(probs).length >= 2 ? probs : { [predicted || 'predicted']: confidence, __other__: 1 - confidence };
}

/** The score a strategy ranks by (recorded on the request). */
export function scoreOf(strategy: Strategy, c: Candidate): number {
  return uncertainty(MEASURE[strategy] ?? 'entropy', c.probs);
}

/** Every candidate has an embedding of `dim` > 0 numbers. */
function sameDimension<T extends Candidate>(candidates: readonly T[], dim: number): candidates is readonly (T & { embedding: number[] })[] {
  return dim > 0 && candidates.every((c) => c.embedding?.length === dim);
}

/**
 * Picks up to `k` candidates of a micro-batch with the policy's strategy. Diversity
 * strategies use embeddings (and stay away from `recent`, the embeddings of recent requests);
 * without embeddings they fall back to entropy.
 */
export function choose<T extends Candidate>(strategy: Strategy, candidates: readonly T[], k: number, opts: { seed: number; recent: number[][] }): T[] {
  if (candidates.length === 0 || k <= 0) return [];
  const dim = candidates[0].embedding?.length ?? 0;
  const withEmb = sameDimension(candidates, dim);
  const recent = withEmb ? opts.recent.filter((r) => r.length === dim) : [];
  switch (strategy) {
    case 'random':
      return randomSample(candidates, k, opts.seed);
    case 'class_balance':
      return classBalancedSelect(candidates, k);
    case 'k_center':
      if (withEmb)
        return kCenterGreedy(
          candidates.map((c) => c.embedding),
          k,
          { centers: recent },
        ).map((i) => candidates[i]);
      break;
    case 'hybrid':
      if (withEmb) return hybrid(candidates, k, { centers: recent });
      break;
    default:
      return selectTopK(candidates, k, (c) => scoreOf(strategy, c));
  }
  return selectTopK(candidates, k, (c) => uncertainty('entropy', c.probs));
}

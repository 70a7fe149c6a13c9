/**
 * Uncertainty scores of a predicted class-probability map (higher = more uncertain).
 */

/** Class probabilities of one prediction, e.g. `{ spam: 0.8, ham: 0.2 }`. */
export type ClassProbabilities = Readonly<Record<string, number>>;

/** The uncertainty measures understood by {@link uncertainty}. */
export type UncertaintyMeasure = 'leastConfidence' | 'margin' | 'entropy';

/** Names of the {@link UncertaintyMeasure}s. */
export const UNCERTAINTY_MEASURES: readonly UncertaintyMeasure[] = ['leastConfidence', 'margin', 'entropy'];

function values(probs: ClassProbabilities, fn: string): number[] {
  const v = Object.values(probs);
  if (v.length === 0) throw new RangeError(`${fn}: empty probability map`);
  for (const p of v) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${fn}: probabilities must be in [0, 1], got ${p}`);
  }
  return v;
}

/** The two largest values of a non-empty array (second is 0 for a single value). */
function top2(v: readonly number[]): [number, number] {
  let a = -Infinity;
  let b = 0;
  for (const x of v) {
    if (x > a) {
      b = a === -Infinity ? 0 : a;
      a = x;
    } else if (x > b) {
      b = x;
    }
  }
  return [a, b];
}

/**
 * Least-confidence uncertainty: 1 − max_c p(c). 0 for a certain prediction, 1 − 1/K for a uniform one.
 * @param probs - class probabilities (each in [0, 1]; not renormalised).
 */
export function leastConfidence(probs: ClassProbabilities): number {
  return 1 - top2(values(probs, 'leastConfidence'))[0];
}

/**
 * Margin uncertainty: 1 − (p₁ − p₂), where p₁ ≥ p₂ are the two largest probabilities
 * (p₂ = 0 with a single class). 0 for a certain prediction, 1 for a tie between the top two classes.
 * @param probs - class probabilities.
 */
export function margin(probs: ClassProbabilities): number {
  const [p1, p2] = top2(values(probs, 'margin'));
  return 1 - (p1 - p2);
}

/** Options for {@link entropy}. */
export interface EntropyOptions {
  /** Divide by ln K so the result is in [0, 1] (default true). */
  normalize?: boolean;
  /**
   * K used for the normalisation (default: the number of entries in the map). Pass the model's class
   * count when maps may omit zero-probability classes.
   */
  numClasses?: number;
}

/**
 * Shannon entropy −Σ p ln p (natural log; 0 ln 0 = 0), by default divided by ln K so a uniform
 * distribution over K classes scores 1. With K = 1 the normalised entropy is 0.
 * @param probs - class probabilities.
 * @param options - normalisation, see {@link EntropyOptions}.
 */
export function entropy(probs: ClassProbabilities, options: EntropyOptions = {}): number {
  const v = values(probs, 'entropy');
  let h = 0;
  for (const p of v) if (p > 0) h -= p * Math.log(p);
  if (options.normalize === false) return h;
  const K = options.numClasses ?? v.length;
  if (!(Number.isInteger(K) && K >= v.length)) throw new RangeError(`entropy: numClasses must be an integer >= the number of entries (${v.length}), got ${K}`);
  return K <= 1 ? 0 : h / Math.log(K);
}

/**
 * Score with a named uncertainty measure (entropy normalised by ln K).
 * @param measure - which measure.
 * @param probs - class probabilities.
 */
export function uncertainty(measure: UncertaintyMeasure, probs: ClassProbabilities): number {
  switch (measure) {
    case 'leastConfidence':
      return leastConfidence(probs);
    case 'margin':
      return margin(probs);
    case 'entropy':
      return entropy(probs);
    default:
      throw new RangeError(`uncertainty: unknown measure ${JSON.stringify(measure as string)}`);
  }
}

/**
 * The most probable class (ties: the key that sorts first by code unit, so the result does not
 * depend on key insertion order).
 * @param probs - class probabilities (non-empty).
 */
export function argmaxClass(probs: ClassProbabilities): string {
  let best: string | undefined;
  let bp = -Infinity;
  for (const [c, p] of Object.entries(probs)) {
    if (p > bp || (p === bp && best !== undefined && c < best)) {
      best = c;
      bp = p;
    }
  }
  if (best === undefined) throw new RangeError('argmaxClass: empty probability map');
  return best;
}

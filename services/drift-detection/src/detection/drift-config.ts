import { create } from '@bufbuild/protobuf';
import {
  Correction,
  CategoricalMethod,
  DriftConfig,
  DriftConfigSchema,
  EmbeddingMethod,
  NumericMethod,
  PromotionReference,
  WindowKind,
} from '@labelloop/contracts';

/** Largest reference or window (events) a detector keeps: the memory bound per model. */
export const MAX_EVENTS = 5000;
/** Smallest reference (events or dataset items) the tests are run against. */
export const MIN_REFERENCE = 20;
/** Largest embedding sample (events) used by the embedding test. */
export const MAX_EMBEDDING_SAMPLE = 300;

/** A model's detector configuration with every default filled in. */
export interface ResolvedConfig {
  referenceSize: number;
  windowKind: 'count' | 'time';
  windowSize: number;
  windowSlide: number;
  windowSeconds: number;
  slideSeconds: number;
  alpha: number;
  correction: 'bonferroni' | 'bh';
  numericMethod: 'ks' | 'psi' | 'wasserstein' | 'jensen_shannon';
  categoricalMethod: 'chi2' | 'psi';
  embeddingMethod: 'per_dim_ks' | 'mmd' | 'off';
  psiThreshold: number;
  distanceThreshold: number;
  driftShare: number;
  resolveAfter: number;
  /** Estimated accuracy this far below the calibration's fails the window's cbpe_drop test. */
  accuracyDropThreshold: number;
  /** What a promoted model's reference is: its training split's inputs, or its first events. */
  promotionReference: 'training_data' | 'first_events';
}

/** A configuration problem, naming the field. */
export class DriftConfigError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Service-wide defaults (from the environment). */
export interface DriftDefaults {
  referenceSize: number;
  windowSize: number;
  alpha: number;
  resolveAfter: number;
}

const NUMERIC: Record<number, ResolvedConfig['numericMethod']> = {
  [NumericMethod.KS]: 'ks',
  [NumericMethod.PSI]: 'psi',
  [NumericMethod.WASSERSTEIN]: 'wasserstein',
  [NumericMethod.JENSEN_SHANNON]: 'jensen_shannon',
};
const CATEGORICAL: Record<number, ResolvedConfig['categoricalMethod']> = { [CategoricalMethod.CHI2]: 'chi2', [CategoricalMethod.PSI]: 'psi' };
const EMBEDDING: Record<number, ResolvedConfig['embeddingMethod']> = {
  [EmbeddingMethod.PER_DIM_KS]: 'per_dim_ks',
  [EmbeddingMethod.MMD]: 'mmd',
  [EmbeddingMethod.OFF]: 'off',
};

function inRange(field: string, v: number, lo: number, hi: number): number {
  if (!(v >= lo && v <= hi)) throw new DriftConfigError(field, `must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

/**
 * Fills defaults and validates. Thresholds users know: PSI 0.2 (significant shift),
 * normalised Wasserstein and Jensen–Shannon 0.1, alpha 0.05 for p-value tests.
 */
export function resolveConfig(c: DriftConfig | undefined, d: DriftDefaults): ResolvedConfig {
  const cfg = c ?? create(DriftConfigSchema, {});
  const windowKind = cfg.windowKind === WindowKind.TIME ? 'time' : 'count';
  const windowSize = inRange('window_size', cfg.windowSize || d.windowSize, 20, MAX_EVENTS);
  const resolved: ResolvedConfig = {
    referenceSize: inRange('reference_size', cfg.referenceSize || d.referenceSize, MIN_REFERENCE, MAX_EVENTS),
    windowKind,
    windowSize,
    windowSlide: inRange('window_slide', cfg.windowSlide || windowSize, 1, windowSize),
    windowSeconds: cfg.windowSeconds || 3600,
    slideSeconds: cfg.slideSeconds || cfg.windowSeconds || 3600,
    alpha: inRange('alpha', cfg.alpha || d.alpha, 1e-9, 0.5),
    correction: cfg.correction === Correction.BENJAMINI_HOCHBERG ? 'bh' : 'bonferroni',
    numericMethod: NUMERIC[cfg.numericMethod] ?? 'ks',
    categoricalMethod: CATEGORICAL[cfg.categoricalMethod] ?? 'chi2',
    embeddingMethod: EMBEDDING[cfg.embeddingMethod] ?? 'per_dim_ks',
    psiThreshold: inRange('psi_threshold', cfg.psiThreshold || 0.2, 1e-6, 10),
    distanceThreshold: inRange('distance_threshold', cfg.distanceThreshold || 0.1, 1e-6, 10),
    driftShare: inRange('drift_share', cfg.driftShare, 0, 1),
    resolveAfter: inRange('resolve_after', cfg.resolveAfter || d.resolveAfter, 1, 1000),
    accuracyDropThreshold: inRange('accuracy_drop_threshold', cfg.accuracyDropThreshold || 0.05, 1e-6, 1),
    promotionReference: cfg.promotionReference === PromotionReference.TRAINING_DATA ? 'training_data' : 'first_events',
  };
  if (windowKind === 'time') {
    inRange('window_seconds', resolved.windowSeconds, 1, 30 * 86400);
    inRange('slide_seconds', resolved.slideSeconds, 1, resolved.windowSeconds);
  }
  return resolved;
}

/** The resolved configuration as the protobuf message returned by the API. */
export function configToProto(modelId: string, r: ResolvedConfig): DriftConfig {
  const invert = <T>(m: Record<number, T>, v: T) => {
    const hit = Object.entries(m).find(([, x]) => x === v);
    if (!hit) throw new Error(`no protobuf enum value maps to ${String(v)}`);
    return Number(hit[0]);
  };
  return create(DriftConfigSchema, {
    modelId,
    referenceSize: r.referenceSize,
    windowKind: r.windowKind === 'time' ? WindowKind.TIME : WindowKind.COUNT,
    windowSize: r.windowSize,
    windowSlide: r.windowSlide,
    windowSeconds: r.windowSeconds,
    slideSeconds: r.slideSeconds,
    alpha: r.alpha,
    correction: r.correction === 'bh' ? Correction.BENJAMINI_HOCHBERG : Correction.BONFERRONI,
    numericMethod: invert(NUMERIC, r.numericMethod),
    categoricalMethod: invert(CATEGORICAL, r.categoricalMethod),
    embeddingMethod: invert(EMBEDDING, r.embeddingMethod),
    psiThreshold: r.psiThreshold,
    distanceThreshold: r.distanceThreshold,
    driftShare: r.driftShare,
    resolveAfter: r.resolveAfter,
    accuracyDropThreshold: r.accuracyDropThreshold,
    promotionReference: r.promotionReference === 'first_events' ? PromotionReference.FIRST_EVENTS : PromotionReference.TRAINING_DATA,
  });
}

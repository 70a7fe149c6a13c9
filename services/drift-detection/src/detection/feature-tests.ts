import {
  benjaminiHochberg,
  bonferroni,
  chiSquareHomogeneity,
  jensenShannonDistanceSamples,
  ksTwoSample,
  mmdPermutationTest,
  normalizedWassersteinDistance,
  psi,
  psiCategorical,
  unseenCategories,
} from '@labelloop/drift-stats';
import type { WindowAccuracy } from './accuracy';
import type { ResolvedConfig } from './drift-config';
import type { Columns } from './snapshot';

/** One test on one feature. */
export interface TestOutcome {
  feature: string;
  method: string;
  statistic: number;
  /** For p-value tests (before correction); undefined for distance/threshold checks. */
  pValue?: number;
  threshold: number;
  drifted: boolean;
}

/**
 * A test that could not give an answer on a window (it threw, or gave NaN): left out of the
 * verdict and reported, so one bad statistic neither stalls the partition nor decides drift.
 */
export interface TestError {
  feature: string;
  method: string;
  error: string;
}

/** A window's verdict. */
export interface WindowResult {
  tests: TestOutcome[];
  errors: TestError[];
  driftedShare: number;
  /** Dataset-level drift: see ResolvedConfig.driftShare. */
  drifted: boolean;
}

const MIN_SAMPLE = 20;

/** One-sided p-value that the window's rate of `hits` is higher than the reference's (2x2 chi-square). */
function rateIncrease(ref: [number, number], win: [number, number]): { statistic: number; pValue: number } | undefined {
  if (ref[1] < MIN_SAMPLE || win[1] < MIN_SAMPLE) return undefined;
  const a = { hit: ref[0], miss: ref[1] - ref[0] };
  const b = { hit: win[0], miss: win[1] - win[0] };
  if (a.hit + b.hit === 0 || a.miss + b.miss === 0) return { statistic: 0, pValue: 1 };
  const chi = chiSquareHomogeneity(a, b);
  const up = win[0] / win[1] > ref[0] / ref[1];
  return { statistic: chi.statistic, pValue: up ? chi.pValue / 2 : 1 - chi.pValue / 2 };
}

/**
 * Runs every configured test of a window against the reference. p-value tests are corrected
 * together (Bonferroni or Benjamini–Hochberg) so testing many features does not flood false
 * alarms; distance checks compare with their thresholds; unseen categories and new predicted
 * classes are flagged outright.
 */
export function testWindow(ref: Columns, win: Columns, cfg: ResolvedConfig, accuracy?: WindowAccuracy): WindowResult {
  const tests: TestOutcome[] = [];
  const errors: TestError[] = [];
  const guarded = (feature: string, method: string, run: () => TestOutcome | undefined) => {
    try {
      const t = run();
      if (!t) return;
      if (Number.isNaN(t.statistic) || (t.pValue !== undefined && !(t.pValue >= 0 && t.pValue <= 1))) {
        throw new Error(`gave statistic ${t.statistic}, p-value ${t.pValue}`);
      }
      tests.push(t);
    } catch (e) {
      errors.push({ feature, method, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const addP = (feature: string, method: string, run: () => { statistic: number; pValue: number } | undefined) =>
    guarded(feature, method, () => {
      const r = run();
      return r && { feature, method, statistic: r.statistic, pValue: r.pValue, threshold: cfg.alpha, drifted: false };
    });
  const addThreshold = (feature: string, method: string, run: () => number, threshold: number) =>
    guarded(feature, method, () => {
      const statistic = run();
      return { feature, method, statistic, threshold, drifted: statistic > threshold };
    });

  for (const [f, refVals] of Object.entries(ref.num)) {
    const cur = win.num[f];
    if (!cur || cur.length < MIN_SAMPLE || refVals.length < MIN_SAMPLE) continue;
    switch (cfg.numericMethod) {
      case 'ks':
        addP(`num.${f}`, 'ks', () => ksTwoSample(refVals, cur));
        break;
      case 'psi':
        addThreshold(`num.${f}`, 'psi', () => psi(refVals, cur), cfg.psiThreshold);
        break;
      case 'wasserstein':
        addThreshold(`num.${f}`, 'wasserstein_normed', () => normalizedWassersteinDistance(refVals, cur), cfg.distanceThreshold);
        break;
      case 'jensen_shannon':
        addThreshold(`num.${f}`, 'jensen_shannon', () => jensenShannonDistanceSamples(refVals, cur), cfg.distanceThreshold);
        break;
    }
  }
  for (const [f, refCounts] of Object.entries(ref.cat)) {
    const cur = win.cat[f];
    if (!cur) continue;
    addThreshold(`cat.${f}`, 'unseen_categories', () => unseenCategories(refCounts, cur).count, 0);
    if (cfg.categoricalMethod === 'psi') addThreshold(`cat.${f}`, 'psi', () => psiCategorical(refCounts, cur), cfg.psiThreshold);
    else if (Object.keys({ ...refCounts, ...cur }).length >= 2) addP(`cat.${f}`, 'chi2', () => chiSquareHomogeneity(refCounts, cur));
  }
  // Model outputs.
  if (ref.conf.length >= MIN_SAMPLE && win.conf.length >= MIN_SAMPLE) addP('confidence', 'ks', () => ksTwoSample(ref.conf, win.conf));
  addThreshold('predicted_label', 'new_classes', () => unseenCategories(ref.label, win.label).count, 0);
  if (Object.keys({ ...ref.label, ...win.label }).length >= 2) addP('predicted_label', 'chi2', () => chiSquareHomogeneity(ref.label, win.label));
  addP('low_confidence_rate', 'rate_increase', () => rateIncrease(ref.low, win.low));
  // Performance: accuracy from delayed ground truth / user overrides (error rate increase).
  addP('error_rate', 'rate_increase', () => rateIncrease([ref.correct[1] - ref.correct[0], ref.correct[1]], [win.correct[1] - win.correct[0], win.correct[1]]));
  // Performance without labels: CBPE's estimate against the accuracy it was calibrated on.
  if (accuracy?.estimated !== undefined && accuracy.calibrationAccuracy !== undefined) {
    const { estimated, calibrationAccuracy } = accuracy;
    addThreshold('estimated_accuracy', 'cbpe_drop', () => calibrationAccuracy - estimated, cfg.accuracyDropThreshold);
  }
  // Embeddings.
  if (cfg.embeddingMethod !== 'off' && ref.emb.length >= MIN_SAMPLE && win.emb.length >= MIN_SAMPLE && ref.emb[0].length === win.emb[0].length) {
    if (cfg.embeddingMethod === 'mmd') addP('embedding', 'mmd', () => mmdPermutationTest(ref.emb, win.emb, { permutations: 200, seed: 42 }));
    else
      addP('embedding', 'per_dim_ks_bonferroni', () => {
        const dims = ref.emb[0].length;
        let minP = 1;
        let stat = 0;
        for (let d = 0; d < dims; d++) {
          const r = ksTwoSample(
            ref.emb.map((e) => e[d]),
            win.emb.map((e) => e[d]),
          );
          if (r.pValue < minP) {
            minP = r.pValue;
            stat = r.statistic;
          }
        }
        return { statistic: stat, pValue: Math.min(1, minP * dims) };
      });
  }

  const pTests = tests.filter((t): t is typeof t & { pValue: number } => t.pValue !== undefined);
  const correction = cfg.correction === 'bh' ? benjaminiHochberg : bonferroni;
  const { rejected } = correction(
    pTests.map((t) => t.pValue),
    cfg.alpha,
  );
  pTests.forEach((t, i) => (t.drifted = rejected[i]));
  const driftedCount = tests.filter((t) => t.drifted).length;
  const driftedShare = tests.length ? driftedCount / tests.length : 0;
  const drifted = cfg.driftShare > 0 ? driftedShare >= cfg.driftShare : driftedCount > 0;
  return { tests, errors, driftedShare, drifted };
}

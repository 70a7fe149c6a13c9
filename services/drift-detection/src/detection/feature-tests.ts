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

/** A window's verdict. */
export interface WindowResult {
  tests: TestOutcome[];
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
export function testWindow(ref: Columns, win: Columns, cfg: ResolvedConfig): WindowResult {
  const tests: TestOutcome[] = [];
  const pTests: TestOutcome[] = [];
  const addP = (feature: string, method: string, statistic: number, pValue: number) => {
    const t: TestOutcome = { feature, method, statistic, pValue, threshold: cfg.alpha, drifted: false };
    tests.push(t);
    pTests.push(t);
  };
  const addThreshold = (feature: string, method: string, statistic: number, threshold: number) =>
    tests.push({ feature, method, statistic, threshold, drifted: statistic > threshold });

  for (const [f, refVals] of Object.entries(ref.num)) {
    const cur = win.num[f];
    if (!cur || cur.length < MIN_SAMPLE || refVals.length < MIN_SAMPLE) continue;
    switch (cfg.numericMethod) {
      case 'ks': {
        const r = ksTwoSample(refVals, cur);
        addP(`num.${f}`, 'ks', r.statistic, r.pValue);
        break;
      }
      case 'psi':
        addThreshold(`num.${f}`, 'psi', psi(refVals, cur), cfg.psiThreshold);
        break;
      case 'wasserstein':
        addThreshold(`num.${f}`, 'wasserstein_normed', normalizedWassersteinDistance(refVals, cur), cfg.distanceThreshold);
        break;
      case 'jensen_shannon':
        addThreshold(`num.${f}`, 'jensen_shannon', jensenShannonDistanceSamples(refVals, cur), cfg.distanceThreshold);
        break;
    }
  }
  for (const [f, refCounts] of Object.entries(ref.cat)) {
    const cur = win.cat[f];
    if (!cur) continue;
    const unseen = unseenCategories(refCounts, cur);
    tests.push({ feature: `cat.${f}`, method: 'unseen_categories', statistic: unseen.count, threshold: 0, drifted: unseen.count > 0 });
    if (cfg.categoricalMethod === 'psi') addThreshold(`cat.${f}`, 'psi', psiCategorical(refCounts, cur), cfg.psiThreshold);
    else if (Object.keys({ ...refCounts, ...cur }).length >= 2) {
      const r = chiSquareHomogeneity(refCounts, cur);
      addP(`cat.${f}`, 'chi2', r.statistic, r.pValue);
    }
  }
  // Model outputs.
  if (ref.conf.length >= MIN_SAMPLE && win.conf.length >= MIN_SAMPLE) {
    const r = ksTwoSample(ref.conf, win.conf);
    addP('confidence', 'ks', r.statistic, r.pValue);
  }
  const newClasses = unseenCategories(ref.label, win.label);
  tests.push({ feature: 'predicted_label', method: 'new_classes', statistic: newClasses.count, threshold: 0, drifted: newClasses.count > 0 });
  if (Object.keys({ ...ref.label, ...win.label }).length >= 2) {
    const r = chiSquareHomogeneity(ref.label, win.label);
    addP('predicted_label', 'chi2', r.statistic, r.pValue);
  }
  const low = rateIncrease(ref.low, win.low);
  if (low) addP('low_confidence_rate', 'rate_increase', low.statistic, low.pValue);
  // Performance: accuracy from delayed ground truth / user overrides (error rate increase).
  const err = rateIncrease([ref.correct[1] - ref.correct[0], ref.correct[1]], [win.correct[1] - win.correct[0], win.correct[1]]);
  if (err) addP('error_rate', 'rate_increase', err.statistic, err.pValue);
  // Embeddings.
  if (cfg.embeddingMethod !== 'off' && ref.emb.length >= MIN_SAMPLE && win.emb.length >= MIN_SAMPLE && ref.emb[0].length === win.emb[0].length) {
    if (cfg.embeddingMethod === 'mmd') {
      const r = mmdPermutationTest(ref.emb, win.emb, { permutations: 200, seed: 42 });
      addP('embedding', 'mmd', r.statistic, r.pValue);
    } else {
      const dims = ref.emb[0].length;
      let minP = 1;
      let stat = 0;
      for (let d = 0; d < dims; d++) {
        const r = ksTwoSample(ref.emb.map((e) => e[d]), win.emb.map((e) => e[d]));
        if (r.pValue < minP) {
          minP = r.pValue;
          stat = r.statistic;
        }
      }
      addP('embedding', 'per_dim_ks_bonferroni', stat, Math.min(1, minP * dims));
    }
  }

  const correction = cfg.correction === 'bh' ? benjaminiHochberg : bonferroni;
  const { rejected } = correction(pTests.map((t) => t.pValue!), cfg.alpha);
  pTests.forEach((t, i) => (t.drifted = rejected[i]));
  const driftedCount = tests.filter((t) => t.drifted).length;
  const driftedShare = tests.length ? driftedCount / tests.length : 0;
  const drifted = cfg.driftShare > 0 ? driftedShare >= cfg.driftShare : driftedCount > 0;
  return { tests, driftedShare, drifted };
}

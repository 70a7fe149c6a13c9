import { assertValidLabel, compareLabels, type Label } from './labels';

/** Level of measurement of the coded variable; selects the difference function δ². */
export type MeasurementLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/** Options of {@link krippendorffAlpha}. */
export interface KrippendorffAlphaOptions {
  /**
   * The ordered set of possible values. Required to use string labels at the ordinal level;
   * otherwise defaults to the sorted distinct values in the data. Values absent from the data
   * do not change the result.
   */
  valueDomain?: ReadonlyArray<Label>;
}

/**
 * Krippendorff's alpha reliability coefficient with missing data, for any number of coders.
 *
 * Follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011) and gives the same
 * numbers as the PyPI `krippendorff` package (`krippendorff.alpha`): a coincidence matrix
 * `o_ck = Σ_u Σ_{i≠j} [v_ui = c][v_uj = k] / (m_u − 1)` over units with `m_u ≥ 2` values,
 * marginals `n_c`, and `α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck` with
 * - nominal: `δ² = [c ≠ k]`;
 * - ordinal: `δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²` over the ordered value domain;
 * - interval: `δ² = (c − k)²`;
 * - ratio: `δ² = ((c − k)/(c + k))²` (0 when `c + k = 0`).
 *
 * @param reliabilityData - coders × units matrix (Krippendorff's layout: one row per coder,
 *   one column per unit); `null`/`undefined`/`NaN` marks a missing value. Rows may have
 *   different lengths; missing trailing cells count as missing values.
 * @param level - level of measurement
 * @param options - optional ordered value domain
 * @returns alpha (≤ 1); `NaN` when undefined (no unit coded by two coders, or only one
 *   distinct value among pairable values so that expected disagreement is 0)
 * @throws TypeError for non-numeric values at the interval/ratio levels, or string values at the
 *   ordinal level without `valueDomain`; RangeError for a value outside `valueDomain`
 */
export function krippendorffAlpha(
  reliabilityData: ReadonlyArray<ReadonlyArray<Label | null | undefined>>,
  level: MeasurementLevel,
  options: KrippendorffAlphaOptions = {},
): number {
  if (level !== 'nominal' && level !== 'ordinal' && level !== 'interval' && level !== 'ratio') {
    throw new RangeError(`krippendorffAlpha: unknown level '${String(level)}'`);
  }
  const nUnits = reliabilityData.reduce((m, row) => Math.max(m, row.length), 0);
  const isMissing = (v: Label | null | undefined): v is null | undefined => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

  // Value domain (ordered) and index.
  let domain: Label[];
  if (options.valueDomain) {
    domain = [...options.valueDomain];
  } else {
    const seen = new Set<Label>();
    for (const row of reliabilityData) for (const v of row) if (!isMissing(v)) seen.add(v);
    domain = [...seen].sort(compareLabels);
    if (level === 'ordinal' && domain.some((v) => typeof v === 'string')) {
      throw new TypeError('krippendorffAlpha: string values at the ordinal level need an ordered options.valueDomain');
    }
  }
  const index = new Map<Label, number>();
  domain.forEach((v, i) => {
    assertValidLabel(v, 'krippendorffAlpha');
    if (index.has(v)) throw new RangeError(`krippendorffAlpha: duplicate value ${String(v)} in valueDomain`);
    index.set(v, i);
  });
  if ((level === 'interval' || level === 'ratio') && domain.some((v) => typeof v !== 'number')) {
    throw new TypeError(`krippendorffAlpha: the ${level} level needs numeric values`);
  }
  const V = domain.length;

  // Coincidence matrix.
  const o = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  for (let u = 0; u < nUnits; u++) {
    const unitCounts = new Array<number>(V).fill(0);
    let m = 0;
    for (const row of reliabilityData) {
      const v = row[u];
      if (isMissing(v)) continue;
      const i = index.get(v);
      if (i === undefined) throw new RangeError(`krippendorffAlpha: value ${String(v)} is not in the value domain`);
      unitCounts[i]++;
      m++;
    }
    if (m < 2) continue;
    for (let c = 0; c < V; c++) {
      if (unitCounts[c] === 0) continue;
      for (let k = 0; k < V; k++) {
        const pairs = c === k ? unitCounts[c] * (unitCounts[c] - 1) : unitCounts[c] * unitCounts[k];
        if (pairs !== 0) o[c][k] += pairs / (m - 1);
      }
    }
  }
  const nV = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nV.reduce((s, x) => s + x, 0);
  if (n === 0) return Number.NaN;

  // Cumulative sums for the ordinal metric.
  const cum = [0];
  for (const x of nV) cum.push(cum[cum.length - 1] + x);
  const delta2 = (c: number, k: number): number => {
    if (c === k) return 0;
    switch (level) {
      case 'nominal':
        return 1;
      case 'ordinal': {
        const lo = Math.min(c, k);
        const hi = Math.max(c, k);
        const s = cum[hi + 1] - cum[lo] - (nV[c] + nV[k]) / 2;
        return s * s;
      }
      case 'interval': {
        const d = (domain[c] as number) - (domain[k] as number);
        return d * d;
      }
      case 'ratio': {
        const a = domain[c] as number;
        const b = domain[k] as number;
        return a + b === 0 ? 0 : ((a - b) / (a + b)) ** 2;
      }
    }
  };

  let observed = 0;
  let expected = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      const d = delta2(c, k);
      if (d === 0) continue;
      observed += o[c][k] * d;
      expected += (nV[c] * nV[k] * d) / (n - 1);
    }
  }
  if (expected === 0) return Number.NaN;
  return 1 - observed / expected;
}

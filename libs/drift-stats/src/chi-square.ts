/**
 * Chi-square test of homogeneity for categorical features (reference vs current counts).
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import { countOf } from './descriptive';

/** Options for {@link chiSquareHomogeneity}. */
export interface ChiSquareOptions {
  /**
   * Apply Yates' continuity correction when dof = 1 (i.e. exactly two categories). Default `true`,
   * which is SciPy's default for `chi2_contingency`; it has no effect when dof > 1.
   */
  correction?: boolean;
}

/** Result of {@link chiSquareHomogeneity}. */
export interface ChiSquareResult {
  /** Pearson chi-square statistic (Yates-corrected when dof = 1 and `correction` is true). */
  statistic: number;
  /** Degrees of freedom: (number of categories with a positive total) − 1. */
  dof: number;
  /** Upper-tail p-value of the chi-square distribution with `dof` degrees of freedom. */
  pValue: number;
  /** Categories used (those with a positive combined count), in sorted order. */
  categories: string[];
}

/**
 * Survival function of the chi-square distribution, `scipy.stats.chi2.sf(x, dof)`, via the regularised
 * upper incomplete gamma function from `@stdlib/math-base-special-gammainc` (accurate for tiny p-values).
 * @param x - statistic (>= 0).
 * @param dof - degrees of freedom (> 0).
 */
export function chiSquareSf(x: number, dof: number): number {
  if (!(dof > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, dof / 2, true, true);
}

function readCounts(counts: Readonly<Record<string, number>>, what: string): void {
  for (const [k, v] of Object.entries(counts)) {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`chiSquareHomogeneity: ${what}[${k}] must be finite and >= 0, got ${v}`);
  }
}

/**
 * Chi-square test of homogeneity on the 2 × k contingency table [reference counts; current counts],
 * equal to `scipy.stats.chi2_contingency([ref, cur])` with SciPy's **default `correction=True`**:
 * SciPy (and this function) applies Yates' continuity correction only when dof = 1 (two categories);
 * pass `{ correction: false }` for the uncorrected Pearson statistic.
 *
 * Categories are the union of both maps' keys (a missing key counts 0). Categories whose combined count
 * is 0 are dropped (SciPy would raise because an expected frequency is 0). With fewer than two
 * remaining categories, dof = 0 and the result is statistic 0, p-value 1 (as SciPy).
 *
 * @param refCounts - reference counts per category.
 * @param curCounts - current counts per category.
 * @param options - see {@link ChiSquareOptions}.
 * @throws RangeError on negative/non-finite counts, or when either row sums to 0.
 */
export function chiSquareHomogeneity(
  refCounts: Readonly<Record<string, number>>,
  curCounts: Readonly<Record<string, number>>,
  options: ChiSquareOptions = {},
): ChiSquareResult {
  readCounts(refCounts, 'refCounts');
  readCounts(curCounts, 'curCounts');
  const correction = options.correction ?? true;
  const categories = Array.from(new Set([...Object.keys(refCounts), ...Object.keys(curCounts)]))
    .sort()
    .filter((k) => countOf(refCounts, k) + countOf(curCounts, k) > 0);
  const rows = [categories.map((k) => countOf(refCounts, k)), categories.map((k) => countOf(curCounts, k))];
  const rowTotals = rows.map((r) => r.reduce((s, x) => s + x, 0));
  if (!(rowTotals[0] > 0 && rowTotals[1] > 0)) {
    throw new RangeError('chiSquareHomogeneity: both reference and current counts must have a positive total');
  }
  const dof = categories.length - 1;
  if (dof <= 0) return { statistic: 0, dof: 0, pValue: 1, categories };
  const grand = rowTotals[0] + rowTotals[1];
  let statistic = 0;
  for (let j = 0; j < categories.length; j++) {
    const colTotal = rows[0][j] + rows[1][j];
    for (let i = 0; i < 2; i++) {
      const expected = (rowTotals[i] * colTotal) / grand;
      let observed = rows[i][j];
      if (dof === 1 && correction) {
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += (observed - expected) ** 2 / expected;
    }
  }
  return { statistic, dof, pValue: chiSquareSf(statistic, dof), categories };
}

/** Result of {@link unseenCategories}. */
export interface UnseenCategoriesResult {
  /** Categories with a positive current count but no (or zero) reference count, sorted. */
  categories: string[];
  /** Number of current observations falling in those categories. */
  count: number;
  /** `count` divided by the total current count (0 when the current total is 0). */
  fraction: number;
}

/**
 * Categories present in the current data but never seen in the reference (e.g. a new label or an
 * upstream schema change) — a drift signal the chi-square test alone does not name.
 * @param refCounts - reference counts per category.
 * @param curCounts - current counts per category.
 */
export function unseenCategories(refCounts: Readonly<Record<string, number>>, curCounts: Readonly<Record<string, number>>): UnseenCategoriesResult {
  readCounts(refCounts, 'refCounts');
  readCounts(curCounts, 'curCounts');
  let total = 0;
  let count = 0;
  const categories: string[] = [];
  for (const [k, v] of Object.entries(curCounts)) {
    total += v;
    if (v > 0 && !(countOf(refCounts, k) > 0)) {
      categories.push(k);
      count += v;
    }
  }
  categories.sort();
  return { categories, count, fraction: total > 0 ? count / total : 0 };
}

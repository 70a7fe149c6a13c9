import { assertValidLabel, compareLabels, type Label } from './labels';

/** A labelled text span covering character (or token) offsets `[start, end)`. */
export interface Span {
  /** Inclusive start offset. */
  start: number;
  /** Exclusive end offset (`end > start`). */
  end: number;
  /** Entity / span type. */
  label: Label;
}

/** Options of {@link spanPRF}. */
export interface SpanPRFOptions {
  /**
   * `'exact'` (default): a predicted span is correct only if a gold span has the same start, end
   * and label. `'overlap'`: a predicted span may be paired with a gold span of the same label
   * that shares at least one offset (`a.start < b.end && b.start < a.end`).
   */
  mode?: 'exact' | 'overlap';
}

/** Counts and scores of one label (or of all labels together). */
export interface PRF {
  /** Matched (true-positive) pairs. */
  tp: number;
  /** Unmatched predicted spans. */
  fp: number;
  /** Unmatched gold spans. */
  fn: number;
  /** `tp / (tp + fp)`. */
  precision: number;
  /** `tp / (tp + fn)`. */
  recall: number;
  /** `2 tp / (2 tp + fp + fn)`. */
  f1: number;
}

/** Result of {@link spanPRF}: micro-averaged totals plus the same figures per label. */
export interface SpanPRFResult extends PRF {
  /** Per-label figures, sorted by label. */
  byLabel: Array<PRF & { label: Label }>;
}

function prf(tp: number, fp: number, fn: number): PRF {
  const bothEmpty = tp + fp + fn === 0;
  const ratio = (num: number, den: number): number => (den === 0 ? (bothEmpty ? 1 : 0) : num / den);
  return { tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), f1: ratio(2 * tp, 2 * tp + fp + fn) };
}

function assertSpan(s: Span, where: string): void {
  if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || !(s.end > s.start)) {
    throw new RangeError(`${where}: span must have finite start < end, got [${s.start}, ${s.end})`);
  }
  assertValidLabel(s.label, where);
}

/** Maximum-cardinality bipartite matching (Kuhn's augmenting paths); returns the matching size. */
function maxMatching(nLeft: number, nRight: number, adj: number[][]): number {
  const matchRight = new Int32Array(nRight).fill(-1);
  const tryAugment = (u: number, seen: Uint8Array): boolean => {
    for (const v of adj[u]) {
      if (seen[v]) continue;
      seen[v] = 1;
      if (matchRight[v] < 0 || tryAugment(matchRight[v], seen)) {
        matchRight[v] = u;
        return true;
      }
    }
    return false;
  };
  let size = 0;
  for (let u = 0; u < nLeft; u++) if (tryAugment(u, new Uint8Array(nRight))) size++;
  return size;
}

/**
 * Precision, recall and F1 of predicted labelled spans against gold spans, micro-averaged over
 * labels, with a per-label breakdown.
 *
 * Spans are paired one-to-one: the number of true positives is the size of a maximum matching
 * between predicted and gold spans of the same label that are compatible under `mode`
 * (for `'exact'` this is the size of the multiset intersection). So a long prediction covering
 * two gold spans earns one true positive, not two, and precision and recall share one `tp`.
 * Duplicate spans count as separate spans.
 *
 * Zero-division convention: a ratio whose denominator is 0 is 1 if both span lists are empty
 * (for the label in question) and 0 otherwise.
 *
 * @param pred - predicted spans
 * @param gold - reference spans
 * @param options - `'exact'` or `'overlap'` matching
 * @returns totals and per-label figures
 * @throws RangeError for spans with `end ≤ start` or non-finite offsets
 */
export function spanPRF(pred: ReadonlyArray<Span>, gold: ReadonlyArray<Span>, options: SpanPRFOptions = {}): SpanPRFResult {
  const mode = options.mode ?? 'exact';
  if (mode !== 'exact' && mode !== 'overlap') throw new RangeError(`spanPRF: unknown mode '${String(mode)}'`);
  for (const s of pred) assertSpan(s, 'spanPRF');
  for (const s of gold) assertSpan(s, 'spanPRF');

  const groups = new Map<Label, { p: Span[]; g: Span[] }>();
  const group = (l: Label): { p: Span[]; g: Span[] } => {
    let entry = groups.get(l);
    if (!entry) groups.set(l, (entry = { p: [], g: [] }));
    return entry;
  };
  for (const s of pred) group(s.label).p.push(s);
  for (const s of gold) group(s.label).g.push(s);

  const compatible =
    mode === 'exact'
      ? (x: Span, y: Span): boolean => x.start === y.start && x.end === y.end
      : (x: Span, y: Span): boolean => x.start < y.end && y.start < x.end;

  const byLabel: Array<PRF & { label: Label }> = [];
  let tpAll = 0;
  for (const [label, { p, g }] of [...groups].sort(([a], [b]) => compareLabels(a, b))) {
    const adj = p.map((x) => g.flatMap((y, j) => (compatible(x, y) ? [j] : [])));
    const tp = maxMatching(p.length, g.length, adj);
    tpAll += tp;
    byLabel.push({ label, ...prf(tp, p.length - tp, g.length - tp) });
  }
  return { ...prf(tpAll, pred.length - tpAll, gold.length - tpAll), byLabel };
}

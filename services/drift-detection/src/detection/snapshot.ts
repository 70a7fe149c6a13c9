/** What the detector keeps of one prediction (numbers only; no input content). */
export interface Snap {
  id: string;
  /** Event time, ms. */
  t: number;
  num: Record<string, number>;
  cat: Record<string, string>;
  /** The model's confidence; absent in a reference taken from a dataset version (labels, not predictions). */
  conf?: number;
  label: string;
  emb?: number[];
  /** 1 when delayed ground truth / a user override agreed with the prediction, 0 when not. */
  correct?: 0 | 1;
  /** The model's class probabilities (window events of models with at most MAX_CBPE_CLASSES classes; never in a reference). */
  probs?: Record<string, number>;
  /** The ground-truth label, when it came with the prediction (calibrates the accuracy estimate). */
  truth?: string;
}

/** Confidence below which a prediction counts as low-confidence for the spike test. */
export const LOW_CONFIDENCE = 0.5;

/** Column view of a sample of snaps, as the tests consume it. */
export interface Columns {
  n: number;
  num: Record<string, number[]>;
  cat: Record<string, Record<string, number>>;
  conf: number[];
  label: Record<string, number>;
  emb: number[][];
  correct: [number, number];
  low: [number, number];
}

/** Builds the column view (embeddings subsampled evenly to at most `maxEmb` rows). */
export function columns(snaps: readonly Snap[], maxEmb: number): Columns {
  const c: Columns = { n: snaps.length, num: {}, cat: {}, conf: [], label: {}, emb: [], correct: [0, 0], low: [0, 0] };
  let withEmb = 0;
  for (const s of snaps) if (s.emb?.length) withEmb++;
  const step = Math.max(1, Math.ceil(withEmb / maxEmb));
  let k = 0;
  for (const s of snaps) {
    for (const f in s.num) (c.num[f] ??= []).push(s.num[f]);
    for (const f in s.cat) {
      const m = (c.cat[f] ??= {});
      const v = s.cat[f];
      m[v] = (m[v] ?? 0) + 1;
    }
    if (s.conf !== undefined) {
      c.conf.push(s.conf);
      c.low[0] += s.conf < LOW_CONFIDENCE ? 1 : 0;
      c.low[1]++;
    }
    c.label[s.label] = (c.label[s.label] ?? 0) + 1;
    if (s.emb?.length && k++ % step === 0) c.emb.push(s.emb);
    if (s.correct !== undefined) {
      c.correct[0] += s.correct;
      c.correct[1]++;
    }
  }
  return c;
}

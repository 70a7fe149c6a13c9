import { assertValidLabel, uniqueSortedLabels, type Id, type Label } from './labels';

/** One answer: `annotator` gave `label` to `item`. */
export interface Annotation {
  item: Id;
  annotator: Id;
  label: Label;
}

/** Options of {@link dawidSkene}. */
export interface DawidSkeneOptions {
  /** Maximum number of EM iterations (E-step + M-step). Default 100. */
  maxIter?: number;
  /**
   * Stop when the marginal log-likelihood changes by less than `tol` between two consecutive
   * E-steps. Default 1e-6. With `tol = 0` exactly `maxIter` iterations run.
   */
  tol?: number;
  /** The class set and its order. Default: the sorted distinct labels in `annotations`. */
  classes?: ReadonlyArray<Label>;
  /**
   * Additive (Laplace) pseudo-count added to every confusion-matrix cell and every class-prior
   * count in the M-step, which keeps probabilities away from exactly 0. Default 0.01;
   * 0 gives the plain maximum-likelihood updates of Dawid & Skene (1979).
   */
  smoothing?: number;
}

/** Per-item output of {@link dawidSkene}. */
export interface DawidSkeneItem {
  item: Id;
  /** Posterior probability of each class, aligned with `DawidSkeneResult.classes`. */
  posterior: number[];
  /** MAP class (first class in `classes` order on an exact tie). */
  label: Label;
  /** Posterior probability of `label`. */
  confidence: number;
}

/** Per-annotator output of {@link dawidSkene}. */
export interface DawidSkeneAnnotator {
  annotator: Id;
  /**
   * Estimated confusion matrix: `confusion[c][l]` = P(annotator answers class `l` | true class `c`),
   * indices into `classes`; each row sums to 1.
   */
  confusion: number[][];
  /**
   * Estimated accuracy: the expected share of this annotator's answers that are correct under
   * the final posteriors, `Σ_answers posterior(item)[answer] / count`.
   */
  accuracy: number;
  /** Number of answers given. */
  count: number;
}

/** Result of {@link dawidSkene}. */
export interface DawidSkeneResult {
  /** Class order used by every vector and matrix of the result. */
  classes: Label[];
  /** One entry per item, in order of first appearance in the input. */
  items: DawidSkeneItem[];
  /** One entry per annotator, in order of first appearance in the input. */
  annotators: DawidSkeneAnnotator[];
  /** Estimated class prevalences, aligned with `classes`. */
  classPriors: number[];
  /** Number of EM iterations run. */
  iterations: number;
  /** Whether the tolerance was met before `maxIter`. */
  converged: boolean;
  /** Marginal log-likelihood (natural log) computed at the last E-step. */
  logLikelihood: number;
}

/**
 * Dawid–Skene (1979) expectation–maximisation for aggregating noisy categorical labels: each
 * annotator has a full confusion matrix, each item a latent true class drawn from class priors.
 *
 * Schedule (the same as crowd-kit's `DawidSkene`): the item posteriors are initialised with the
 * soft majority vote (each item's vote shares), then an M-step estimates priors and confusion
 * matrices; each iteration is an E-step (new posteriors, log-likelihood) followed by an M-step.
 * The returned posteriors are those of the last E-step, the returned priors and confusion
 * matrices those of the M-step that followed it. Fully deterministic (no random restarts).
 *
 * @param annotations - the answers; an annotator may answer an item more than once
 * @param options - iteration limits, class set and smoothing
 * @returns posteriors and MAP labels per item, confusion matrices and accuracy per annotator,
 *   class priors and convergence information
 * @throws RangeError for a label outside `options.classes` or invalid options
 */
export function dawidSkene(annotations: ReadonlyArray<Annotation>, options: DawidSkeneOptions = {}): DawidSkeneResult {
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-6;
  const s = options.smoothing ?? 0.01;
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new RangeError('dawidSkene: maxIter must be a non-negative integer');
  if (!(tol >= 0)) throw new RangeError('dawidSkene: tol must be ≥ 0');
  if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError('dawidSkene: smoothing must be a finite number ≥ 0');

  for (const a of annotations) assertValidLabel(a.label, 'dawidSkene');
  const classes = options.classes ? [...options.classes] : uniqueSortedLabels(annotations.map((a) => a.label));
  const classIndex = new Map<Label, number>();
  classes.forEach((c, i) => {
    if (classIndex.has(c)) throw new RangeError(`dawidSkene: duplicate class ${String(c)}`);
    classIndex.set(c, i);
  });
  const K = classes.length;

  const itemIds: Id[] = [];
  const itemIndex = new Map<Id, number>();
  const annIds: Id[] = [];
  const annIndex = new Map<Id, number>();
  const A = annotations.length;
  const aItem = new Int32Array(A);
  const aAnn = new Int32Array(A);
  const aLab = new Int32Array(A);
  annotations.forEach((a, t) => {
    let i = itemIndex.get(a.item);
    if (i === undefined) {
      i = itemIds.length;
      itemIds.push(a.item);
      itemIndex.set(a.item, i);
    }
    let w = annIndex.get(a.annotator);
    if (w === undefined) {
      w = annIds.length;
      annIds.push(a.annotator);
      annIndex.set(a.annotator, w);
    }
    const l = classIndex.get(a.label);
    if (l === undefined) throw new RangeError(`dawidSkene: label ${String(a.label)} is not among the classes`);
    aItem[t] = i;
    aAnn[t] = w;
    aLab[t] = l;
  });
  const N = itemIds.length;
  const W = annIds.length;

  // Soft majority-vote initialisation.
  let T: number[][] = Array.from({ length: N }, () => new Array<number>(K).fill(0));
  for (let t = 0; t < A; t++) T[aItem[t]][aLab[t]] += 1;
  for (const row of T) {
    const tot = row.reduce((x, y) => x + y, 0);
    for (let c = 0; c < K; c++) row[c] /= tot;
  }

  const mStep = (post: number[][]): { priors: number[]; conf: number[][][] } => {
    const priors = new Array<number>(K).fill(s);
    for (const row of post) for (let c = 0; c < K; c++) priors[c] += row[c];
    const pTot = priors.reduce((x, y) => x + y, 0);
    for (let c = 0; c < K; c++) priors[c] = pTot > 0 ? priors[c] / pTot : 1 / K;
    const conf = Array.from({ length: W }, () => Array.from({ length: K }, () => new Array<number>(K).fill(s)));
    for (let t = 0; t < A; t++) {
      const row = post[aItem[t]];
      const cw = conf[aAnn[t]];
      const l = aLab[t];
      for (let c = 0; c < K; c++) cw[c][l] += row[c];
    }
    for (const cw of conf) {
      for (const r of cw) {
        const tot = r.reduce((x, y) => x + y, 0);
        for (let l = 0; l < K; l++) r[l] = tot > 0 ? r[l] / tot : 1 / K;
      }
    }
    return { priors, conf };
  };

  const eStep = (priors: number[], conf: number[][][]): { post: number[][]; ll: number } => {
    const logP: number[][] = Array.from({ length: N }, () => priors.map((p) => Math.log(p)));
    for (let t = 0; t < A; t++) {
      const row = logP[aItem[t]];
      const cw = conf[aAnn[t]];
      const l = aLab[t];
      for (let c = 0; c < K; c++) row[c] += Math.log(cw[c][l]);
    }
    let ll = 0;
    const post = logP.map((row) => {
      const m = Math.max(...row);
      if (m === Number.NEGATIVE_INFINITY) {
        ll = Number.NEGATIVE_INFINITY;
        return new Array<number>(K).fill(1 / K);
      }
      const e = row.map((x) => Math.exp(x - m));
      const z = e.reduce((x, y) => x + y, 0);
      ll += m + Math.log(z);
      return e.map((x) => x / z);
    });
    return { post, ll };
  };

  let { priors, conf } = mStep(T);
  let iterations = 0;
  let converged = false;
  let ll = Number.NaN;
  let prevLl = Number.NEGATIVE_INFINITY;
  while (iterations < maxIter) {
    const e = eStep(priors, conf);
    T = e.post;
    ll = e.ll;
    ({ priors, conf } = mStep(T));
    iterations++;
    if (Math.abs(ll - prevLl) < tol) {
      converged = true;
      break;
    }
    prevLl = ll;
  }

  const items: DawidSkeneItem[] = T.map((post, i) => {
    let best = 0;
    for (let c = 1; c < K; c++) if (post[c] > post[best]) best = c;
    return { item: itemIds[i], posterior: post, label: classes[best], confidence: post[best] };
  });
  const correct = new Array<number>(W).fill(0);
  const count = new Array<number>(W).fill(0);
  for (let t = 0; t < A; t++) {
    correct[aAnn[t]] += T[aItem[t]][aLab[t]];
    count[aAnn[t]]++;
  }
  const annotators: DawidSkeneAnnotator[] = annIds.map((annotator, w) => ({
    annotator,
    confusion: conf[w],
    accuracy: correct[w] / count[w],
    count: count[w],
  }));
  return { classes, items, annotators, classPriors: priors, iterations, converged, logLikelihood: ll };
}

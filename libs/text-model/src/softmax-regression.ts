/**
 * Sparse multinomial logistic regression (softmax regression) trained with Adagrad.
 */
import { Mulberry32, shuffleInPlace } from '@labelloop/drift-stats';
import type { SparseVector } from './hashing';

/** One training example: a sparse feature vector and its class index in [0, K). */
export interface TrainingExample {
  /** Features. */
  x: SparseVector;
  /** Class index. */
  y: number;
  /** Example weight (default 1). */
  weight?: number;
}

/** Options for {@link SoftmaxRegression.train}. */
export interface TrainOptions {
  /** Passes over the data (default 5). */
  epochs?: number;
  /** Adagrad base learning rate η (default 0.5). */
  learningRate?: number;
  /** L2 penalty λ applied to the weights of the features present in each example (default 1e-5). */
  l2?: number;
  /** Seed of the mulberry32 generator that shuffles the examples each epoch (default 0). */
  seed?: number;
}

/** JSON form of a {@link SoftmaxRegression}. */
export interface SoftmaxRegressionJSON {
  /** Format version. */
  version: 1;
  /** Number of classes K. */
  numClasses: number;
  /** Feature dimension D (number of hash buckets). */
  dim: number;
  /** Bias per class (length K). */
  bias: number[];
  /** Buckets with at least one non-zero weight, increasing. */
  indices: number[];
  /** Weights of those buckets, K per bucket, bucket-major (`weights[i*K + c]`). */
  weights: number[];
}

const ADAGRAD_EPS = 1e-8;

/**
 * K-class softmax regression over sparse features: p(c | x) = softmax(W x + b)_c.
 *
 * Training minimises the mean cross-entropy plus λ/2‖W‖² by per-example stochastic gradient
 * steps with Adagrad step sizes (η / (√ΣG² + 1e-8) per coordinate), starting from all-zero weights.
 * The example order of each epoch comes from a seeded Fisher–Yates shuffle, so training is a
 * deterministic function of (examples, options): the same seed gives bit-identical weights.
 * The L2 penalty is applied lazily, only to coordinates active in the current example.
 * Weights are stored bucket-major (`w[j*K + c]`) in a dense Float64Array of size D·K.
 */
export class SoftmaxRegression {
  private constructor(
    /** Number of classes K. */
    readonly numClasses: number,
    /** Feature dimension D. */
    readonly dim: number,
    private readonly w: Float64Array,
    private readonly b: Float64Array,
  ) {}

  /**
   * Create an untrained model (all-zero weights: uniform probabilities).
   * @param numClasses - K ≥ 2.
   * @param dim - feature dimension D ≥ 1.
   */
  static zeros(numClasses: number, dim: number): SoftmaxRegression {
    if (!(Number.isInteger(numClasses) && numClasses >= 2)) throw new RangeError(`SoftmaxRegression: numClasses must be an integer >= 2, got ${numClasses}`);
    if (!(Number.isInteger(dim) && dim >= 1)) throw new RangeError(`SoftmaxRegression: dim must be a positive integer, got ${dim}`);
    return new SoftmaxRegression(numClasses, dim, new Float64Array(numClasses * dim), new Float64Array(numClasses));
  }

  /**
   * Train a new model from zero weights.
   * @param examples - training examples (indices must be < dim, labels in [0, numClasses)).
   * @param numClasses - K ≥ 2.
   * @param dim - feature dimension D.
   * @param options - see {@link TrainOptions}.
   */
  static train(examples: readonly TrainingExample[], numClasses: number, dim: number, options: TrainOptions = {}): SoftmaxRegression {
    const epochs = options.epochs ?? 5;
    const eta = options.learningRate ?? 0.5;
    const l2 = options.l2 ?? 1e-5;
    if (!(Number.isInteger(epochs) && epochs >= 0)) throw new RangeError(`train: epochs must be a non-negative integer, got ${epochs}`);
    if (!(eta > 0)) throw new RangeError(`train: learningRate must be > 0, got ${eta}`);
    if (!(l2 >= 0)) throw new RangeError(`train: l2 must be >= 0, got ${l2}`);
    const model = SoftmaxRegression.zeros(numClasses, dim);
    for (const [i, ex] of examples.entries()) {
      if (!(Number.isInteger(ex.y) && ex.y >= 0 && ex.y < numClasses))
        throw new RangeError(`train: example ${i} has class ${ex.y}, expected 0..${numClasses - 1}`);
      const idx = ex.x.indices;
      if (idx.length > 0 && (idx[0] < 0 || idx[idx.length - 1] >= dim)) throw new RangeError(`train: example ${i} has a feature index outside [0, ${dim})`);
    }
    const K = numClasses;
    const { w, b } = model;
    const gw = new Float64Array(K * dim);
    const gb = new Float64Array(K);
    const p = new Float64Array(K);
    const order = Int32Array.from(examples.keys());
    const rng = new Mulberry32(options.seed ?? 0);
    for (let e = 0; e < epochs; e++) {
      shuffleInPlace(order, rng);
      for (let o = 0; o < order.length; o++) {
        const ex = examples[order[o]];
        const sw = ex.weight ?? 1;
        model.scoresInto(ex.x, p);
        softmaxInPlace(p);
        const { indices, values } = ex.x;
        for (let c = 0; c < K; c++) {
          const g = sw * (p[c] - (c === ex.y ? 1 : 0));
          gb[c] += g * g;
          b[c] -= (eta * g) / (Math.sqrt(gb[c]) + ADAGRAD_EPS);
          for (let t = 0; t < indices.length; t++) {
            const k = indices[t] * K + c;
            const gk = g * values[t] + l2 * w[k];
            if (gk === 0) continue;
            gw[k] += gk * gk;
            w[k] -= (eta * gk) / (Math.sqrt(gw[k]) + ADAGRAD_EPS);
          }
        }
      }
    }
    return model;
  }

  /** Linear scores W x + b written into `out` (length K). */
  private scoresInto(x: SparseVector, out: Float64Array): void {
    const K = this.numClasses;
    for (let c = 0; c < K; c++) out[c] = this.b[c];
    const { indices, values } = x;
    for (let t = 0; t < indices.length; t++) {
      const base = indices[t] * K;
      const v = values[t];
      for (let c = 0; c < K; c++) out[c] += this.w[base + c] * v;
    }
  }

  /**
   * Class probabilities softmax(W x + b).
   * @param x - sparse features (indices < dim).
   * @returns a new Float64Array of length K summing to 1.
   */
  predictProba(x: SparseVector): Float64Array {
    const p = new Float64Array(this.numClasses);
    for (let t = 0; t < x.indices.length; t++) {
      const j = x.indices[t];
      if (!(j >= 0 && j < this.dim)) throw new RangeError(`predictProba: feature index ${j} outside [0, ${this.dim})`);
    }
    this.scoresInto(x, p);
    softmaxInPlace(p);
    return p;
  }

  /** Weight of feature `j` for class `c` (for inspection and tests). */
  weight(j: number, c: number): number {
    return this.w[j * this.numClasses + c];
  }

  /** Bias of class `c`. */
  bias(c: number): number {
    return this.b[c];
  }

  /** Serialise to plain JSON (only buckets with a non-zero weight are stored; doubles round-trip exactly). */
  toJSON(): SoftmaxRegressionJSON {
    const K = this.numClasses;
    const indices: number[] = [];
    const weights: number[] = [];
    for (let j = 0; j < this.dim; j++) {
      let any = false;
      for (let c = 0; c < K; c++) if (this.w[j * K + c] !== 0) any = true;
      if (!any) continue;
      indices.push(j);
      for (let c = 0; c < K; c++) weights.push(this.w[j * K + c]);
    }
    return { version: 1, numClasses: K, dim: this.dim, bias: Array.from(this.b), indices, weights };
  }

  /**
   * Rebuild a model from {@link SoftmaxRegression.toJSON} output.
   * @param json - serialised model.
   */
  static fromJSON(json: SoftmaxRegressionJSON): SoftmaxRegression {
    if (json.version !== 1) throw new TypeError(`SoftmaxRegression.fromJSON: unsupported version ${String(json.version)}`);
    const m = SoftmaxRegression.zeros(json.numClasses, json.dim);
    const K = json.numClasses;
    if (json.bias.length !== K) throw new TypeError('SoftmaxRegression.fromJSON: bias length differs from numClasses');
    if (json.weights.length !== json.indices.length * K) throw new TypeError('SoftmaxRegression.fromJSON: weights length must be indices.length * numClasses');
    m.b.set(json.bias);
    json.indices.forEach((j, i) => {
      if (!(Number.isInteger(j) && j >= 0 && j < json.dim)) throw new TypeError(`SoftmaxRegression.fromJSON: bad index ${j}`);
      for (let c = 0; c < K; c++) m.w[j * K + c] = json.weights[i * K + c];
    });
    return m;
  }
}

/** In-place numerically stable softmax. */
export function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i] > max) max = z[i];
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    z[i] = Math.exp(z[i] - max);
    s += z[i];
  }
  for (let i = 0; i < z.length; i++) z[i] /= s;
  return z;
}

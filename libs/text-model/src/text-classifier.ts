/**
 * A dependency-free text classifier: lowercase word tokens → feature hashing → softmax regression.
 */
import { projectSparse, DEFAULT_EMBEDDING_DIMS } from './embedding';
import { DEFAULT_HASH_BITS, featurize, type SparseVector } from './hashing';
import { SoftmaxRegression, type SoftmaxRegressionJSON, type TrainOptions } from './softmax-regression';
import { DEFAULT_MAX_CHARS, DEFAULT_MAX_TOKEN_LENGTH } from './tokenize';

/** Featurisation settings; they are part of a trained model and serialised with it. */
export interface TextFeatureConfig {
  /** log2 of the number of hash buckets (default 18 → 262 144 buckets). */
  hashBits: number;
  /** Longer tokens are dropped (default 30). */
  maxTokenLength: number;
  /** Only the first `maxChars` characters of a text are read (default 20 000). */
  maxChars: number;
  /** Seed of the random projection used by {@link TextClassifier.embed} (default 0). */
  embeddingSeed: number;
}

/** The default {@link TextFeatureConfig}. */
export const DEFAULT_FEATURE_CONFIG: Readonly<TextFeatureConfig> = Object.freeze({
  hashBits: DEFAULT_HASH_BITS,
  maxTokenLength: DEFAULT_MAX_TOKEN_LENGTH,
  maxChars: DEFAULT_MAX_CHARS,
  embeddingSeed: 0,
});

/** A labelled document for {@link TextClassifier.train}. */
export interface LabelledText {
  /** Document text. */
  text: string;
  /** Class label. */
  label: string;
}

/** A labelled, already featurised document for {@link TextClassifier.trainFeatures}. */
export interface LabelledFeatures {
  /** Output of {@link TextClassifier.featurize} (same feature config). */
  x: SparseVector;
  /** Class label. */
  label: string;
  /** Example weight (default 1). */
  weight?: number;
}

/** Options for training a {@link TextClassifier}. */
export interface TextClassifierTrainOptions extends TrainOptions {
  /** Class labels in model order; default: the sorted distinct labels of the training data (at least 2 needed). */
  classes?: readonly string[];
  /** Featurisation settings (defaults: {@link DEFAULT_FEATURE_CONFIG}). */
  features?: Partial<TextFeatureConfig>;
}

/** JSON form of a {@link TextClassifier}. */
export interface TextClassifierJSON {
  /** Format tag. */
  format: 'labelloop.text-classifier';
  /** Format version. */
  version: 1;
  /** Class labels in model order. */
  classes: string[];
  /** Featurisation settings. */
  features: TextFeatureConfig;
  /** The softmax regression weights. */
  model: SoftmaxRegressionJSON;
}

/**
 * A text classifier: {@link featurize} (lowercase words, FNV-1a + murmur fmix32 hashing into
 * 2^hashBits buckets, sublinear TF, unit L2 norm) feeding a {@link SoftmaxRegression} trained with
 * seeded Adagrad SGD. Training is deterministic; the model serialises to JSON and back exactly.
 */
export class TextClassifier {
  private readonly index: ReadonlyMap<string, number>;

  private constructor(
    /** Class labels in model order. */
    readonly classes: readonly string[],
    /** Featurisation settings. */
    readonly features: Readonly<TextFeatureConfig>,
    /** The underlying softmax regression. */
    readonly model: SoftmaxRegression,
  ) {
    this.index = new Map(classes.map((c, i) => [c, i]));
  }

  /**
   * Featurise a text with the given settings (the same function a model uses internally).
   * @param text - document text.
   * @param features - featurisation settings (defaults filled in).
   */
  static featurize(text: string, features: Partial<TextFeatureConfig> = {}): SparseVector {
    const f = { ...DEFAULT_FEATURE_CONFIG, ...features };
    return featurize(text, { hashBits: f.hashBits, maxTokenLength: f.maxTokenLength, maxChars: f.maxChars });
  }

  /**
   * Train on raw texts.
   * @param docs - labelled texts.
   * @param options - training, class and feature options.
   */
  static train(docs: readonly LabelledText[], options: TextClassifierTrainOptions = {}): TextClassifier {
    const features = { ...DEFAULT_FEATURE_CONFIG, ...options.features };
    return TextClassifier.trainFeatures(
      docs.map((d) => ({ x: TextClassifier.featurize(d.text, features), label: d.label })),
      { ...options, features },
    );
  }

  /**
   * Train on pre-featurised documents (cheaper when retraining repeatedly on the same documents).
   * The vectors must come from {@link TextClassifier.featurize} with the same `options.features`.
   * @param docs - labelled feature vectors.
   * @param options - training, class and feature options.
   */
  static trainFeatures(docs: readonly LabelledFeatures[], options: TextClassifierTrainOptions = {}): TextClassifier {
    const features = { ...DEFAULT_FEATURE_CONFIG, ...options.features };
    const classes = options.classes ? [...options.classes] : [...new Set(docs.map((d) => d.label))].sort();
    if (classes.length < 2) throw new RangeError(`TextClassifier: need at least 2 classes, got ${JSON.stringify(classes)}`);
    if (new Set(classes).size !== classes.length) throw new RangeError('TextClassifier: duplicate class labels');
    const index = new Map(classes.map((c, i) => [c, i]));
    const examples = docs.map((d, i) => {
      const y = index.get(d.label);
      if (y === undefined) throw new RangeError(`TextClassifier: document ${i} has unknown label ${JSON.stringify(d.label)}`);
      return { x: d.x, y, weight: d.weight };
    });
    const model = SoftmaxRegression.train(examples, classes.length, 2 ** features.hashBits, options);
    return new TextClassifier(classes, features, model);
  }

  /** Featurise a text with this model's settings. */
  featurize(text: string): SparseVector {
    return TextClassifier.featurize(text, this.features);
  }

  /**
   * Class probabilities of a text.
   * @param text - document text.
   * @returns `{ [class]: probability }`, summing to 1.
   */
  predictProba(text: string): Record<string, number> {
    return this.predictProbaFeatures(this.featurize(text));
  }

  /**
   * Class probabilities of a pre-featurised document.
   * @param x - output of {@link TextClassifier.featurize}.
   */
  predictProbaFeatures(x: SparseVector): Record<string, number> {
    const p = this.model.predictProba(x);
    const out: Record<string, number> = {};
    this.classes.forEach((c, i) => (out[c] = p[i]));
    return out;
  }

  /**
   * Most probable class of a text (ties: first class in model order).
   * @param text - document text.
   */
  predict(text: string): string {
    return this.predictFeatures(this.featurize(text));
  }

  /** Most probable class of a pre-featurised document. */
  predictFeatures(x: SparseVector): string {
    const p = this.model.predictProba(x);
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return this.classes[best];
  }

  /**
   * Deterministic embedding of a text: signed random projection of its hashed TF vector,
   * unit L2 norm (see {@link projectSparse}); independent of the trained weights.
   * @param text - document text.
   * @param dims - output dimension (default 32).
   */
  embed(text: string, dims = DEFAULT_EMBEDDING_DIMS): Float64Array {
    return projectSparse(this.featurize(text), dims, this.features.embeddingSeed);
  }

  /** Index of a class label in model order, or -1. */
  classIndex(label: string): number {
    return this.index.get(label) ?? -1;
  }

  /** Serialise to plain JSON. */
  toJSON(): TextClassifierJSON {
    return { format: 'labelloop.text-classifier', version: 1, classes: [...this.classes], features: { ...this.features }, model: this.model.toJSON() };
  }

  /**
   * Rebuild a classifier from {@link TextClassifier.toJSON} output (also accepts a JSON string).
   * @param json - serialised classifier.
   */
  static fromJSON(json: TextClassifierJSON | string): TextClassifier {
    const j: TextClassifierJSON = typeof json === 'string' ? (JSON.parse(json) as TextClassifierJSON) : json;
    if (j.format !== 'labelloop.text-classifier' || j.version !== 1)
      throw new TypeError('TextClassifier.fromJSON: not a labelloop.text-classifier v1 document');
    const model = SoftmaxRegression.fromJSON(j.model);
    if (model.numClasses !== j.classes.length) throw new TypeError('TextClassifier.fromJSON: class count differs from the model');
    const features = { ...DEFAULT_FEATURE_CONFIG, ...j.features };
    if (model.dim !== 2 ** features.hashBits) throw new TypeError('TextClassifier.fromJSON: model dimension differs from 2^hashBits');
    return new TextClassifier([...j.classes], features, model);
  }
}

import { baseConfigSchema, z } from '@labelloop/config';

/** QA settings; the QA_* gate settings are the defaults of projects without a policy of their own. */
export const qaConfigSchema = baseConfigSchema.extend({
  /** Consensus method for overlap items: dawid_skene (weighs annotators by estimated skill) or majority. */
  QA_METHOD: z.enum(['dawid_skene', 'majority']).default('dawid_skene'),
  /** Item gate: minimum consensus confidence. */
  QA_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.7),
  /** Annotators whose gold or estimated accuracy falls below this are paused. */
  QA_ANNOTATOR_FLOOR: z.coerce.number().min(0).max(1).default(0.7),
  QA_MIN_GOLD_FOR_PAUSE: z.coerce.number().int().min(1).default(10),
  QA_MIN_ANSWERS_FOR_PAUSE: z.coerce.number().int().min(1).default(30),
  /** Batch gate default: items held and judged together (1: no batch gate, items are accepted one by one). */
  QA_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(1),
  /** Batch gate default: minimum Fleiss' kappa over a batch's answers. */
  QA_MIN_BATCH_KAPPA: z.coerce.number().min(-1).max(1).default(0),
  /** Batch gate default: minimum accuracy of the gold answers received while a batch was open. */
  QA_MIN_BATCH_GOLD_ACCURACY: z.coerce.number().min(0).max(1).default(0),
  /**
   * Adaptive overlap default: the most answers an item's first round may get, one more at a time
   * while its consensus is below the gate (0: off, dispatch's fixed overlap decides).
   */
  QA_MAX_ANSWERS: z.coerce.number().int().min(0).max(20).default(0),
  /** Answers of a project (most recent) the Dawid–Skene estimate runs over. */
  QA_WINDOW: z.coerce.number().int().min(10).max(20000).default(2000),
  /** Version tag of the QA policy, recorded on every accepted label. */
  QA_POLICY_VERSION: z.string().min(1).default('qa-v2'),
  /** Guideline review: completed overlap rounds (most recent per project) a class's disagreement is measured over. */
  QA_GUIDELINE_WINDOW: z.coerce.number().int().min(10).max(5000).default(200),
  /** Guideline review: rounds involving the class needed before it can raise a review. */
  QA_GUIDELINE_MIN_ITEMS: z.coerce.number().int().min(1).default(20),
  /** Guideline review: a class whose rounds split at least this often ... */
  QA_GUIDELINE_DISAGREEMENT: z.coerce.number().min(0).max(1).default(0.4),
  /** ... and this much more often than the project's other rounds raises GuidelineReviewRequested. */
  QA_GUIDELINE_MARGIN: z.coerce.number().min(0).max(1).default(0.2),
  /** Agreement history: completed overlap rounds per bucket (GetQualityHistory, the console's chart). */
  QA_AGREEMENT_BUCKET_ROUNDS: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Agreement history: buckets kept per project (older ones are deleted as new ones open). */
  QA_AGREEMENT_HISTORY: z.coerce.number().int().min(1).max(100_000).default(500),
});
/** Parsed QA config. */
export type QaConfig = z.infer<typeof qaConfigSchema>;

import { baseConfigSchema, z } from '@labelloop/config';

/** Sampling settings (defaults for models without a stored policy). */
export const samplingConfigSchema = baseConfigSchema.extend({
  /** Predictions below this confidence are sent to annotation. */
  SAMPLING_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.6),
  /** Share of all predictions sampled uniformly at random as an unbiased audit set. */
  SAMPLING_AUDIT_RATE: z.coerce.number().min(0).max(1).default(0.01),
  /** Default cap on items selected from one micro-batch (a consumed batch) per model. */
  SAMPLING_MICRO_BATCH: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Default selection strategy. */
  SAMPLING_STRATEGY: z.enum(['least_confidence', 'margin', 'entropy', 'random', 'class_balance', 'k_center', 'hybrid']).default('least_confidence'),
  /** Annotation project that receives the requests. */
  SAMPLING_PROJECT_ID: z.string().min(1).default('default'),
});
/** Parsed sampling config. */
export type SamplingConfig = z.infer<typeof samplingConfigSchema>;

import { baseConfigSchema, z } from '@labelloop/config';

/** Drift detection settings (defaults for models without a stored config). */
export const driftConfigSchema = baseConfigSchema.extend({
  /** Events after a model version's deployment that form its reference distribution. */
  DRIFT_REFERENCE_SIZE: z.coerce.number().int().min(20).max(5000).default(500),
  /** Events per (tumbling, count-based) window. */
  DRIFT_WINDOW_SIZE: z.coerce.number().int().min(20).max(5000).default(500),
  /** Family-wise significance level of one window's tests (corrected across tests). */
  DRIFT_ALPHA: z.coerce.number().gt(0).max(0.5).default(0.01),
  /** Consecutive clean windows that close a drift episode (hysteresis). */
  DRIFT_RESOLVE_AFTER: z.coerce.number().int().min(1).default(2),
});
/** Parsed drift config. */
export type DriftConfig = z.infer<typeof driftConfigSchema>;

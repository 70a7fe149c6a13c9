import { baseConfigSchema, z } from '@labelloop/config';

/** QA settings (defaults for projects without a stored policy). */
export const qaConfigSchema = baseConfigSchema.extend({
  /** Minimum share of answers that must agree with the winning label. */
  QA_MIN_AGREEMENT: z.coerce.number().min(0).max(1).default(0.5),
  /** Version tag of the QA policy, recorded on every accepted label. */
  QA_POLICY_VERSION: z.string().min(1).default('majority-v1'),
});
/** Parsed QA config. */
export type QaConfig = z.infer<typeof qaConfigSchema>;

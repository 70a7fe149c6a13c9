import * as path from 'node:path';
import { baseConfigSchema, z } from '@labelloop/config';

/** Dataset registry settings. */
export const registryConfigSchema = baseConfigSchema.extend({
  /** Cut a new version after this many newly accepted (or relabelled) items. */
  REGISTRY_CUT_EVERY: z.coerce.number().int().positive().default(100),
  /** Where exports are written (a local directory). */
  REGISTRY_EXPORT_DIR: z.string().default(path.resolve('.local/exports')),
  /** Split shares, in percent: train / validation; the rest is test. */
  REGISTRY_TRAIN_PCT: z.coerce.number().int().min(1).max(98).default(80),
  REGISTRY_VALIDATION_PCT: z.coerce.number().int().min(1).max(98).default(10),
});
/** Parsed registry config. */
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

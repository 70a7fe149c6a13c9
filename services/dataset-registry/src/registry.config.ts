import * as path from 'node:path';
import { baseConfigSchema, secretFromEnv, z } from '@labelloop/config';

const share = z.coerce.number().min(0).max(1);
const list = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** Export formats the registry writes. */
export const EXPORT_FORMATS = ['jsonl', 'csv', 'coco', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Dataset registry settings. */
export const registryConfigSchema = baseConfigSchema.extend({
  /** Cut a new version after this many newly accepted (or relabelled) items. */
  REGISTRY_CUT_EVERY: z.coerce.number().int().positive().default(100),
  /** Also cut pending changes this many seconds after the last cut (0: off). */
  REGISTRY_CUT_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(0),
  /** How often the interval worker looks for due datasets. */
  REGISTRY_CUT_POLL_MS: z.coerce.number().int().positive().default(5000),
  /** Where exports are written (a local directory; the staging area when S3 is configured). */
  REGISTRY_EXPORT_DIR: z.string().default(path.resolve('.local/exports')),
  /** Formats written when a version is approved (comma-separated: jsonl, csv, coco, parquet). */
  REGISTRY_EXPORT_FORMATS: z
    .string()
    .default(EXPORT_FORMATS.join(','))
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(EXPORT_FORMATS)).min(1)),
  /** S3-compatible storage for exports (unset: local directory). Credentials: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, ...). */
  REGISTRY_S3_BUCKET: z.string().optional(),
  REGISTRY_S3_PREFIX: z.string().default(''),
  REGISTRY_S3_ENDPOINT: z.string().url().optional(),
  REGISTRY_S3_REGION: z.string().default('us-east-1'),
  REGISTRY_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Split shares, in percent: train / validation; the rest is test. */
  REGISTRY_TRAIN_PCT: z.coerce.number().int().min(1).max(98).default(80),
  REGISTRY_VALIDATION_PCT: z.coerce.number().int().min(1).max(98).default(10),
  /** Approval gates: mean consensus confidence and agreement of the version's items. */
  REGISTRY_MIN_MEAN_CONFIDENCE: share.default(0),
  REGISTRY_MIN_MEAN_AGREEMENT: share.default(0),
  /** Approval gate: every class present (and every required class) has at least this many items. */
  REGISTRY_MIN_ITEMS_PER_CLASS: z.coerce.number().int().min(0).default(1),
  /** Classes that must be present (comma-separated). */
  REGISTRY_REQUIRED_CLASSES: list,
});
/** Parsed registry config. */
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

const DEV_PSEUDONYM_SECRET = 'labelloop-dev-pseudonym-secret';

/**
 * HMAC key of annotator pseudonyms: REGISTRY_PSEUDONYM_SECRET or the file named by
 * REGISTRY_PSEUDONYM_SECRET_FILE. Without one, a fixed development key is used (and logged
 * as a warning): pseudonyms are then stable but guessable.
 */
export function pseudonymSecret(env: NodeJS.ProcessEnv = process.env): { secret: string; isDefault: boolean } {
  const s = secretFromEnv('REGISTRY_PSEUDONYM_SECRET', env);
  return s ? { secret: s, isDefault: false } : { secret: DEV_PSEUDONYM_SECRET, isDefault: true };
}

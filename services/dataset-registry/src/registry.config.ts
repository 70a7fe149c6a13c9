import * as path from 'node:path';
import { baseConfigSchema, commaList, flag, secretFromEnv, z } from '@labelloop/config';

const share = z.coerce.number().min(0).max(1);
/** Export formats the registry writes (README, "Exports"). */
export const EXPORT_FORMATS = ['jsonl', 'csv', 'coco', 'parquet', 'yolo', 'spans', 'hf', 'preference'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Formats written at approval unless REGISTRY_EXPORT_FORMATS says otherwise, and by ExportVersion without formats. */
export const DEFAULT_EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv', 'coco', 'parquet'];

/** Dataset registry settings. */
export const registryConfigSchema = baseConfigSchema
  .extend({
    /** HMAC key of annotator pseudonyms (or a file: REGISTRY_PSEUDONYM_SECRET_FILE); see {@link pseudonymSecret}. */
    REGISTRY_PSEUDONYM_SECRET: z.string().optional(),
    REGISTRY_PSEUDONYM_SECRET_FILE: z.string().optional(),
    /** Cut a new version after this many newly accepted (or relabelled) items. */
    REGISTRY_CUT_EVERY: z.coerce.number().int().positive().default(100),
    /** Also cut pending changes this many seconds after the last cut (0: off). */
    REGISTRY_CUT_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(0),
    /** How often the interval worker looks for due datasets. */
    REGISTRY_CUT_POLL_MS: z.coerce.number().int().positive().default(5000),
    /** Where exports are written (a local directory; the staging area when S3 is configured). */
    REGISTRY_EXPORT_DIR: z.string().default(path.resolve('.local/exports')),
    /** Formats written when a version is approved (comma-separated: jsonl, csv, coco, parquet, yolo, spans, hf, preference). */
    REGISTRY_EXPORT_FORMATS: commaList(DEFAULT_EXPORT_FORMATS.join(',')).pipe(z.array(z.enum(EXPORT_FORMATS)).min(1)),
    /** S3-compatible storage for exports (unset: local directory). Credentials: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, ...). */
    REGISTRY_S3_BUCKET: z.string().optional(),
    REGISTRY_S3_PREFIX: z.string().default(''),
    REGISTRY_S3_ENDPOINT: z.string().url().optional(),
    REGISTRY_S3_REGION: z.string().default('us-east-1'),
    REGISTRY_S3_FORCE_PATH_STYLE: flag(false),
    /** Split shares, in percent: train / validation; the rest is test. */
    REGISTRY_TRAIN_PCT: z.coerce.number().int().min(1).max(98).default(80),
    REGISTRY_VALIDATION_PCT: z.coerce.number().int().min(1).max(98).default(10),
    /** Approval gates: mean consensus confidence and agreement of the version's items. */
    REGISTRY_MIN_MEAN_CONFIDENCE: share.default(0),
    REGISTRY_MIN_MEAN_AGREEMENT: share.default(0),
    /** Approval gate: every class present (and every required class) has at least this many items. */
    REGISTRY_MIN_ITEMS_PER_CLASS: z.coerce.number().int().min(0).default(1),
    /** Classes that must be present (comma-separated). */
    REGISTRY_REQUIRED_CLASSES: commaList(),
  })
  .superRefine((c, ctx) => {
    const problem = pseudonymKeyProblem(c);
    if (problem) ctx.addIssue({ code: 'custom', path: ['REGISTRY_PSEUDONYM_SECRET'], message: problem });
  });
/** Parsed registry config. */
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

const DEV_PSEUDONYM_SECRET = 'labelloop-dev-pseudonym-secret';
/** Shortest pseudonym key accepted in production (the key is what keeps pseudonyms from being recomputed). */
const MIN_PSEUDONYM_SECRET = 16;

/**
 * What is wrong with the pseudonym key for the deployment mode, or undefined: in production
 * (LABELLOOP_ENV=production) a missing key, the public development key, or one shorter than 16
 * characters; anyone could otherwise recompute every annotator's pseudonym from their id.
 */
function pseudonymKeyProblem(env: { LABELLOOP_ENV?: string; REGISTRY_PSEUDONYM_SECRET?: string; REGISTRY_PSEUDONYM_SECRET_FILE?: string }): string | undefined {
  if (env.LABELLOOP_ENV !== 'production') return undefined;
  let key: string | undefined;
  try {
    key = secretFromEnv('REGISTRY_PSEUDONYM_SECRET', {
      REGISTRY_PSEUDONYM_SECRET: env.REGISTRY_PSEUDONYM_SECRET,
      REGISTRY_PSEUDONYM_SECRET_FILE: env.REGISTRY_PSEUDONYM_SECRET_FILE,
    });
  } catch (e) {
    return `cannot read REGISTRY_PSEUDONYM_SECRET_FILE: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  if (!key) return 'is required when LABELLOOP_ENV=production (or REGISTRY_PSEUDONYM_SECRET_FILE): without it pseudonyms use the public development key';
  if (key === DEV_PSEUDONYM_SECRET) return 'is the public development key; set a secret one when LABELLOOP_ENV=production';
  if (key.length < MIN_PSEUDONYM_SECRET) return `must have at least ${MIN_PSEUDONYM_SECRET} characters when LABELLOOP_ENV=production`;
  return undefined;
}

/**
 * HMAC key of annotator pseudonyms: REGISTRY_PSEUDONYM_SECRET or the file named by
 * REGISTRY_PSEUDONYM_SECRET_FILE. Without one, a fixed development key is used (and logged
 * as a warning): pseudonyms are then stable but guessable. In production (LABELLOOP_ENV=production)
 * there is no fallback: the config check refuses to start, and this throws.
 */
export function pseudonymSecret(env: NodeJS.ProcessEnv = process.env): { secret: string; isDefault: boolean } {
  const problem = pseudonymKeyProblem(env);
  if (problem) throw new Error(`REGISTRY_PSEUDONYM_SECRET: ${problem}`);
  const s = secretFromEnv('REGISTRY_PSEUDONYM_SECRET', env);
  return s ? { secret: s, isDefault: false } : { secret: DEV_PSEUDONYM_SECRET, isDefault: true };
}
